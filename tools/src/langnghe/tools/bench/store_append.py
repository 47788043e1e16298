"""Ours next to the raw publish: `JetStreamEventStore.append` on a scratch stream configured
like the event store."""

from __future__ import annotations

import contextlib
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from langnghe.tools.bench.percentiles import summarize_ms
from langnghe.tools.bench.raw_limits import STORE_STREAM, STORE_SUBJECTS, connect, scratch_stream
from langnghe.tools.bench.sample import petition_events


async def measure_store_append(url: str, seconds: float, batch: int) -> dict[str, Any]:
    """JetStreamEventStore.append on a stream configured like the event store: each append is
    a new aggregate (expected last sequence 0), `batch` events atomically."""
    from langnghe.runtime.eventstore import JetStreamEventStore

    kinds = ["received", "assigned", "answered"][:batch]
    nc = await connect(url)
    try:
        js = nc.jetstream(timeout=5)
        with contextlib.suppress(Exception):
            await js.add_stream(scratch_stream(STORE_STREAM, STORE_SUBJECTS))
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
