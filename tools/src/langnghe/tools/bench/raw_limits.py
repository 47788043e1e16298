"""The raw limits the figures are compared with, measured on nats-server and the databases
directly (no service in the way): synchronous publishes from one client, and an ordered
consumer replaying the stream into a plain table. Also the corpus those replays read."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from langnghe.tools.bench.percentiles import summarize_ms
from langnghe.tools.bench.sample import corpus_plan, petition_events

RAW_STREAM = "BENCH_RAW"
RAW_SUBJECTS = "benchraw.events"
STORE_STREAM = "BENCH_STORE"
STORE_SUBJECTS = "benchstore.events"
REPLAY_BATCH = 1000


def scratch_stream(name: str, prefix: str) -> Any:
    """A stream configured like the event store (file storage, same limits), other subjects."""
    from langnghe.contracts.subjects import PETITIONS_STREAM
    from langnghe.runtime.provisioning import stream_configs

    base = next(c for c in stream_configs(1) if c.name == PETITIONS_STREAM)
    return dataclasses.replace(base, name=name, subjects=[f"{prefix}.>"], description="langnghe bench")


async def connect(url: str) -> Any:
    import nats

    return await nats.connect(url, name="langnghe-bench", connect_timeout=5, allow_reconnect=False)


async def measure_raw_publish(url: str, seconds: float) -> dict[str, Any]:
    """One client, synchronous publishes (each awaits its ack), a fresh subject each."""
    from langnghe.contracts.codec import REGISTRY

    nc = await connect(url)
    try:
        js = nc.jetstream(timeout=5)
        await js.add_stream(scratch_stream(RAW_STREAM, RAW_SUBJECTS))
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
    nc = await connect(url)
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
    nc = await connect(url)
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
