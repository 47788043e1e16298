"""`langnghe bench`: how fast the embedded system is, next to the raw limits of its parts.

One run, one nats-server (`sync_interval: always`, provisioned like production):

1. Raw limits: synchronous JetStream publishes from one Python client on a scratch stream
   configured like the event store, measured first and again after the system run (each
   publish waits for an fsync, whose rate drifts within a run by a quarter or more: the
   figures are compared with the better of the two, the stricter limit); an ordered consumer
   replaying N stored events into a plain table with executemany (1000 rows, one transaction
   per batch), on SQLite and on PostgreSQL, before and after the rebuild (the better of the
   two, for the same reason).
2. Our figures: `JetStreamEventStore.append` (one event, and atomic batches of three);
   petitions/s end to end (HTTP submit until reporting shows them) with the four services as
   separate processes; submit-to-visible latency at a fixed rate, open loop; the reporting
   projection's rebuild on both databases (as reporting runs it: the stream received by a
   helper process); each service's RSS at rest.

The end-to-end rate is a capacity: the most petitions/s the system sustains. With too few
submissions in flight a closed loop measures its own round trips instead (the machine has
idle CPU and the rate still grows with more in flight), so short probes first double the
number in flight from 24 until the rate stops growing by 5 %, and the sustained run uses the
smallest number that reached 90 % of the best probe (the knee: near the most throughput, at
the least latency). Every probe is printed and kept in the JSON; `--concurrency N` skips
the probes.

Every figure is printed next to its raw limit, with the ratio and PASS/MISS against its
target, and everything is written as JSON together with the environment and the CPU each
process used in each phase (what other programs used on the machine meanwhile is reported:
on 2 cores it skews everything).

The load generator shares the machine with what it measures, so by default it is light: a
minimal keep-alive HTTP/1.1 client (`--client httpx` for httpx), and the latency run finds a
petition in reporting's read model with one query every 5 ms for all petitions in flight,
then confirms it with one GET (`--probe http` polls GET every 5 ms per petition, which
loads reporting with the measurement itself).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import functools
import importlib.metadata
import json
import math
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
RAW_STREAM = "BENCH_RAW"
RAW_SUBJECTS = "benchraw.events"
STORE_STREAM = "BENCH_STORE"
STORE_SUBJECTS = "benchstore.events"
REPLAY_BATCH = 1000
#: After the end-to-end load, how long to wait for reporting to show every accepted petition:
#: longer than a consumer's ack wait (30 s), after which a delivered but unhandled message
#: comes again.
E2E_VISIBLE_TIMEOUT_S = 40.0
DEFAULT_PG_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"

# Targets: the end-to-end rate is compared with one client's synchronous publishes, the
# rebuild with a plain replay into the same database.
TARGET_E2E_RATIO = 0.50
TARGET_P99_MS = 200.0
TARGET_REBUILD_RATIO = 0.40
TARGET_RSS_MIB = 120.0

#: Submissions in flight tried by the end-to-end probes, in order; a probe that gains less
#: than `SATURATION_GAIN` over the best before it ends the climb.
CONCURRENCY_STEPS = (24, 48, 96, 192)
SATURATION_GAIN = 0.05
#: The sustained run uses the fewest in flight whose probe reached this share of the best.
KNEE_SHARE = 0.90


@dataclass(frozen=True)
class Plan:
    """How long each phase runs; `--quick` shortens all of them."""

    raw_seconds: float
    append_seconds: float
    corpus_events: int
    e2e_seconds: float
    latency_seconds: float
    latency_rate: float
    concurrency: int | None  # None: probe CONCURRENCY_STEPS for the knee
    idle_seconds: float
    probe_seconds: float = 10.0
    client: str = "lite"
    probe: str = "db"
    poll_interval: float = 0.005
    visible_timeout: float = 10.0

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        if args.quick:
            return cls(
                raw_seconds=2.0,
                append_seconds=2.0,
                corpus_events=5_000,
                e2e_seconds=min(args.duration, 5.0),
                latency_seconds=min(args.duration, 5.0),
                latency_rate=args.rate,
                concurrency=args.concurrency,
                idle_seconds=3.0,
                probe_seconds=2.0,
                client=args.client,
                probe=args.probe,
            )
        return cls(
            raw_seconds=5.0,
            append_seconds=5.0,
            corpus_events=args.events,
            e2e_seconds=args.duration,
            latency_seconds=args.duration,
            latency_rate=args.rate,
            concurrency=args.concurrency,
            idle_seconds=5.0,
            client=args.client,
            probe=args.probe,
        )


# --------------------------------------------------------------------------- pure helpers


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


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0-100) with linear interpolation between closest ranks (the
    default of numpy and of Python's `statistics.quantiles(method="inclusive")`); None for
    no values."""
    if not 0 <= p <= 100:
        raise ValueError(f"percentile out of range 0-100: {p}")
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize_ms(seconds: Sequence[float]) -> dict[str, float | int | None]:
    """Latency summary in milliseconds."""
    ms = [s * 1000.0 for s in seconds]

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return {
        "count": len(ms),
        "p50_ms": rounded(percentile(ms, 50)),
        "p95_ms": rounded(percentile(ms, 95)),
        "p99_ms": rounded(percentile(ms, 99)),
        "max_ms": rounded(max(ms)) if ms else None,
        "mean_ms": rounded(sum(ms) / len(ms)) if ms else None,
    }


def ratio(value: float | None, limit: float | None) -> float | None:
    if value is None or limit is None or limit <= 0:
        return None
    return value / limit


def format_ratio(value: float | None) -> str:
    """0.5234 -> '52 %'; below 10 % one decimal ('4.5 %'); unknown -> '—'."""
    if value is None or math.isnan(value):
        return "—"
    percent = value * 100
    return f"{percent:.1f} %" if percent < 10 else f"{percent:.0f} %"


def format_number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"
    return f"{text} {unit}".rstrip()


def verdict(value: float | None, target: float | None, *, at_least: bool) -> str:
    """PASS/MISS against a target; 'info' without one; 'n/a' when the value is missing."""
    if target is None:
        return "info"
    if value is None:
        return "n/a"
    ok = value >= target if at_least else value <= target
    return "PASS" if ok else "MISS"


@dataclass(frozen=True)
class Figure:
    """One row of the table: a measured value, the raw limit it is compared with, the ratio,
    and the target (on the ratio or on the value) it passes or misses."""

    key: str
    label: str
    value: float | None
    unit: str
    limit: float | None = None
    limit_label: str = ""
    target: float | None = None
    target_on: str = "ratio"  # "ratio" or "value"
    at_least: bool = True
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return ratio(self.value, self.limit)

    @property
    def status(self) -> str:
        measured = self.ratio if self.target_on == "ratio" else self.value
        return verdict(measured, self.target, at_least=self.at_least)

    @property
    def target_text(self) -> str:
        if self.target is None:
            return ""
        sign = "≥" if self.at_least else "≤"
        if self.target_on == "ratio":
            return f"{sign} {format_ratio(self.target)}"
        return f"{sign} {format_number(self.target, self.unit)}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "limit": self.limit,
            "limit_label": self.limit_label,
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "target": self.target,
            "target_on": self.target_on if self.target is not None else None,
            "at_least": self.at_least,
            "status": self.status,
            "note": self.note,
        }


def render_table(figures: Sequence[Figure]) -> str:
    header = ("figure", "value", "raw limit", "ratio", "target", "result")
    rows = [header]
    for f in figures:
        limit = f"{format_number(f.limit)} {f.limit_label}".strip() if f.limit is not None else ""
        rows.append(
            (
                f.label,
                format_number(f.value, f.unit),
                limit,
                format_ratio(f.ratio) if f.limit is not None else "",
                f.target_text,
                f.status,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


OUTSIDE_LOAD_WARNING_PCT = 25.0


def outside_load(cpu_by_phase: dict[str, dict[str, Any]]) -> tuple[str, float] | None:
    """The phase with the most CPU used outside our processes, if above the warning level."""
    worst = max(
        ((phase, float(cpu.get("outside_pct") or 0.0)) for phase, cpu in cpu_by_phase.items()),
        key=lambda item: item[1],
        default=None,
    )
    if worst is None or worst[1] < OUTSIDE_LOAD_WARNING_PCT:
        return None
    return worst


def build_result(
    *,
    environment: dict[str, Any],
    config: dict[str, Any],
    raw: dict[str, Any],
    ours: dict[str, Any],
    figures: Sequence[Figure],
    errors: dict[str, str],
    started_at: str,
    seconds: float,
) -> dict[str, Any]:
    """The JSON document: inputs, every measured number, and the verdicts."""
    checks = [f.as_dict() for f in figures]
    judged = [c["status"] for c in checks if c["status"] in ("PASS", "MISS", "n/a")]
    return {
        "schema_version": SCHEMA_VERSION,
        "started_at": started_at,
        "seconds": round(seconds, 1),
        "environment": environment,
        "config": config,
        "raw": raw,
        "ours": ours,
        "checks": checks,
        "summary": {
            "pass": judged.count("PASS"),
            "miss": judged.count("MISS"),
            "not_measured": judged.count("n/a"),
            "all_passed": bool(judged) and all(s == "PASS" for s in judged) and not errors,
        },
        "errors": dict(errors),
    }


def best_publish(raw: dict[str, Any]) -> float | None:
    """The raw synchronous-publish limit: the better of its measurements (before and after the
    system run), so a ratio is never flattered by a slow moment of the disk."""
    rates = [
        raw[key]["msgs_per_s"]
        for key in ("publish", "publish_after")
        if isinstance(raw.get(key), dict) and raw[key].get("msgs_per_s")
    ]
    return max(rates) if rates else None


def best_replay(raw: dict[str, Any], db: str) -> float | None:
    """The raw replay limit on `db`: the better of its measurements (before and after the
    rebuild; a replay lasts about a second, and one slow second would flatter the ratio)."""
    rates = [
        raw[key][db]["events_per_s"]
        for key in ("replay", "replay_after")
        if isinstance(raw.get(key), dict)
        and isinstance(raw[key].get(db), dict)
        and raw[key][db].get("events_per_s")
    ]
    return max(rates) if rates else None


def figures_from(raw: dict[str, Any], ours: dict[str, Any]) -> list[Figure]:
    """The table rows, from the measured numbers (missing phases give '—' and 'n/a')."""

    def get(section: dict[str, Any], *path: str) -> Any:
        value: Any = section
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    publish = best_publish(raw)
    in_flight = get(ours, "e2e", "concurrency")
    figures = [
        Figure(
            "append_single",
            "store append, 1 event",
            get(ours, "append_single", "appends_per_s"),
            "appends/s",
            publish,
            "publishes/s",
        ),
        Figure(
            "append_batch3_events",
            "store append, batch of 3 (events)",
            get(ours, "append_batch3", "events_per_s"),
            "events/s",
            publish,
            "publishes/s",
        ),
        Figure(
            "append_batch3_appends",
            "store append, batch of 3 (appends)",
            get(ours, "append_batch3", "appends_per_s"),
            "appends/s",
            publish,
            "publishes/s",
        ),
        Figure(
            "e2e_throughput",
            "end to end submit→visible" + (f" ({in_flight} in flight)" if in_flight else ""),
            get(ours, "e2e", "petitions_per_s"),
            "petitions/s",
            publish,
            "publishes/s",
            target=TARGET_E2E_RATIO,
            note="closed loop at the knee of the rate (see e2e_probes)" if in_flight else "",
        ),
    ]
    for p in ("p50", "p95", "p99"):
        figures.append(
            Figure(
                f"latency_{p}",
                f"latency submit→visible {p}",
                get(ours, "latency", "visible", f"{p}_ms"),
                "ms",
                target=TARGET_P99_MS if p == "p99" else None,
                target_on="value",
                at_least=False,
                note=f"open loop at {get(ours, 'latency', 'rate')}/s",
            )
        )
    for db, name in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        figures.append(
            Figure(
                f"rebuild_{db}",
                f"rebuild reporting, {name}",
                get(ours, "rebuild", db, "events_per_s"),
                "events/s",
                best_replay(raw, db),
                "replayed/s",
                target=TARGET_REBUILD_RATIO,
            )
        )
    rss = get(ours, "rss") or {}
    for service in ("intake", "tracking", "notify", "reporting"):
        figures.append(
            Figure(
                f"rss_{service}",
                f"RSS at rest, {service}",
                get(rss, service, "vmrss_mib"),
                "MiB",
                target=TARGET_RSS_MIB,
                target_on="value",
                at_least=False,
            )
        )
    return figures


# --------------------------------------------------------------------------- sample data


@functools.cache
def _places() -> tuple[tuple[str, str], ...]:
    from langnghe.domain.units import current_communes

    return tuple((c.province_code, c.code) for c in current_communes())


def sample_place(n: int) -> tuple[str, str]:
    """A real (province, commune) pair of today's units, spread over the whole country."""
    places = _places()
    return places[(n * 7919) % len(places)]


def petition_body(n: int) -> dict[str, Any]:
    """An HTTP submission like a clerk's: two in three with contact details (vault rows)."""
    province, commune = sample_place(n)
    return {
        "province_code": province,
        "commune_code": commune,
        "channel": "citizen_reception",
        "legal_type": "recommendation",
        "field_code": "infrastructure",
        "content": f"Đề nghị sửa chữa đoạn đường liên thôn số {n} bị sạt lở sau mưa lũ, "
        "người dân đi lại rất khó khăn, nhất là học sinh đến trường.",
        "citizen": {"full_name": "Nguyễn Văn A", "phone": "0912345678"} if n % 3 else None,
    }


def petition_events(pid: str, n: int, at: datetime, kinds: Sequence[str]) -> list[Any]:
    """NewEvents of one petition, as intake and tracking write them."""
    from langnghe.contracts.envelope import Actor, EventMeta, event_id_for
    from langnghe.contracts.events.petition import (
        Channel,
        PetitionAnswered,
        PetitionAssigned,
        PetitionReceived,
    )
    from langnghe.runtime.eventstore import NewEvent

    out = []
    for kind in kinds:
        if kind == "received":
            event: Any = PetitionReceived(
                code=f"KN-{sample_place(n)[0]}-26-{pid[:10].upper()}",
                province_code=sample_place(n)[0],
                commune_code=sample_place(n)[1],
                channel=Channel.CITIZEN_RECEPTION,
                field_code="infrastructure",
                content=f"Đề nghị sửa chữa đoạn đường liên thôn số {n} bị sạt lở sau mưa lũ, "
                "người dân đi lại rất khó khăn, nhất là học sinh đến trường.",
                citizen_ref=uuid.uuid4().hex if n % 3 else None,
            )
            actor = Actor(kind="clerk", ref="intake-api")
        elif kind == "assigned":
            event = PetitionAssigned(agency_code="UBND-XA-SAPA", promised_date=date(2026, 3, 1))
            actor = Actor(kind="agency", ref="tracking-api")
        else:
            event = PetitionAnswered(
                answer_text="Ủy ban nhân dân xã đã bố trí kinh phí sửa chữa trong quý này.",
                answering_agency_code="UBND-XA-SAPA",
                document_number=f"{n}/UBND-VP",
            )
            actor = Actor(kind="agency", ref="tracking-api")
        meta = EventMeta(
            event_id=event_id_for(f"bench:{pid}:{kind}"),
            aggregate_type="petition",
            aggregate_id=pid,
            occurred_at=at,
            schema_version=event.SCHEMA_VERSION,
            correlation_id=uuid.uuid4().hex,
            causation_id=uuid.uuid4().hex,
            actor=actor,
        )
        out.append(NewEvent(meta, event))
    return out


def corpus_plan(total: int, lag: int = 500) -> list[tuple[int, str]]:
    """(petition number, kind) in stream order: every petition is received; every second one
    is assigned and every fourth answered, `lag` receipts later (so a replay batch updates rows
    written by earlier batches, as in real life). Exactly `total` entries."""
    plan: list[tuple[int, str]] = []
    n = 0
    while len(plan) < total:
        plan.append((n, "received"))
        if n >= lag and (n - lag) % 2 == 0:
            plan.append((n - lag, "assigned"))
        if n >= 2 * lag and (n - 2 * lag) % 4 == 0:
            plan.append((n - 2 * lag, "answered"))
        n += 1
    return plan[:total]


# --------------------------------------------------------------------------- measurements


def _scratch_stream(name: str, prefix: str) -> Any:
    """A stream configured like the event store (file storage, same limits), other subjects."""
    from langnghe.contracts.subjects import PETITIONS_STREAM
    from langnghe.runtime.provisioning import stream_configs

    base = next(c for c in stream_configs(1) if c.name == PETITIONS_STREAM)
    return dataclasses.replace(base, name=name, subjects=[f"{prefix}.>"], description="langnghe bench")


async def _connect(url: str) -> Any:
    import nats

    return await nats.connect(url, name="langnghe-bench", connect_timeout=5, allow_reconnect=False)


async def measure_raw_publish(url: str, seconds: float) -> dict[str, Any]:
    """One client, synchronous publishes (each awaits its ack), a fresh subject each."""
    from langnghe.contracts.codec import REGISTRY

    nc = await _connect(url)
    try:
        js = nc.jetstream(timeout=5)
        await js.add_stream(_scratch_stream(RAW_STREAM, RAW_SUBJECTS))
        sample = petition_events("0" * 32, 1, datetime.now(UTC), ["received"])[0]
        body, _ = REGISTRY.encode(sample.meta, sample.event)
        for _ in range(20):  # warm-up
            await js.publish(
                f"{RAW_SUBJECTS}.10.{uuid.uuid4().hex}", body, headers={"Nats-Msg-Id": uuid.uuid4().hex}
            )
        latencies: list[float] = []
        start = time.perf_counter()
        deadline = start + seconds
        while (now := time.perf_counter()) < deadline:
            await js.publish(
                f"{RAW_SUBJECTS}.10.{uuid.uuid4().hex}", body, headers={"Nats-Msg-Id": uuid.uuid4().hex}
            )
            latencies.append(time.perf_counter() - now)
        elapsed = time.perf_counter() - start
        await js.delete_stream(RAW_STREAM)
    finally:
        await nc.close()
    return {
        "msgs": len(latencies),
        "seconds": round(elapsed, 3),
        "msgs_per_s": round(len(latencies) / elapsed, 1),
        "payload_bytes": len(body),
        "ack": summarize_ms(latencies),
    }


async def measure_store_append(url: str, seconds: float, batch: int) -> dict[str, Any]:
    """JetStreamEventStore.append on a stream configured like the event store: each append is
    a new aggregate (expected last sequence 0), `batch` events atomically."""
    from langnghe.runtime.eventstore import JetStreamEventStore

    kinds = ["received", "assigned", "answered"][:batch]
    nc = await _connect(url)
    try:
        js = nc.jetstream(timeout=5)
        with contextlib.suppress(Exception):
            await js.add_stream(_scratch_stream(STORE_STREAM, STORE_SUBJECTS))
        store = JetStreamEventStore(nc, stream=STORE_STREAM)
        at = datetime.now(UTC)

        async def one(n: int) -> float:
            pid = uuid.uuid4().hex
            events = petition_events(pid, n, at, kinds)
            started = time.perf_counter()
            await store.append(f"{STORE_SUBJECTS}.10.{pid}", events, expected_last_seq=0)
            return time.perf_counter() - started

        for n in range(10):  # warm-up
            await one(n)
        latencies: list[float] = []
        start = time.perf_counter()
        deadline = start + seconds
        n = 0
        while time.perf_counter() < deadline:
            latencies.append(await one(n))
            n += 1
        elapsed = time.perf_counter() - start
    finally:
        await nc.close()
    appends = len(latencies)
    return {
        "events_per_append": batch,
        "appends": appends,
        "seconds": round(elapsed, 3),
        "appends_per_s": round(appends / elapsed, 1),
        "events_per_s": round(appends * batch / elapsed, 1),
        "append": summarize_ms(latencies),
        "note": "the loop builds each petition's events (pydantic) too; `append` times the call alone",
    }


async def append_corpus(url: str, total: int) -> dict[str, Any]:
    """`total` encoded petition events into PETITIONS, pipelined (publish_async)."""
    from langnghe.contracts.codec import REGISTRY
    from langnghe.contracts.subjects import HEADER_EVENT_ID, PETITIONS_STREAM, petition_subject

    plan = corpus_plan(total)
    pids = {n: uuid.uuid4().hex for n, kind in plan if kind == "received"}
    base = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    encoded = []
    for n, kind in plan:
        new = petition_events(pids[n], n, base + timedelta(seconds=n), [kind])[0]
        body, headers = REGISTRY.encode(new.meta, new.event)
        subject = petition_subject(f"{10 + n % 40:02d}", pids[n])
        encoded.append((subject, body, {**headers, "Nats-Msg-Id": headers[HEADER_EVENT_ID]}))
    nc = await _connect(url)
    try:
        js = nc.jetstream(timeout=10, publish_async_max_pending=2000)
        start = time.perf_counter()
        futures = [
            await js.publish_async(subject, body, headers=headers, wait_stall=10)
            for subject, body, headers in encoded
        ]
        acks = await asyncio.wait_for(asyncio.gather(*futures), timeout=120)
        elapsed = time.perf_counter() - start
        info = await js.stream_info(PETITIONS_STREAM)
    finally:
        await nc.close()
    duplicates = sum(1 for a in acks if a.duplicate)
    if duplicates or info.state.messages != total:
        raise RuntimeError(f"corpus: {info.state.messages} stored of {total} ({duplicates} duplicates)")
    return {
        "events": total,
        "petitions": len(pids),
        "by_type": dict(Counter(kind for _, kind in plan)),
        "seconds": round(elapsed, 3),
        "msgs_per_s": round(total / elapsed, 1),
        "bytes": sum(len(b) for _, b, _ in encoded),
        "note": "pipelined publish_async, 2000 in flight",
    }


async def measure_raw_replay(url: str, db_url: str, expected: int) -> dict[str, Any]:
    """Ordered consumer from sequence 1 into a plain table: executemany of up to 1000 rows,
    one transaction per batch, on the same engine setup the services use."""
    from sqlalchemy import BigInteger, Column, LargeBinary, MetaData, String, Table, func, insert, select

    from langnghe.contracts.subjects import PETITION_EVENTS, PETITIONS_STREAM
    from langnghe.runtime.database import create_engine

    md = MetaData()
    table = Table(
        "bench_raw_events",
        md,
        Column("seq", BigInteger, primary_key=True),
        Column("subject", String(255), nullable=False),
        Column("data", LargeBinary, nullable=False),
    )
    engine = create_engine(db_url)
    nc = await _connect(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(md.drop_all)
            await conn.run_sync(md.create_all)
        queue: asyncio.Queue[Any] = asyncio.Queue()

        async def on_msg(msg: Any) -> None:
            queue.put_nowait(msg)

        js = nc.jetstream(timeout=10)
        start = time.perf_counter()
        sub = await js.subscribe(
            f"{PETITION_EVENTS}.>", stream=PETITIONS_STREAM, cb=on_msg, ordered_consumer=True
        )
        written = batches = 0
        deadline = start + 300
        try:
            while written < expected:
                first = await asyncio.wait_for(
                    queue.get(), timeout=max(0.1, min(30.0, deadline - time.perf_counter()))
                )
                batch = [first]
                while len(batch) < REPLAY_BATCH and not queue.empty():
                    batch.append(queue.get_nowait())
                rows = [
                    {"seq": m.metadata.sequence.stream, "subject": m.subject, "data": m.data} for m in batch
                ]
                async with engine.begin() as conn:
                    await conn.execute(insert(table), rows)
                written += len(rows)
                batches += 1
            elapsed = time.perf_counter() - start
        finally:
            await sub.unsubscribe()
        async with engine.connect() as conn:
            stored = (await conn.execute(select(func.count()).select_from(table))).scalar_one()
        if stored != expected:
            raise RuntimeError(f"raw replay stored {stored} rows, expected {expected}")
    finally:
        await nc.close()
        await engine.dispose()
    return {
        "events": written,
        "batches": batches,
        "seconds": round(elapsed, 3),
        "events_per_s": round(written / elapsed, 1),
    }


async def measure_rebuild(
    url: str, db_url: str, expected_events: int, expected_petitions: int
) -> dict[str, Any]:
    """`langnghe.runtime.rebuild.rebuild` of the reporting projection into generation 2, as
    reporting runs it (the stream received by a helper process)."""
    import langnghe.reporting
    from langnghe.contracts.consumers import REPORTING_PETITIONS
    from langnghe.reporting.projections.petition_view import PetitionView
    from langnghe.runtime.database import create_engine, session_factory
    from langnghe.runtime.migrations import upgrade
    from langnghe.runtime.rebuild import rebuild

    migrations = Path(langnghe.reporting.__file__).parent / "migrations"
    engine = create_engine(db_url)
    nc = await _connect(url)
    try:
        await upgrade(engine, migrations)
        view = PetitionView()
        await view.create_generation(engine, 1)
        sessions = session_factory(engine)
        report = await asyncio.wait_for(
            rebuild(
                nc.jetstream(timeout=10),
                engine,
                sessions,
                view,
                REPORTING_PETITIONS,
                batch_size=REPLAY_BATCH,
                servers=[url],
            ),
            timeout=600,
        )
        async with sessions() as session:
            stats = await view.stats(session)
    finally:
        await nc.close()
        await engine.dispose()
    if report.events != expected_events or stats["total"] != expected_petitions or stats["generation"] != 2:
        raise RuntimeError(
            f"rebuild applied {report.events} events / {stats['total']} petitions, "
            f"expected {expected_events} / {expected_petitions}"
        )
    return {
        "events": report.events,
        "generation": report.generation,
        "seconds": round(report.seconds, 3),
        "events_per_s": round(report.events_per_second, 1),
        "by_status": stats["by_status"],
    }


class HttpError(Exception):
    """The request got no HTTP answer (connection refused or reset, timeout, bad response)."""


def parse_response_head(head: bytes) -> tuple[int, int | None, bool, bool]:
    """(status, content length, chunked, keep-alive) of an HTTP/1.1 response head."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise HttpError(f"not an HTTP/1.x response: {lines[0][:60]!r}")
    status = int(parts[1])
    length: int | None = None
    chunked = False
    keep_alive = parts[0] == b"HTTP/1.1"
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        value = value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value
        elif name == b"connection":
            keep_alive = value != b"close"
    return status, length, chunked, keep_alive


class LiteHttp:
    """A minimal HTTP/1.1 keep-alive client (asyncio streams, a pool of connections).

    The load generator shares the machine with the system it measures; on this project's
    reference machine (2 cores) httpx spends about 1.3 ms of CPU per request and this client
    under 0.1 ms, so the measuring process takes far less of the CPU the services need.
    `--client httpx` measures with httpx instead."""

    name = "lite"
    IDLE_S = 3.0  # uvicorn closes keep-alive connections idle for 5 s

    def __init__(self, base_url: str, *, max_connections: int, timeout: float = 10.0) -> None:
        hostport = base_url.split("://", 1)[-1].rstrip("/")
        host, _, port = hostport.rpartition(":")
        self._host, self._port, self._hostport = host, int(port), hostport
        self._timeout = timeout
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self._slots = asyncio.Semaphore(max_connections)
        self._open: set[asyncio.StreamWriter] = set()

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: {self._hostport}\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        for name, value in (headers or {}).items():
            head += f"{name}: {value}\r\n"
        payload = head.encode("latin-1") + b"\r\n" + body
        async with self._slots:
            try:
                async with asyncio.timeout(self._timeout):
                    reused = self._take_idle()
                    if reused is not None:
                        try:
                            return await self._exchange(*reused, payload)
                        except (OSError, asyncio.IncompleteReadError):
                            pass  # the server closed an idle connection: once more on a fresh one
                    reader, writer = await asyncio.open_connection(self._host, self._port)
                    self._open.add(writer)
                    return await self._exchange(reader, writer, payload)
            except (
                OSError,
                TimeoutError,
                ValueError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
            ) as exc:
                raise HttpError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc

    def _take_idle(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        now = time.monotonic()
        while self._idle:
            reader, writer, since = self._idle.pop()
            if now - since < self.IDLE_S and not reader.at_eof():
                return reader, writer
            self._close(writer)
        return None

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, payload: bytes
    ) -> tuple[int, bytes]:
        try:
            writer.write(payload)
            status, length, chunked, keep_alive = parse_response_head(await reader.readuntil(b"\r\n\r\n"))
            if chunked:
                data = b""
                while size := int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16):
                    data += (await reader.readexactly(size + 2))[:-2]
                await reader.readuntil(b"\r\n")
            else:
                data = await reader.readexactly(length or 0)
        except BaseException:
            self._close(writer)
            raise
        if keep_alive:
            self._idle.append((reader, writer, time.monotonic()))
        else:
            self._close(writer)
        return status, data

    async def get(self, path: str) -> tuple[int, bytes]:
        return await self.request("GET", path)

    async def post_json(
        self, path: str, payload: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return await self.request("POST", path, body, headers)

    def _close(self, writer: asyncio.StreamWriter) -> None:
        self._open.discard(writer)
        writer.close()

    async def aclose(self) -> None:
        for writer in list(self._open):
            self._close(writer)
        self._idle.clear()


class HttpxHttp:
    """The same interface on one httpx.AsyncClient with keep-alive."""

    name = "httpx"

    def __init__(self, base_url: str, *, max_connections: int, timeout: float = 10.0) -> None:
        import httpx

        self._httpx = httpx
        self._base = base_url.rstrip("/")
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._client = httpx.AsyncClient(limits=limits, timeout=timeout, trust_env=False)

    async def _call(self, method: str, path: str, **kwargs: Any) -> tuple[int, bytes]:
        try:
            response = await self._client.request(method, self._base + path, **kwargs)
        except self._httpx.HTTPError as exc:
            raise HttpError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        return response.status_code, response.content

    async def get(self, path: str) -> tuple[int, bytes]:
        return await self._call("GET", path)

    async def post_json(
        self, path: str, payload: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        return await self._call("POST", path, json=payload, headers=headers)

    async def aclose(self) -> None:
        await self._client.aclose()


HTTP_CLIENTS: dict[str, type[LiteHttp] | type[HttpxHttp]] = {"lite": LiteHttp, "httpx": HttpxHttp}


async def _stats_total(client: LiteHttp | HttpxHttp) -> int:
    status, body = await client.get("/v1/stats")
    if status != 200:
        raise HttpError(f"GET /v1/stats answered {status}")
    return int(json.loads(body)["total"])


async def _drive_closed_loop(
    intake_url: str,
    reporting_url: str,
    seconds: float,
    concurrency: int,
    visible_timeout: float,
    client_name: str = "lite",
) -> dict[str, Any]:
    """`concurrency` submitters back to back for `seconds`, then wait until reporting counts
    every accepted petition."""
    make = HTTP_CLIENTS[client_name]
    intake = make(intake_url, max_connections=concurrency)
    watcher = make(reporting_url, max_connections=1, timeout=5.0)
    try:
        baseline = await _stats_total(watcher)
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
                    status, _ = await intake.post_json(
                        "/v1/petitions",
                        petition_body(n),
                        {"Idempotency-Key": f"bench-e2e-{n}-{uuid.uuid4().hex[:8]}"},
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
        visible_at_end = await _stats_total(watcher) - baseline
        deadline = submit_end + visible_timeout
        last_visible: float | None = None
        total = baseline
        while time.perf_counter() < deadline:
            with contextlib.suppress(HttpError):
                total = await _stats_total(watcher)
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


class ReadModelWatcher:
    """Finds, every `interval`, which of the pending petitions reporting's read model holds:
    one indexed SELECT on its SQLite file (WAL: a reader never blocks the writer) for all of
    them, instead of one HTTP request per petition per interval. Reporting's GET costs a few
    ms of its CPU; polling it every 5 ms for each petition in flight saturates the service
    whose latency is measured (see `--probe http`)."""

    def __init__(self, database: Path, interval: float) -> None:
        from langnghe.reporting.adapters.petition_tables import generation_tables
        from langnghe.reporting.projections.petition_view import PROJECTION

        self.database = database
        self.interval = interval
        self.pending: dict[str, asyncio.Future[float]] = {}
        self.queries = 0
        self._conn: sqlite3.Connection | None = None
        self._projection = PROJECTION
        self._tables = generation_tables
        self._table_name = ""
        self._table_checked = 0.0

    def _table(self, conn: sqlite3.Connection) -> str:
        """The active generation's table, looked up again once a second."""
        now = time.monotonic()
        if not self._table_name or now - self._table_checked > 1.0:
            try:
                row = conn.execute(
                    "SELECT active FROM projection_generations WHERE projection = ?", (self._projection,)
                ).fetchone()
            except sqlite3.Error:
                row = None
            self._table_name = self._tables(int(row[0]) if row and row[0] else 1).petitions.name
            self._table_checked = now
        return self._table_name

    def _found(self, ids: list[str]) -> set[str]:
        if self._conn is None:
            # A plain reader: autocommit, so each SELECT sees the latest commit; it never
            # takes the write lock (the services' engines begin IMMEDIATE, this does not).
            self._conn = sqlite3.connect(self.database, isolation_level=None, timeout=0.05)
        conn = self._conn
        table = self._table(conn)
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(f"SELECT petition_id FROM {table} WHERE petition_id IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        self.queries += 1
        return found

    def wait_for(self, petition_id: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.pending[petition_id] = future
        return future

    async def run(self, until: Callable[[], bool]) -> None:
        while not until():
            if self.pending:
                try:
                    found = self._found(list(self.pending))
                except sqlite3.Error:
                    found = set()  # e.g. locked by a checkpoint: next round
                now = time.perf_counter()
                for petition_id in found:
                    future = self.pending.pop(petition_id)
                    if not future.done():
                        future.set_result(now)
            await asyncio.sleep(self.interval)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


async def _open_loop_latency(
    intake_url: str,
    reporting_url: str,
    rate: float,
    seconds: float,
    poll: float,
    visible_timeout: float,
    client_name: str = "lite",
    reporting_db: Path | None = None,
) -> dict[str, Any]:
    """Submissions at fixed intervals whatever the answers; each one counts as visible when
    reporting's GET /v1/petitions/{id} answers 200. Latency counts from the scheduled send
    time (no coordinated omission).

    With `reporting_db` (probe "db"), the read model is watched every `poll` seconds with
    one query for all petitions in flight and the GET is sent once a petition is there (then
    again every `poll` until 200); without it (probe "http") every petition is polled with GET
    every `poll` seconds from its submission on."""
    count = max(1, int(rate * seconds))
    make = HTTP_CLIENTS[client_name]
    poster = make(intake_url, max_connections=200)
    getter = make(reporting_url, max_connections=200)
    watcher = ReadModelWatcher(reporting_db, poll) if reporting_db is not None else None
    visible: list[float] = []
    in_read_model: list[float] = []
    slowest: list[tuple[float, float, float]] = []  # (visible, offset in the run, submit)
    submits: list[float] = []
    send_lag: list[float] = []
    polls = 0
    done = 0
    errors: Counter[str] = Counter()
    try:
        t0 = time.perf_counter() + 0.2

        async def one(i: int) -> None:
            nonlocal polls, done
            scheduled = t0 + i / rate
            try:
                await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
                send_lag.append(time.perf_counter() - scheduled)
                try:
                    status, body = await poster.post_json(
                        "/v1/petitions",
                        petition_body(1_000_000 + i),
                        {"Idempotency-Key": f"bench-lat-{i}-{uuid.uuid4().hex[:8]}"},
                    )
                except HttpError as exc:
                    errors[f"submit {type(exc.__cause__).__name__}"] += 1
                    return
                if status != 202:
                    errors[f"submit HTTP {status}"] += 1
                    return
                submits.append(time.perf_counter() - scheduled)
                petition_id = json.loads(body)["petition_id"]
                deadline = scheduled + visible_timeout
                if watcher is not None:
                    try:
                        seen = await asyncio.wait_for(
                            watcher.wait_for(petition_id), timeout=max(0.0, deadline - time.perf_counter())
                        )
                    except TimeoutError:
                        watcher.pending.pop(petition_id, None)
                        errors["not in the read model in time"] += 1
                        visible.append(visible_timeout)  # censored: counts in the percentiles
                        return
                    in_read_model.append(seen - scheduled)
                while time.perf_counter() < deadline:
                    polls += 1
                    try:
                        status, _ = await getter.get(f"/v1/petitions/{petition_id}")
                    except HttpError as exc:
                        errors[f"poll {type(exc.__cause__).__name__}"] += 1
                        status = 0
                    if status == 200:
                        visible.append(time.perf_counter() - scheduled)
                        slowest.append((visible[-1], i / rate, submits[-1]))
                        return
                    await asyncio.sleep(poll)
                errors["not visible in time"] += 1
                visible.append(visible_timeout)
            finally:
                done += 1

        started = time.perf_counter()
        tasks = [one(i) for i in range(count)]
        if watcher is not None:
            tasks.append(watcher.run(until=lambda: done >= count))
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + visible_timeout + 30)
        elapsed = time.perf_counter() - started
    finally:
        await poster.aclose()
        await getter.aclose()
        if watcher is not None:
            watcher.close()
    result = {
        "client": client_name,
        "probe": "db" if watcher is not None else "http",
        "rate": rate,
        "seconds": seconds,
        "scheduled": count,
        "visible": summarize_ms(visible),
        "submit": summarize_ms(submits),
        "send_lag": summarize_ms(send_lag),
        "poll_interval_ms": poll * 1000,
        "get_requests": polls,
        "get_requests_per_s": round(polls / elapsed, 1),
        "slowest": [
            {"at_s": round(at, 2), "visible_ms": round(v * 1000, 1), "submit_ms": round(sub * 1000, 1)}
            for v, at, sub in sorted(slowest, reverse=True)[:5]
        ],
        "errors": dict(errors),
        "measured_from": "scheduled send time (open loop, no coordinated omission)",
        "not_visible_counted_as_ms": visible_timeout * 1000,
    }
    if watcher is not None:
        result["in_read_model"] = summarize_ms(in_read_model)
        result["read_model_queries"] = watcher.queries
    return result


def cpu_percent(ticks: float, seconds: float, hz: float) -> float | None:
    """CPU time as a percentage of one core over a wall-clock window (200 = two cores busy)."""
    if seconds <= 0 or hz <= 0:
        return None
    return round(100.0 * ticks / hz / seconds, 1)


def _process_ticks(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime (the process's threads included)


def _machine_ticks() -> tuple[int, int] | None:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


def _children_seconds() -> float:
    """CPU seconds of this process's children that have ended and been waited for."""
    times = os.times()
    return times.children_user + times.children_system


class CpuWindow:
    """CPU used by our processes during a phase, and by the whole machine: what the machine
    spent beyond our processes ("outside") is other load that skews the figures."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = dict(pids)
        self.hz = float(os.sysconf("SC_CLK_TCK")) if hasattr(os, "sysconf") else 100.0
        self.started = time.perf_counter()
        self.before = {name: _process_ticks(pid) for name, pid in self.pids.items()}
        self.machine_before = _machine_ticks()
        self.children_before = _children_seconds()

    def stop(self) -> dict[str, Any]:
        seconds = time.perf_counter() - self.started
        processes: dict[str, float | None] = {}
        for name, pid in self.pids.items():
            start, end = self.before.get(name), _process_ticks(pid)
            processes[name] = (
                None if start is None or end is None else cpu_percent(end - start, seconds, self.hz)
            )
        # Helper processes of this one that ended within the phase (the rebuild's replay
        # helper): the services and nats-server are children too, but still running.
        helpers = _children_seconds() - self.children_before
        if helpers > 0:
            processes["bench helpers"] = round(100.0 * helpers / seconds, 1) if seconds > 0 else None
        out: dict[str, Any] = {"seconds": round(seconds, 2), "processes_pct_of_one_core": processes}
        machine_after = _machine_ticks()
        if self.machine_before and machine_after:
            busy = machine_after[0] - self.machine_before[0]
            total = machine_after[1] - self.machine_before[1]
            cores = os.cpu_count() or 1
            machine = round(100.0 * cores * busy / total, 1) if total else None
            ours = sum(v for v in processes.values() if v is not None)
            out["machine_busy_pct"] = machine
            out["outside_pct"] = None if machine is None else round(max(0.0, machine - ours), 1)
        return out


def read_rss(pid: int) -> dict[str, float]:
    fields: dict[str, float] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = float(rest.split()[0])  # kB (KiB)
    return {
        "vmrss_kib": fields.get("VmRSS", 0.0),
        "vmrss_mib": round(fields.get("VmRSS", 0.0) / 1024, 1),
        "vmhwm_mib": round(fields.get("VmHWM", 0.0) / 1024, 1),
    }


async def measure_rss(urls: dict[str, str], idle: float) -> dict[str, Any]:
    import httpx

    await asyncio.sleep(idle)
    out: dict[str, Any] = {"idle_seconds": idle}
    async with httpx.AsyncClient(timeout=5.0, trust_env=False) as client:
        for name, base in urls.items():
            pid = int((await client.get(f"{base}/healthz")).json()["pid"])
            out[name] = {"pid": pid, **read_rss(pid)}
    return out


# --------------------------------------------------------------------------- environment


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    """Read-only git (`--no-optional-locks`: not even the index's stat cache is refreshed)."""
    try:
        out = subprocess.run(
            ["git", "--no-optional-locks", *args],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def _git_state() -> dict[str, Any]:
    """The commit measured, and whether tracked files differed from it (then the figures are
    of the working tree, not of the commit)."""
    changed = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "git_commit": _git("rev-parse", "--short", "HEAD") or None,
        "git_tracked_files_modified": None if changed is None else len(changed.splitlines()),
    }


def environment(
    nats_version: tuple[int, int, int] | None,
    pg_version: str | None,
    load_at_start: Sequence[float],
    git_state: dict[str, Any],
) -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "nats_server": ".".join(map(str, nats_version)) if nats_version else None,
        "nats_sync_interval": "always",
        "nats_py": _version("nats-py"),
        "sqlalchemy": _version("SQLAlchemy"),
        "aiosqlite": _version("aiosqlite"),
        "asyncpg": _version("asyncpg"),
        "httpx": _version("httpx"),
        "uvicorn": _version("uvicorn"),
        "sqlite": sqlite3.sqlite_version,
        "postgres": pg_version,
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        **git_state,
    }


# --------------------------------------------------------------------------- PostgreSQL


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _pg_admin(admin_url: str, statement: str) -> str | None:
    import asyncpg

    conn = await asyncio.wait_for(asyncpg.connect(_asyncpg_dsn(admin_url)), timeout=5)
    try:
        if statement == "version":
            return str(await conn.fetchval("SHOW server_version"))
        await conn.execute(statement)
        return None
    finally:
        await conn.close()


def _database_url(admin_url: str, name: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


# --------------------------------------------------------------------------- the run


def say(message: str) -> None:
    print(message, flush=True)


def _add_cpu_per_petition(result: dict[str, Any]) -> None:
    """Milliseconds of CPU each process spent per accepted petition during an end-to-end run."""
    accepted, cpu = result["accepted"], result["cpu"]
    if accepted:
        result["cpu_ms_per_petition"] = {
            name: round(pct / 100 * cpu["seconds"] * 1000 / accepted, 2)
            for name, pct in cpu["processes_pct_of_one_core"].items()
            if pct is not None
        }


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.plan = Plan.from_args(args)
        self.raw: dict[str, Any] = {"replay": {}, "replay_after": {}}
        self.ours: dict[str, Any] = {"rebuild": {}}
        self.errors: dict[str, str] = {}
        self.data_dir = Path(tempfile.mkdtemp(prefix="langnghe-bench-"))
        self.nats: Any = None
        self.nats_version: tuple[int, int, int] | None = None
        self.pg_version: str | None = None
        self.launcher: Any = None
        self.corpus: dict[str, Any] | None = None
        self.pids: dict[str, int] = {"bench": os.getpid()}
        self.cpu_by_phase: dict[str, dict[str, Any]] = {}

    def phase(
        self, key: str, label: str, fn: Callable[[], Coroutine[Any, Any, dict[str, Any]]]
    ) -> dict[str, Any] | None:
        say(f"… {label}")
        started = time.perf_counter()
        window = CpuWindow(self.pids)
        try:
            result: dict[str, Any] = asyncio.run(fn())
        except Exception as exc:  # noqa: BLE001 - a failed phase is reported, the others still run
            self.errors[key] = f"{type(exc).__name__}: {exc}"
            say(f"  FAILED after {time.perf_counter() - started:.1f} s: {self.errors[key]}")
            return None
        cpu = window.stop()
        result["cpu"] = cpu
        self.cpu_by_phase[key] = cpu
        shares = ", ".join(
            f"{n} {v:.0f}" for n, v in cpu["processes_pct_of_one_core"].items() if v is not None
        )
        say(
            f"  done in {time.perf_counter() - started:.1f} s; CPU % of one core: {shares}; "
            f"machine {cpu.get('machine_busy_pct')} of {100 * (os.cpu_count() or 1)}, "
            f"outside our processes {cpu.get('outside_pct')}"
        )
        return result

    def run(self) -> int:
        from langnghe.runtime import nats_server
        from langnghe.runtime.speedups.gc_tuning import tune_gc

        # The replays and the rebuild run in this process: with the garbage collector set as
        # in every service (the rebuild runs inside reporting), raw limit and figure alike.
        tune_gc()
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        load_at_start = os.getloadavg()
        git_state = _git_state()
        t0 = time.perf_counter()
        failed = False
        try:
            binary = nats_server.find_binary()
            self.nats_version = nats_server.binary_version(binary)
            store = self.data_dir / "nats"
            self.nats = nats_server.start(
                store,
                port=nats_server.free_port(),
                monitor_port=nats_server.free_port(),
                log_file=self.data_dir / "nats.log",
            )
            self.pids["nats-server"] = self.nats.process.pid
            version = ".".join(map(str, self.nats_version))
            say(f"nats-server {version} on {self.nats.url} (sync_interval: always), data in {self.data_dir}")
            self._provision()
            self._raw_and_store()
            self._replays()
            self._system()
        except KeyboardInterrupt:
            self.errors["interrupted"] = "Ctrl-C"
            failed = True
        except Exception as exc:  # noqa: BLE001 - reported, then cleaned up
            self.errors["run"] = f"{type(exc).__name__}: {exc}"
            failed = True
        finally:
            self._cleanup()
        seconds = time.perf_counter() - t0
        figures = figures_from(self.raw, self.ours)
        result = build_result(
            environment=environment(self.nats_version, self.pg_version, load_at_start, git_state),
            config={
                **dataclasses.asdict(self.plan),
                "quick": self.args.quick,
                "postgres": not self.args.skip_postgres,
            },
            raw=self.raw,
            ours=self.ours,
            figures=figures,
            errors=self.errors,
            started_at=started_at,
            seconds=seconds,
        )
        out = Path(self.args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        say("")
        say(self._report(result, figures))
        say(f"\nJSON: {out}  ({seconds:.0f} s in all)")
        for key, error in self.errors.items():
            say(f"error in {key}: {error}")
        return 1 if failed or self.errors else 0

    # ----------------------------------------------------------------- phases

    def _provision(self) -> None:
        from langnghe.devstack.launcher import provision_nats

        report = asyncio.run(provision_nats(self.nats.url))
        if not report.ok:
            raise RuntimeError(f"provisioning failed: {report.errors}")

    def _raw_publish(self, key: str, again: str) -> None:
        url, seconds = self.nats.url, self.plan.raw_seconds
        result = self.phase(
            f"raw.{key}",
            f"raw{again}: synchronous js.publish from one client, {seconds:g} s",
            lambda: measure_raw_publish(url, seconds),
        )
        if result:
            self.raw[key] = result
            best = f"; the figures use {best_publish(self.raw) or 0:,.0f}/s, the better of the two"
            say(
                f"  {result['msgs_per_s']:,.0f} msgs/s, ack p50 {result['ack']['p50_ms']} ms"
                + (best if again else "")
            )

    def _raw_and_store(self) -> None:
        url, plan = self.nats.url, self.plan
        self._raw_publish("publish", "")
        for batch, key in ((1, "append_single"), (3, "append_batch3")):
            result = self.phase(
                key,
                f"ours: JetStreamEventStore.append, {batch} event(s) per append, {plan.append_seconds:g} s",
                lambda batch=batch: measure_store_append(url, plan.append_seconds, batch),  # type: ignore[misc]
            )
            if result:
                self.ours[key] = result
                say(f"  {result['appends_per_s']:,.0f} appends/s = {result['events_per_s']:,.0f} events/s")

    def _replays(self) -> None:
        url, plan = self.nats.url, self.plan
        self.corpus = self.phase(
            "corpus",
            f"corpus: {plan.corpus_events:,} petition events into PETITIONS (pipelined publish_async)",
            lambda: append_corpus(url, plan.corpus_events),
        )
        if not self.corpus:
            return
        self.raw["corpus"] = self.corpus
        say(f"  {self.corpus['petitions']:,} petitions, {self.corpus['msgs_per_s']:,.0f} msgs/s")
        databases: list[tuple[str, str]] = [
            ("sqlite", f"sqlite+aiosqlite:///{self.data_dir / 'bench-sqlite.db'}")
        ]
        pg_db: str | None = None
        if self.args.skip_postgres:
            self.raw["replay"]["postgres"] = {"skipped": "--skip-postgres"}
            self.ours["rebuild"]["postgres"] = {"skipped": "--skip-postgres"}
        else:
            admin = self.args.postgres_url
            pg_db = f"ln_bench_{uuid.uuid4().hex[:10]}"
            try:
                self.pg_version = asyncio.run(_pg_admin(admin, "version"))
                asyncio.run(_pg_admin(admin, f'CREATE DATABASE "{pg_db}"'))
                databases.append(("postgres", _database_url(admin, pg_db)))
            except Exception as exc:  # noqa: BLE001 - PostgreSQL is optional for the run
                self.errors["postgres"] = f"{type(exc).__name__}: {exc}"
                pg_db = None
        events, petitions = self.corpus["events"], self.corpus["petitions"]

        def raw_replay(key: str, again: str, db: str, db_url: str) -> None:
            result = self.phase(
                f"raw.{key}.{db}",
                f"raw{again}: ordered consumer → executemany ({REPLAY_BATCH}/transaction) on {db}",
                lambda: measure_raw_replay(url, db_url, events),
            )
            if result:
                self.raw[key][db] = result
                best = f"; the rebuild is compared with {best_replay(self.raw, db) or 0:,.0f}/s, the better"
                say(f"  {result['events_per_s']:,.0f} events/s" + (best if again else ""))

        try:
            for db, db_url in databases:
                raw_replay("replay", "", db, db_url)
                result = self.phase(
                    f"rebuild.{db}",
                    f"ours: rebuild() of the reporting projection on {db}",
                    lambda db_url=db_url: measure_rebuild(url, db_url, events, petitions),  # type: ignore[misc]
                )
                if result:
                    self.ours["rebuild"][db] = result
                    seconds = result["seconds"]
                    say(f"  {result['events_per_s']:,.0f} events/s ({seconds} s)")
                raw_replay("replay_after", ", again", db, db_url)
        finally:
            if pg_db is not None:
                with contextlib.suppress(Exception):
                    asyncio.run(
                        _pg_admin(self.args.postgres_url, f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)')
                    )

    def _reset_streams(self) -> None:
        """An empty event store for the system run: the corpus and scratch streams go."""
        from langnghe.contracts.subjects import PETITIONS_STREAM
        from langnghe.devstack.launcher import provision_nats

        async def drop() -> None:
            nc = await _connect(self.nats.url)
            try:
                js = nc.jetstream(timeout=10)
                for name in (PETITIONS_STREAM, RAW_STREAM, STORE_STREAM):
                    with contextlib.suppress(Exception):
                        await js.delete_stream(name)
            finally:
                await nc.close()

        asyncio.run(drop())
        report = asyncio.run(provision_nats(self.nats.url))
        if not report.ok:
            raise RuntimeError(f"provisioning failed: {report.errors}")

    def _system(self) -> None:
        from langnghe.devstack.launcher import SERVICES, Launcher, StackConfig
        from langnghe.runtime.nats_server import free_port

        self._reset_streams()
        cfg = StackConfig(
            data_dir=self.data_dir / "stack",
            nats_port=self.nats.port,
            nats_monitor_port=free_port(),
            http_ports={name: free_port() for name in SERVICES},
        )
        cfg.logs_dir.mkdir(parents=True, exist_ok=True)
        self.launcher = launcher = Launcher(cfg)
        launcher.services = [launcher._service(name, self.nats.url) for name in SERVICES]
        say("… starting intake, tracking, notify, reporting (separate processes, SQLite)")
        for service in launcher.services:
            service.start()
        if launcher._wait_ready() is not None:
            self.errors["services"] = f"the services did not become ready; logs in {cfg.logs_dir}"
            return
        urls = {name: cfg.base_url(name) for name in SERVICES}
        for service in launcher.services:
            if service.process is not None:
                self.pids[service.name] = service.process.pid
        plan = self.plan
        concurrency = plan.concurrency or self._find_knee(urls)
        if concurrency is None:
            self.errors["e2e"] = "no end-to-end probe measured a rate"
            return
        result = self.phase(
            "e2e",
            f"ours: end to end, {concurrency} concurrent submits ({plan.client} client) for "
            f"{plan.e2e_seconds:g} s, until all are visible in reporting",
            lambda: _drive_closed_loop(
                urls["intake"],
                urls["reporting"],
                plan.e2e_seconds,
                concurrency,
                E2E_VISIBLE_TIMEOUT_S,
                plan.client,
            ),
        )
        if result:
            self.ours["e2e"] = result
            _add_cpu_per_petition(result)
            if result.get("error"):
                self.errors["e2e"] = result["error"]
            say(
                f"  {result['accepted']:,} accepted ({result['submit_per_s']:,.0f}/s while submitting), "
                f"{result['petitions_per_s'] or 0:,.0f} petitions/s submit→visible, "
                f"errors {result['errors'] or 'none'}"
            )
        result = self.phase(
            "latency",
            f"ours: latency submit→visible at {plan.latency_rate:g}/s open loop for "
            f"{plan.latency_seconds:g} s (probe {plan.probe}, every {plan.poll_interval * 1000:g} ms)",
            lambda: _open_loop_latency(
                urls["intake"],
                urls["reporting"],
                plan.latency_rate,
                plan.latency_seconds,
                plan.poll_interval,
                plan.visible_timeout,
                plan.client,
                cfg.data_dir / "reporting.db" if plan.probe == "db" else None,
            ),
        )
        if result:
            self.ours["latency"] = result
            v = result["visible"]
            say(
                f"  p50 {v['p50_ms']} ms, p95 {v['p95_ms']} ms, p99 {v['p99_ms']} ms, "
                f"{result['get_requests_per_s']} GET/s, errors {result['errors'] or 'none'}"
            )
        result = self.phase(
            "rss",
            f"ours: RSS of each service after {plan.idle_seconds:g} s idle",
            lambda: measure_rss(urls, plan.idle_seconds),
        )
        if result:
            if self.nats is not None:
                with contextlib.suppress(OSError):
                    result["nats-server"] = {"pid": self.nats.process.pid, **read_rss(self.nats.process.pid)}
            self.ours["rss"] = result
            say("  " + ", ".join(f"{n} {result[n]['vmrss_mib']} MiB" for n in SERVICES))
        self._raw_publish("publish_after", ", again (the services idle)")

    def _find_knee(self, urls: dict[str, str]) -> int | None:
        """Short closed-loop probes at more and more submissions in flight, until the rate
        stops growing; the knee of what they measured."""
        plan = self.plan
        probes: list[tuple[int, float | None]] = []
        kept: list[dict[str, Any]] = []
        for concurrency in CONCURRENCY_STEPS:
            result = self.phase(
                f"e2e_probe_{concurrency}",
                f"ours: end-to-end probe, {concurrency} in flight for {plan.probe_seconds:g} s",
                lambda c=concurrency: _drive_closed_loop(  # type: ignore[misc]
                    urls["intake"],
                    urls["reporting"],
                    plan.probe_seconds,
                    c,
                    E2E_VISIBLE_TIMEOUT_S,
                    plan.client,
                ),
            )
            rate = result.get("petitions_per_s") if result and not result["errors"] else None
            probes.append((concurrency, rate))
            if result:
                _add_cpu_per_petition(result)
                kept.append(result)
                submit = result["submit"]
                say(
                    f"  {rate or 0:,.0f} petitions/s submit→visible, submit p50 {submit['p50_ms']} ms "
                    f"p99 {submit['p99_ms']} ms, errors {result['errors'] or 'none'}"
                )
            if saturated([r for _, r in probes]):
                break
        chosen = knee(probes)
        self.ours["e2e_probes"] = {"probes": kept, "chosen": chosen, "knee_share": KNEE_SHARE}
        if chosen is not None:
            say(f"  the knee: {chosen} in flight (the fewest reaching {KNEE_SHARE:.0%} of the best probe)")
        return chosen

    def _cleanup(self) -> None:
        if self.launcher is not None:
            with contextlib.suppress(Exception):
                self.launcher._stop_services()
        if self.nats is not None:
            self.nats.stop()
        if self.args.keep or self.errors:
            say(f"data and logs kept in {self.data_dir}")
        else:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def _report(self, result: dict[str, Any], figures: Sequence[Figure]) -> str:
        env = result["environment"]
        lines = [
            f"Lắng Nghe bench — {env['cpu_count']} CPU, Python {env['python']}, nats-server "
            f"{env['nats_server']} (sync_interval: always), SQLite {env['sqlite']}, "
            f"PostgreSQL {env['postgres'] or '—'}",
            "",
            render_table(figures),
        ]
        summary = result["summary"]
        lines += [
            "",
            f"{summary['pass']} PASS, {summary['miss']} MISS, {summary['not_measured']} not measured",
        ]
        outside = outside_load(self.cpu_by_phase)
        if outside:
            phase, pct = outside
            lines.append(
                f"WARNING: other processes on this machine used up to {pct:.0f} % of one core "
                f"(during {phase}); the figures are skewed by that load."
            )
        return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="langnghe bench",
        description="Benchmark the embedded system (local nats-server with sync_interval: always, the four "
        "services as separate processes on SQLite; rebuild also on PostgreSQL) against raw limits.",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=60.0,
        help="seconds of end-to-end load, and of the latency run (default 60)",
    )
    parser.add_argument(
        "--rate", type=float, default=50.0, help="submissions/s of the latency run (default 50)"
    )
    parser.add_argument(
        "--out", default="bench-results/latest.json", help="JSON output (default bench-results/latest.json)"
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (about 5 s per phase)")
    parser.add_argument("--skip-postgres", action="store_true", help="no PostgreSQL replay/rebuild")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("LN_BENCH_POSTGRES_URL", DEFAULT_PG_ADMIN_URL),
        help="server URL to create a scratch database on (default $LN_BENCH_POSTGRES_URL, else "
        f"{DEFAULT_PG_ADMIN_URL})",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="submissions in flight during the end-to-end run (default: probe "
        f"{', '.join(map(str, CONCURRENCY_STEPS))} for the knee of the rate, then sustain it there)",
    )
    parser.add_argument(
        "--events", type=int, default=20_000, help="events replayed and rebuilt (default 20000)"
    )
    parser.add_argument(
        "--client",
        choices=sorted(HTTP_CLIENTS),
        default="lite",
        help="HTTP client of the load generator: lite (minimal keep-alive HTTP/1.1, little CPU; "
        "default) or httpx (one httpx.AsyncClient; about 1.3 ms of CPU per request on 2 cores)",
    )
    parser.add_argument(
        "--probe",
        choices=("db", "http"),
        default="db",
        help="how the latency run finds that a petition is visible: db (default) watches "
        "reporting's read model every 5 ms with one query for all petitions in flight, then "
        "confirms each with one GET; http polls GET /v1/petitions/{id} every 5 ms per petition "
        "(which loads reporting itself: a GET costs it a few ms of CPU)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir and logs")
    return parser


def main_bench(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.duration <= 0 or args.rate <= 0 or (args.concurrency or 1) < 1 or args.events < 100:
        say("langnghe bench: --duration and --rate must be > 0, --concurrency ≥ 1, --events ≥ 100")
        return 2
    return Bench(args).run()


if __name__ == "__main__":
    raise SystemExit(main_bench(sys.argv[1:]))
