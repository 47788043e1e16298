"""End to end: petitions submitted over HTTP to intake, closed loop, until reporting's
`GET /v1/stats` counts every accepted one; and how many in flight give the system's capacity
(the knee of the rate)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

from langnghe.tools.bench.http_client import HTTP_CLIENTS, HttpError, HttpxHttp, LiteHttp
from langnghe.tools.bench.percentiles import summarize_ms
from langnghe.tools.bench.sample import petition_body
from langnghe.tools.issuer import TokenSource

#: After the end-to-end load, how long to wait for reporting to show every accepted petition:
#: longer than a consumer's ack wait (30 s), after which a delivered but unhandled message
#: comes again.
E2E_VISIBLE_TIMEOUT_S = 40.0

#: Submissions in flight tried by the end-to-end probes, in order; a probe that gains less
#: than `SATURATION_GAIN` over the best before it ends the climb.
CONCURRENCY_STEPS = (24, 48, 96, 192)
SATURATION_GAIN = 0.05
#: The sustained run uses the fewest in flight whose probe reached this share of the best.
KNEE_SHARE = 0.90


def saturated(rates: Sequence[float | None], gain: float = SATURATION_GAIN) -> bool:
    """Whether the last probe ended the climb: it failed, or it gained less than `gain` over
    the best probe before it."""
    if not rates:
        return False
    last = rates[-1]
    if last is None:
        return True
    before = [r for r in rates[:-1] if r is not None]
    return bool(before) and last < max(before) * (1 + gain)


def knee(probes: Sequence[tuple[int, float | None]], share: float = KNEE_SHARE) -> int | None:
    """The fewest in flight whose rate reached `share` of the best probe's (None if no probe
    measured a rate)."""
    measured = [(c, r) for c, r in probes if r is not None]
    if not measured:
        return None
    best = max(r for _, r in measured)
    return min(c for c, r in measured if r >= share * best)


async def stats_total(client: LiteHttp | HttpxHttp, headers: dict[str, str] | None = None) -> int:
    status, body = await client.get("/v1/stats", headers)
    if status != 200:
        raise HttpError(f"GET /v1/stats answered {status}")
    return int(json.loads(body)["total"])


async def drive_closed_loop(
    intake_url: str,
    reporting_url: str,
    seconds: float,
    concurrency: int,
    visible_timeout: float,
    client_name: str = "lite",
    tokens: TokenSource | None = None,
) -> dict[str, Any]:
    """`concurrency` submitters back to back for `seconds`, then wait until reporting counts
    every accepted petition. `tokens` signs each call as its role would make it."""
    auth = tokens if tokens is not None else TokenSource(None)
    stats_headers = auth.for_call("stats")
    make = HTTP_CLIENTS[client_name]
    intake = make(intake_url, max_connections=concurrency)
    watcher = make(reporting_url, max_connections=1, timeout=5.0)
    try:
        baseline = await stats_total(watcher, stats_headers)
        accepted = 0
        errors: Counter[str] = Counter()
        latencies: list[float] = []
        counter = iter(range(10**9))
        first_submit = time.perf_counter()
        stop_at = first_submit + seconds

        async def worker() -> None:
            nonlocal accepted
            while time.perf_counter() < stop_at:
                n = next(counter)
                sent = time.perf_counter()
                try:
                    body = petition_body(n)
                    status, _ = await intake.post_json(
                        "/v1/petitions",
                        body,
                        {
                            "Idempotency-Key": f"bench-e2e-{n}-{uuid.uuid4().hex[:8]}",
                            **auth.for_call("submit", body["province_code"]),
                        },
                    )
                except HttpError as exc:
                    errors[f"{type(exc.__cause__).__name__}"] += 1
                    await asyncio.sleep(0.05)
                    continue
                if status == 202:
                    accepted += 1
                    latencies.append(time.perf_counter() - sent)
                else:
                    errors[f"HTTP {status}"] += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        submit_end = time.perf_counter()
        target = baseline + accepted
        visible_at_end = await stats_total(watcher, stats_headers) - baseline
        deadline = submit_end + visible_timeout
        last_visible: float | None = None
        total = baseline
        while time.perf_counter() < deadline:
            with contextlib.suppress(HttpError):
                total = await stats_total(watcher, stats_headers)
            if total >= target:
                last_visible = time.perf_counter()
                break
            await asyncio.sleep(0.02)
    finally:
        await intake.aclose()
        await watcher.aclose()
    result: dict[str, Any] = {
        "client": client_name,
        "concurrency": concurrency,
        "accepted": accepted,
        "errors": dict(errors),
        "submit_seconds": round(submit_end - first_submit, 3),
        "submit_per_s": round(accepted / (submit_end - first_submit), 1),
        "visible_when_submitting_ended": visible_at_end,
        "submit": summarize_ms(latencies),
    }
    if last_visible is None:
        result["error"] = (
            f"only {total - baseline} of {accepted} visible {visible_timeout:.0f} s after the load"
        )
        result["petitions_per_s"] = None
    else:
        span = last_visible - first_submit
        result["seconds_first_submit_to_last_visible"] = round(span, 3)
        result["drain_seconds"] = round(last_visible - submit_end, 3)
        result["petitions_per_s"] = round(accepted / span, 1)
    return result


def add_cpu_per_petition(result: dict[str, Any]) -> None:
    """Milliseconds of CPU each process spent per accepted petition during an end-to-end run."""
    accepted, cpu = result["accepted"], result["cpu"]
    if accepted:
        result["cpu_ms_per_petition"] = {
            name: round(pct / 100 * cpu["seconds"] * 1000 / accepted, 2)
            for name, pct in cpu["processes_pct_of_one_core"].items()
            if pct is not None
        }
