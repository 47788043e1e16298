"""The consumer runner's contract, on a real nats-server and on SQLite and PostgreSQL:
idempotent redelivery, crash between commit and ack, poison parking and re-drive, transient
failures, per-aggregate order."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import sqlalchemy.exc
from nats.aio.client import Client as NatsClient
from sqlalchemy import BigInteger, Column, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from langnghe.contracts.consumers import ConsumerSpec
from langnghe.contracts.envelope import EventMeta, event_id_for
from langnghe.contracts.events.petition import Channel, PetitionReceived
from langnghe.contracts.subjects import PETITIONS_STREAM, petition_subject
from langnghe.runtime import checkpoints as ck
from langnghe.runtime.consumer import ConsumerRunner
from langnghe.runtime.database import create_engine, session_factory
from langnghe.runtime.eventstore import JetStreamEventStore, NewEvent, RecordedEvent
from langnghe.runtime.provisioning import align_to_checkpoint, consumer_config
from langnghe.runtime.tables import runtime_metadata

test_metadata = MetaData()
applied_events = Table(
    "applied_events",
    test_metadata,
    Column("stream_seq", BigInteger, primary_key=True),
    Column("aggregate_id", String(64), nullable=False),
    Column("event_id", String(64), nullable=False),
)


@dataclass
class RecordingHandler:
    """Writes one row per event with executemany; fails on demand."""

    poison: set[str] = field(default_factory=set)
    transient_failures: int = 0
    calls: int = 0

    async def apply(self, session: AsyncSession, events: Sequence[RecordedEvent]) -> None:
        self.calls += 1
        if self.transient_failures > 0:
            self.transient_failures -= 1
            raise sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("database is locked"))
        for e in events:
            if str(e.event_id) in self.poison:
                raise ValueError(f"cannot apply {e.event_id}")
        await session.execute(
            insert(applied_events),
            [
                {
                    "stream_seq": e.stream_seq,
                    "aggregate_id": e.envelope.meta.aggregate_id,
                    "event_id": str(e.event_id),
                }
                for e in events
            ],
        )


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(db_url)
    async with eng.begin() as conn:
        await conn.run_sync(runtime_metadata.create_all)
        await conn.run_sync(test_metadata.create_all)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


async def make_spec(nc: NatsClient, province: str, **overrides: object) -> ConsumerSpec:
    spec = ConsumerSpec(
        durable=f"test-{uuid.uuid4().hex[:10]}",
        stream=PETITIONS_STREAM,
        filter_subjects=(f"petitions.events.{province}.>",),
        **overrides,  # type: ignore[arg-type]
    )
    await nc.jetstream().add_consumer(PETITIONS_STREAM, consumer_config(spec))
    return spec


async def append(store: JetStreamEventStore, province: str, aggregate: str, n: int) -> list[str]:
    """Append one event to the aggregate; returns its event id."""
    meta = EventMeta(
        event_id=event_id_for(f"{province}:{aggregate}:{n}"),
        aggregate_type="petition",
        aggregate_id=aggregate,
        occurred_at=datetime.now(UTC),
        schema_version=1,
        correlation_id="test",
    )
    event = PetitionReceived(
        code=f"KN-{n}", province_code="01", channel=Channel.ONLINE, content=f"nội dung số {n}"
    )
    subject = petition_subject(province, aggregate)
    last, _ = await store.last_seq_of(subject)
    await store.append(subject, [NewEvent(meta, event)], expected_last_seq=last)
    return [str(meta.event_id)]


_pulls: dict[str, object] = {}


async def fetch(nc: NatsClient, spec: ConsumerSpec, n: int = 100, timeout: float = 2.0) -> list:
    """One pull subscription per consumer and connection, as a service holds it: a pull
    request left behind by a closed subscription would swallow messages until ack_wait."""
    key = spec.durable
    if key not in _pulls:
        _pulls[key] = await nc.jetstream().pull_subscribe_bind(spec.durable, stream=spec.stream)
    return await _pulls[key].fetch(n, timeout=timeout)  # type: ignore[attr-defined]


async def applied(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[int, str]]:
    async with sessions() as s:
        rows = await s.execute(
            select(applied_events.c.stream_seq, applied_events.c.aggregate_id).order_by("stream_seq")
        )
        return [(int(r[0]), r[1]) for r in rows]


async def test_batch_is_applied_once_and_checkpointed(nc, province, sessions) -> None:
    store = JetStreamEventStore(nc)
    for i in range(9):
        await append(store, province, f"agg{i % 3}", i)
    spec = await make_spec(nc, province)
    runner = ConsumerRunner(spec, RecordingHandler(), sessions)
    msgs = await fetch(nc, spec)
    assert len(msgs) == 9
    await runner.handle_batch(msgs)
    rows = await applied(sessions)
    assert [seq for seq, _ in rows] == [m.metadata.sequence.stream for m in msgs]
    async with sessions() as s:
        assert await ck.read_checkpoint(s, spec.durable) == msgs[-1].metadata.sequence.stream
    info = await nc.jetstream().consumer_info(spec.stream, spec.durable)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


@dataclass
class ChoosyHandler(RecordingHandler):
    """Acts on one event type only, and says so."""

    event_types: frozenset[str] = frozenset({"petition.answered"})


async def test_events_a_handler_does_not_act_on_are_checkpointed_undecoded(nc, province, sessions) -> None:
    store = JetStreamEventStore(nc)
    for i in range(4):
        await append(store, province, f"agg{i}", i)  # petition.received: not wanted
    # A body that would be refused if it were decoded: skipping must not parse it.
    await nc.jetstream().publish(
        petition_subject(province, "garbled"), b"not json", headers={"Ln-Event-Type": "petition.received"}
    )
    spec = await make_spec(nc, province)
    handler = ChoosyHandler()
    runner = ConsumerRunner(spec, handler, sessions)
    msgs = await fetch(nc, spec)
    assert len(msgs) == 5
    await runner.handle_batch(msgs)
    assert (await applied(sessions), handler.calls) == ([], 0)
    async with sessions() as s:
        assert await ck.read_checkpoint(s, spec.durable) == msgs[-1].metadata.sequence.stream
        assert await ck.list_parked(s, spec.durable) == []
    info = await nc.jetstream().consumer_info(spec.stream, spec.durable)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


async def test_a_shared_consumer_needs_no_database_for_events_it_does_not_act_on(
    nc, province, sessions
) -> None:
    store = JetStreamEventStore(nc)
    for i in range(3):
        await append(store, province, f"agg{i}", i)
    spec = await make_spec(nc, province, ordered=False)
    handler = ChoosyHandler()
    runner = ConsumerRunner(spec, handler, sessions)
    msgs = await fetch(nc, spec)
    await runner.handle_batch(msgs)
    assert (handler.calls, runner.stats.applied) == (0, 3)
    async with sessions() as s:
        seqs = [m.metadata.sequence.stream for m in msgs]
        assert await ck.already_processed(s, spec.durable, seqs) == set()
    info = await nc.jetstream().consumer_info(spec.stream, spec.durable)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


async def test_redelivered_batch_is_skipped(nc, province, sessions) -> None:
    store = JetStreamEventStore(nc)
    for i in range(5):
        await append(store, province, "a", i)
    spec = await make_spec(nc, province)
    runner = ConsumerRunner(spec, RecordingHandler(), sessions)
    msgs = await fetch(nc, spec)
    await runner.handle_batch(msgs)
    await runner.handle_batch(msgs)  # the same messages again, as a redelivery would bring them
    assert len(await applied(sessions)) == 5
    assert runner.stats.skipped == 5


async def test_crash_between_commit_and_ack_loses_and_duplicates_nothing(
    nc, province, sessions, monkeypatch
) -> None:
    store = JetStreamEventStore(nc)
    for i in range(4):
        await append(store, province, f"p{i}", i)
    spec = await make_spec(nc, province, ack_wait_s=1.0, backoff_s=(1.0,))
    crashing = ConsumerRunner(spec, RecordingHandler(), sessions)

    async def no_ack(_items: object) -> None:  # the process dies right after the commit
        return None

    monkeypatch.setattr(crashing, "_ack", no_ack)
    first = await fetch(nc, spec)
    await crashing.handle_batch(first)
    assert len(await applied(sessions)) == 4

    await asyncio.sleep(1.5)  # ack wait expires: the server redelivers
    again = await fetch(nc, spec, timeout=3.0)
    assert [m.metadata.sequence.stream for m in again] == [m.metadata.sequence.stream for m in first]
    assert all(m.metadata.num_delivered == 2 for m in again)
    restarted = ConsumerRunner(spec, RecordingHandler(), sessions)
    await restarted.handle_batch(again)
    assert len(await applied(sessions)) == 4
    info = await nc.jetstream().consumer_info(spec.stream, spec.durable)
    assert info.num_ack_pending == 0


async def test_poison_event_parks_its_aggregate_and_later_events_then_redrive(nc, province, sessions) -> None:
    store = JetStreamEventStore(nc)
    ids = {}
    for name, n in [("A", 1), ("B", 1), ("A", 2), ("B", 2), ("A", 3), ("C", 1)]:
        ids[f"{name}{n}"] = (await append(store, province, name, n))[0]
    spec = await make_spec(nc, province)
    handler = RecordingHandler(poison={ids["A2"]})
    runner = ConsumerRunner(spec, handler, sessions, backoff=(0.01,))
    await runner.handle_batch(await fetch(nc, spec))

    assert [agg for _, agg in await applied(sessions)] == ["A", "B", "B", "C"]
    async with sessions() as s:
        parked = await ck.list_parked(s, spec.durable)
        messages = await ck.parked_messages_of(s, spec.durable, "A")
    assert [(p["aggregate_id"], p["messages"]) for p in parked] == [("A", 2)]
    assert "cannot apply" in parked[0]["reason"]
    assert [m["stream_seq"] for m in messages] == sorted(m["stream_seq"] for m in messages)
    info = await nc.jetstream().consumer_info(spec.stream, spec.durable)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)  # the stream flows on

    # A later event of the parked aggregate is parked too, never applied out of order.
    await append(store, province, "A", 4)
    await runner.handle_batch(await fetch(nc, spec))
    assert [agg for _, agg in await applied(sessions)] == ["A", "B", "B", "C"]

    still = await runner.redrive("A")
    assert still["status"] == "still_failing"
    handler.poison.clear()  # the operator fixed the cause
    done = await runner.redrive("A")
    assert done == {"aggregate_id": "A", "status": "redriven", "applied": 3}
    rows = await applied(sessions)
    assert [agg for _, agg in rows].count("A") == 4
    a_seqs = [seq for seq, agg in rows if agg == "A"]
    assert a_seqs == sorted(a_seqs)
    async with sessions() as s:
        assert await ck.list_parked(s, spec.durable) == []


async def test_transient_failure_is_retried_and_never_parked(nc, province, sessions) -> None:
    store = JetStreamEventStore(nc)
    for i in range(3):
        await append(store, province, "x", i)
    spec = await make_spec(nc, province)
    runner = ConsumerRunner(spec, RecordingHandler(transient_failures=2), sessions, backoff=(0.01,))
    await runner.handle_batch(await fetch(nc, spec))
    assert len(await applied(sessions)) == 3
    assert runner.stats.transient_retries == 2
    assert runner.stats.parked == 0


async def test_stopping_during_transient_failure_naks_for_prompt_redelivery(nc, province, sessions) -> None:
    store = JetStreamEventStore(nc)
    await append(store, province, "y", 1)
    spec = await make_spec(nc, province, ack_wait_s=30.0)
    runner = ConsumerRunner(spec, RecordingHandler(transient_failures=1000), sessions, backoff=(0.01,))
    runner.stopping = True
    await runner.handle_batch(await fetch(nc, spec))
    again = await fetch(nc, spec, timeout=2.0)  # long before ack_wait: the nak made it available
    assert len(again) == 1 and again[0].metadata.num_delivered == 2
    assert await applied(sessions) == []


async def test_undecodable_message_is_parked_not_skipped(nc, province, sessions) -> None:
    store = JetStreamEventStore(nc)
    await append(store, province, "ok", 1)
    await nc.jetstream().publish(petition_subject(province, "bad"), b"{not json")
    await append(store, province, "ok2", 1)
    spec = await make_spec(nc, province)
    runner = ConsumerRunner(spec, RecordingHandler(), sessions)
    await runner.handle_batch(await fetch(nc, spec))
    assert [agg for _, agg in await applied(sessions)] == ["ok", "ok2"]
    async with sessions() as s:
        parked = await ck.list_parked(s, spec.durable)
    assert [p["aggregate_id"] for p in parked] == ["bad"]
    assert "not an event envelope" in parked[0]["reason"]


async def test_a_known_event_from_a_future_version_is_parked_not_applied(nc, province, sessions) -> None:
    store = JetStreamEventStore(nc)
    await append(store, province, "fut", 1)
    loaded = await store.load(petition_subject(province, "fut"))
    forged = json.loads(loaded.events[0].envelope.meta.model_dump_json())
    forged.update(
        event_id=str(uuid.uuid4()),
        schema_version=99,
        type="petition.assigned",
        data={"agency_code": "GIA-MAO", "promised_date": "2026-04-01"},
    )
    await nc.jetstream().publish(
        petition_subject(province, "fut"),
        json.dumps(forged).encode(),
        headers={"Ln-Event-Type": "petition.assigned", "Ln-Schema": "99"},
    )
    await append(store, province, "other", 1)
    spec = await make_spec(nc, province)
    runner = ConsumerRunner(spec, RecordingHandler(), sessions)
    await runner.handle_batch(await fetch(nc, spec))
    assert [agg for _, agg in await applied(sessions)] == ["fut", "other"]
    async with sessions() as s:
        parked = await ck.list_parked(s, spec.durable)
    assert [p["aggregate_id"] for p in parked] == ["fut"]
    assert "petition.assigned v99 is newer than this reader knows" in parked[0]["reason"]


async def test_message_that_keeps_killing_the_consumer_is_parked(nc, province, sessions) -> None:
    store = JetStreamEventStore(nc)
    await append(store, province, "killer", 1)
    spec = await make_spec(nc, province, ack_wait_s=1.0, backoff_s=(1.0,), max_deliver=3)
    first = await fetch(nc, spec)  # delivered, then the process dies before any commit
    assert first[0].metadata.num_delivered == 1
    await asyncio.sleep(1.5)
    second = await fetch(nc, spec, timeout=3.0)
    assert second[0].metadata.num_delivered == 2
    handler = RecordingHandler()
    await ConsumerRunner(spec, handler, sessions).handle_batch(second)
    assert handler.calls == 0
    async with sessions() as s:
        parked = await ck.list_parked(s, spec.durable)
    assert parked[0]["aggregate_id"] == "killer"
    assert "delivered 2 times" in parked[0]["reason"]


async def test_order_per_aggregate_is_preserved_across_batches(nc, province, sessions) -> None:
    store = JetStreamEventStore(nc)
    for i in range(120):
        await append(store, province, f"agg{i % 7}", i)
    spec = await make_spec(nc, province, batch_size=25)
    runner = ConsumerRunner(spec, RecordingHandler(), sessions)
    while True:
        try:
            msgs = await fetch(nc, spec, n=25, timeout=0.5)
        except TimeoutError:
            break
        await runner.handle_batch(msgs)
    rows = await applied(sessions)
    assert len(rows) == 120
    for agg in {a for _, a in rows}:
        seqs = [s for s, a in rows if a == agg]
        assert seqs == sorted(seqs)


async def test_shared_consumer_dedupes_by_sequence(nc, province, sessions) -> None:
    store = JetStreamEventStore(nc)
    for i in range(3):
        await append(store, province, "s", i)
    spec = await make_spec(nc, province, ordered=False)
    runner = ConsumerRunner(spec, RecordingHandler(), sessions)
    msgs = await fetch(nc, spec)
    await runner.handle_batch(msgs[1:])  # another replica took the first message
    await runner.handle_batch(msgs)
    assert len(await applied(sessions)) == 3
    async with sessions() as s:
        count = (
            await s.execute(select(func.count()).select_from(runtime_metadata.tables["processed_messages"]))
        ).scalar()
    assert count == 3


class ProcessDied(BaseException):
    """Stands for the process being killed mid-batch: nothing catches it, nothing is acked."""


async def test_event_that_keeps_killing_the_process_is_parked_after_restarts(nc, province, sessions) -> None:
    store = JetStreamEventStore(nc)
    await append(store, province, "before", 1)
    killer = (await append(store, province, "killer", 1))[0]
    await append(store, province, "after", 1)
    spec = await make_spec(nc, province)

    @dataclass
    class Killing(RecordingHandler):
        async def apply(self, session: AsyncSession, events: Sequence[RecordedEvent]) -> None:
            if any(str(e.event_id) == killer for e in events):
                raise ProcessDied
            await super().apply(session, events)

    restarts = 0
    for _ in range(8):
        # A new process: it realigns the durable to its checkpoint, as ServiceRuntime does.
        _pulls.pop(spec.durable, None)
        async with sessions() as s:
            checkpoint = await ck.read_checkpoint(s, spec.durable)
        alignment = await align_to_checkpoint(nc.jetstream(), spec, checkpoint)
        runner = ConsumerRunner(spec, Killing(), sessions, stream_reader=store)
        runner.suspect_until = alignment.in_flight_until
        try:
            await runner.handle_batch(await fetch(nc, spec))
            break
        except ProcessDied:
            restarts += 1
    assert restarts == 1 + runner.crash_limit  # the first death, then one per counted attempt
    assert [agg for _, agg in await applied(sessions)] == ["before", "after"]
    async with sessions() as s:
        parked = await ck.list_parked(s, spec.durable)
    assert [p["aggregate_id"] for p in parked] == ["killer"]
    assert "stopped 3 times" in parked[0]["reason"]
