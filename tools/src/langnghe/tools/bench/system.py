"""The system run: the four services as separate processes on SQLite (as `langnghe up` starts
them), then the end-to-end load, the latency and each service's memory, over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from langnghe.contracts.subjects import PETITIONS_STREAM
from langnghe.tools import issuer
from langnghe.tools.bench.latency import open_loop_latency
from langnghe.tools.bench.load import (
    CONCURRENCY_STEPS,
    E2E_VISIBLE_TIMEOUT_S,
    KNEE_SHARE,
    add_cpu_per_petition,
    drive_closed_loop,
    knee,
    saturated,
)
from langnghe.tools.bench.memory import measure_rss, read_rss
from langnghe.tools.bench.raw_limits import RAW_STREAM, STORE_STREAM, connect
from langnghe.tools.bench.report import say
from langnghe.tools.launcher import SERVICES, Launcher, StackConfig
from langnghe.tools.nats_server import free_port

if TYPE_CHECKING:
    from langnghe.tools.bench.run import Bench


def reset_streams(bench: Bench) -> None:
    """An empty event store for the system run: the corpus and scratch streams go."""

    async def drop() -> None:
        nc = await connect(bench.nats_url)
        try:
            js = nc.jetstream(timeout=10)
            for name in (PETITIONS_STREAM, RAW_STREAM, STORE_STREAM):
                with contextlib.suppress(Exception):
                    await js.delete_stream(name)
        finally:
            await nc.close()

    asyncio.run(drop())
    bench.provision()


def run_system(bench: Bench) -> None:
    assert bench.nats is not None, "nats-server is started first"
    reset_streams(bench)
    cfg = StackConfig(
        data_dir=bench.data_dir / "stack",
        nats_port=bench.nats.port,
        nats_monitor_port=free_port(),
        http_ports={name: free_port() for name in SERVICES},
    )
    cfg.logs_dir.mkdir(parents=True, exist_ok=True)
    bench.launcher = launcher = Launcher(cfg)
    # The embedded issuer of the stack's data directory: the services verify its tokens,
    # and every call of the bench carries one (langnghe.tools.issuer.callers).
    issuer.ensure_keys(cfg.data_dir)
    tokens = issuer.TokenSource(cfg.data_dir)
    launcher.services = [launcher._service(name, bench.nats_url) for name in SERVICES]
    say("… starting intake, tracking, notify, reporting (separate processes, SQLite)")
    for service in launcher.services:
        service.start()
    if launcher._wait_ready() is not None:
        bench.errors["services"] = f"the services did not become ready; logs in {cfg.logs_dir}"
        return
    urls = {name: cfg.base_url(name) for name in SERVICES}
    for service in launcher.services:
        if service.process is not None:
            bench.pids[service.name] = service.process.pid
    plan = bench.plan
    concurrency = plan.concurrency or find_knee(bench, urls, tokens)
    if concurrency is None:
        bench.errors["e2e"] = "no end-to-end probe measured a rate"
        return
    result = bench.phase(
        "e2e",
        f"ours: end to end, {concurrency} concurrent submits ({plan.client} client) for "
        f"{plan.e2e_seconds:g} s, until all are visible in reporting",
        lambda: drive_closed_loop(
            urls["intake"],
            urls["reporting"],
            plan.e2e_seconds,
            concurrency,
            E2E_VISIBLE_TIMEOUT_S,
            plan.client,
            tokens,
        ),
    )
    if result:
        bench.ours["e2e"] = result
        add_cpu_per_petition(result)
        if result.get("error"):
            bench.errors["e2e"] = result["error"]
        say(
            f"  {result['accepted']:,} accepted ({result['submit_per_s']:,.0f}/s while submitting), "
            f"{result['petitions_per_s'] or 0:,.0f} petitions/s submit→visible, "
            f"errors {result['errors'] or 'none'}"
        )
    result = bench.phase(
        "latency",
        f"ours: latency submit→visible at {plan.latency_rate:g}/s open loop for "
        f"{plan.latency_seconds:g} s (probe {plan.probe}, every {plan.poll_interval * 1000:g} ms)",
        lambda: open_loop_latency(
            urls["intake"],
            urls["reporting"],
            plan.latency_rate,
            plan.latency_seconds,
            plan.poll_interval,
            plan.visible_timeout,
            plan.client,
            cfg.data_dir / "reporting.db" if plan.probe == "db" else None,
            tokens,
        ),
    )
    if result:
        bench.ours["latency"] = result
        v = result["visible"]
        say(
            f"  p50 {v['p50_ms']} ms, p95 {v['p95_ms']} ms, p99 {v['p99_ms']} ms, "
            f"{result['get_requests_per_s']} GET/s, errors {result['errors'] or 'none'}"
        )
    result = bench.phase(
        "rss",
        f"ours: RSS of each service after {plan.idle_seconds:g} s idle",
        lambda: measure_rss(urls, plan.idle_seconds),
    )
    if result:
        if bench.nats is not None:
            with contextlib.suppress(OSError):
                result["nats-server"] = {"pid": bench.nats.process.pid, **read_rss(bench.nats.process.pid)}
        bench.ours["rss"] = result
        say("  " + ", ".join(f"{n} {result[n]['vmrss_mib']} MiB" for n in SERVICES))
    bench.raw_publish("publish_after", ", again (the services idle)")


def find_knee(bench: Bench, urls: dict[str, str], tokens: issuer.TokenSource | None = None) -> int | None:
    """Short closed-loop probes at more and more submissions in flight, until the rate
    stops growing; the knee of what they measured."""
    plan = bench.plan
    probes: list[tuple[int, float | None]] = []
    kept: list[dict[str, Any]] = []
    for concurrency in CONCURRENCY_STEPS:
        result = bench.phase(
            f"e2e_probe_{concurrency}",
            f"ours: end-to-end probe, {concurrency} in flight for {plan.probe_seconds:g} s",
            lambda c=concurrency: drive_closed_loop(  # type: ignore[misc]
                urls["intake"],
                urls["reporting"],
                plan.probe_seconds,
                c,
                E2E_VISIBLE_TIMEOUT_S,
                plan.client,
                tokens,
            ),
        )
        rate = result.get("petitions_per_s") if result and not result["errors"] else None
        probes.append((concurrency, rate))
        if result:
            add_cpu_per_petition(result)
            kept.append(result)
            submit = result["submit"]
            say(
                f"  {rate or 0:,.0f} petitions/s submit→visible, submit p50 {submit['p50_ms']} ms "
                f"p99 {submit['p99_ms']} ms, errors {result['errors'] or 'none'}"
            )
        if saturated([r for _, r in probes]):
            break
    chosen = knee(probes)
    bench.ours["e2e_probes"] = {"probes": kept, "chosen": chosen, "knee_share": KNEE_SHARE}
    if chosen is not None:
        say(f"  the knee: {chosen} in flight (the fewest reaching {KNEE_SHARE:.0%} of the best probe)")
    return chosen
