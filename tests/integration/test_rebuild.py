"""Rebuilding the reporting projection into fresh tables while the live consumer keeps
applying, then switching: the result counts every event exactly once."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from nats.aio.client import Client as NatsClient
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

import langnghe.reporting
from langnghe.contracts.consumers import ConsumerSpec
from langnghe.contracts.envelope import EventMeta, event_id_for
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import Channel, PetitionAnswered, PetitionAssigned, PetitionReceived
from langnghe.contracts.subjects import PETITIONS_STREAM, petition_subject
from langnghe.reporting.adapters.petition_tables import generation_tables
from langnghe.reporting.domain.petition_figures import figures
from langnghe.reporting.projections.petition_row_storage import from_db
from langnghe.reporting.projections.petition_view import PetitionView
from langnghe.runtime.consumer import ConsumerRunner
from langnghe.runtime.database import create_engine, session_factory
from langnghe.runtime.eventstore import JetStreamEventStore, NewEvent
from langnghe.runtime.migrations import upgrade
from langnghe.runtime.provisioning import consumer_config
from langnghe.runtime.rebuild import rebuild
from langnghe.runtime.speedups.replay_process import ReplayFailed

MIGRATIONS = Path(langnghe.reporting.__file__).parent / "migrations"


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(db_url)
    await upgrade(eng, MIGRATIONS)
    await PetitionView().create_generation(eng, 1)
    yield eng
    await eng.dispose()


async def write_petition(store: JetStreamEventStore, province: str, n: int) -> int:
    """Received, and for some assigned and answered: returns how many events were written."""
    pid = f"{province}p{n}"
    events: list[DomainEvent] = [
        PetitionReceived(
            code=f"KN-{province}-{n}",
            province_code="01",
            channel=Channel.VOTER_MEETING,
            content=f"Ý kiến cử tri số {n}",
        )
    ]
    if n % 2 == 0:
        events.append(
            PetitionAssigned(agency_code="UBND-XA", promised_date=date.today() + timedelta(days=10))
        )
    if n % 4 == 0:
        events.append(
            PetitionAnswered(answer_text="Đã trả lời bằng văn bản.", answering_agency_code="UBND-XA")
        )
    new = [
        NewEvent(
            EventMeta(
                event_id=event_id_for(f"{pid}:{i}"),
                aggregate_type="petition",
                aggregate_id=pid,
                occurred_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n),
                schema_version=1,
                correlation_id="rebuild-test",
            ),
            e,
        )
        for i, e in enumerate(events)
    ]
    await store.append(petition_subject(province, pid), new, expected_last_seq=0)
    return len(events)


async def drain(nc: NatsClient, spec: ConsumerSpec, runner: ConsumerRunner, pull: object) -> None:
    while True:
        try:
            msgs = await pull.fetch(spec.batch_size, timeout=0.2)  # type: ignore[attr-defined]
        except TimeoutError:
            return
        await runner.handle_batch(msgs)


@pytest.mark.parametrize("helper", [False, True], ids=["received-here", "helper-process"])
async def test_rebuild_while_live_consumer_applies_then_switch(
    nc: NatsClient, provisioned: str, province: str, engine: AsyncEngine, helper: bool
) -> None:
    store = JetStreamEventStore(nc)
    spec = ConsumerSpec(
        durable=f"rebuild-{uuid.uuid4().hex[:8]}",
        stream=PETITIONS_STREAM,
        filter_subjects=(f"petitions.events.{province}.>",),
        batch_size=50,
    )
    await nc.jetstream().add_consumer(PETITIONS_STREAM, consumer_config(spec))
    sessions = session_factory(engine)
    view = PetitionView()
    live = ConsumerRunner(spec, view, sessions)
    pull = await nc.jetstream().pull_subscribe_bind(spec.durable, stream=spec.stream)

    written = 0
    for n in range(40):
        written += await write_petition(store, province, n)
    await drain(nc, spec, live, pull)

    async def more_while_rebuilding() -> int:
        count = 0
        for n in range(40, 60):
            count += await write_petition(store, province, n)
            await drain(nc, spec, live, pull)
        return count

    report, extra = await asyncio.gather(
        rebuild(
            nc.jetstream(),
            engine,
            sessions,
            view,
            spec,
            batch_size=25,
            servers=[provisioned] if helper else None,
        ),
        more_while_rebuilding(),
    )
    written += extra
    await drain(nc, spec, live, pull)  # whatever arrived after the switch goes to the new tables

    assert report.generation == 2
    async with sessions() as s:
        assert await view.active_generation(s) == 2
        stats = await view.stats(s)
        g2 = generation_tables(2)
        rows = (await s.execute(select(func.count()).select_from(g2.petitions))).scalar()
    assert rows == 60
    assert stats["total"] == 60
    assert stats["by_status"] == {"received": 30, "assigned": 15, "answered": 15}
    assert sum(stats["events_applied"].values()) == written  # exactly once, across the switch
    # The rebuild kept the counters in memory and wrote them once: they equal the rows.
    async with sessions() as s:
        kept = {(r.province_code, r.figure): r.count for r in await s.execute(select(g2.figures)) if r.count}
        recounted: Counter[tuple[str, str]] = Counter()
        for r in (await s.execute(select(g2.petitions))).mappings():
            for figure, n in figures(from_db(r)).items():
                recounted[(r["province_code"], figure)] += n
    assert kept == dict(recounted)

    # The old generation was left intact for rollback, frozen at the switch.
    async with sessions() as s:
        g1_rows = (await s.execute(select(func.count()).select_from(generation_tables(1).petitions))).scalar()
    assert 40 <= g1_rows <= 60


async def test_rebuilt_generation_gets_its_indexes_after_the_rows(
    nc: NatsClient, province: str, engine: AsyncEngine
) -> None:
    """The rebuild fills the new tables without secondary indexes, then builds them before the
    switch: readers of the new generation find the same indexes, and codes stay unique."""
    store = JetStreamEventStore(nc)
    spec = ConsumerSpec(
        durable=f"rebuild-ix-{uuid.uuid4().hex[:8]}",
        stream=PETITIONS_STREAM,
        filter_subjects=(f"petitions.events.{province}.>",),
    )
    for n in range(6):
        await write_petition(store, province, n)
    view = PetitionView()
    report = await rebuild(nc.jetstream(), engine, session_factory(engine), view, spec, batch_size=4)
    assert report.events == 6 + 3 + 2

    g = generation_tables(report.generation)

    def index_names(sync: object) -> set[str]:
        return {ix["name"] for ix in inspect(sync).get_indexes(g.petitions.name)}

    async with engine.connect() as conn:
        names = await conn.run_sync(index_names)
    assert names >= {
        f"ix_petitions_g{g.number}_province_code",
        f"ix_petitions_g{g.number}_commune_code",
        f"uq_petitions_g{g.number}_code",
    }
    async with session_factory(engine)() as s:
        row = (await s.execute(select(g.petitions).limit(1))).mappings().one()
    duplicate = {**row, "petition_id": "another-id"}
    with pytest.raises(IntegrityError):
        async with session_factory(engine).begin() as s:
            await s.execute(g.petitions.insert(), [duplicate])


async def test_a_replay_helper_that_cannot_connect_fails_the_rebuild_with_its_reason(
    province: str, engine: AsyncEngine
) -> None:
    spec = ConsumerSpec(
        durable=f"rebuild-x-{uuid.uuid4().hex[:8]}",
        stream=PETITIONS_STREAM,
        filter_subjects=(f"petitions.events.{province}.>",),
    )
    view = PetitionView()
    sessions = session_factory(engine)
    with pytest.raises(ReplayFailed, match="NoServersError"):
        await rebuild(
            None,  # type: ignore[arg-type]  # the helper connects on its own
            engine,
            sessions,
            view,
            spec,
            servers=["nats://127.0.0.1:1"],
        )
    async with sessions() as s:
        assert await view.active_generation(s) == 1  # nothing switched
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert generation_tables(2).petitions.name not in tables  # nothing half-built left behind
    assert generation_tables(1).petitions.name in tables
