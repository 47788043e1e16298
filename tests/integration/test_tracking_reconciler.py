"""The deadline reconciler on a real nats-server and on SQLite and PostgreSQL: it records the
marks a lost timer missed, once, with the same ids a fired timer would use, and leaves alone
petitions whose deadlines are far, met or already marked. No tracking app runs here, so no
schedule fires: whatever is recorded is the reconciler's doing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from nats.aio.client import Client as NatsClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import langnghe.tracking
from langnghe.contracts.codec import Envelope
from langnghe.contracts.envelope import Actor, EventMeta, event_id_for
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import Channel, PetitionAnswered, PetitionAssigned, PetitionReceived
from langnghe.contracts.subjects import petition_subject
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.runtime.database import create_engine, session_factory
from langnghe.runtime.eventstore import JetStreamEventStore, NewEvent, RecordedEvent
from langnghe.runtime.migrations import upgrade
from langnghe.tracking.policies.deadline_reconciler import reconcile
from langnghe.tracking.projections.case_inbox import CaseInbox

MIGRATIONS = Path(langnghe.tracking.__file__).parent / "migrations"
TODAY = vietnam_date(datetime.now(UTC))


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(db_url)
    await upgrade(engine, MIGRATIONS)
    yield session_factory(engine)
    await engine.dispose()


async def petition(
    store: JetStreamEventStore, province: str, promised: date, *extra: DomainEvent
) -> tuple[str, list[RecordedEvent]]:
    pid = uuid.uuid4().hex
    received_on = min(promised, TODAY) - timedelta(days=20)
    events: list[DomainEvent] = [
        PetitionReceived(
            code=f"KN-{pid[:6]}",
            province_code="15",
            channel=Channel.WRITTEN_LETTER,
            content="Đề nghị nạo vét mương thoát nước.",
            received_on=received_on,
        ),
        PetitionAssigned(agency_code="UBND-XA", promised_date=promised, deadline_version=1),
        *extra,
    ]
    subject = petition_subject(province, pid)
    await store.append(
        subject,
        [
            NewEvent(
                EventMeta(
                    event_id=event_id_for(f"reconciler-test:{pid}", i),
                    aggregate_type="petition",
                    aggregate_id=pid,
                    occurred_at=datetime.now(UTC),
                    schema_version=1,
                    correlation_id=pid,
                    actor=Actor(kind="clerk", ref="test"),
                ),
                e,
            )
            for i, e in enumerate(events)
        ],
        expected_last_seq=0,
    )
    return pid, (await store.load(subject)).events


def types(events: list[RecordedEvent]) -> list[str]:
    return [r.envelope.event.type for r in events if isinstance(r.envelope, Envelope)]


async def test_the_reconciler_records_missed_marks_once(
    nc: NatsClient, province: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    store = JetStreamEventStore(nc)
    late, late_events = await petition(store, province, TODAY - timedelta(days=3))
    near, near_events = await petition(store, province, TODAY + timedelta(days=1))
    far, far_events = await petition(store, province, TODAY + timedelta(days=60))
    done, done_events = await petition(
        store,
        province,
        TODAY - timedelta(days=3),
        PetitionAnswered(answer_text="Đã nạo vét xong.", answering_agency_code="UBND-XA"),
    )
    async with sessions.begin() as session:
        await CaseInbox().apply(session, [*late_events, *near_events, *far_events, *done_events])

    assert await reconcile(sessions, store) == 2
    for pid, expected in (
        (late, "petition.became_overdue"),
        (near, "petition.became_due_soon"),
    ):
        loaded = await store.load(petition_subject(province, pid))
        assert types(loaded.events)[-1] == expected
        assert loaded.events[-1].envelope.meta.actor.ref == "tracking-reconciler"
    for pid in (far, done):
        assert len((await store.load(petition_subject(province, pid))).events) in (2, 3)

    # A second pass (or a second replica) finds nothing left to do.
    assert await reconcile(sessions, store) == 0
    late_types = types((await store.load(petition_subject(province, late))).events)
    assert late_types.count("petition.became_overdue") == 1


async def test_a_quarantined_petition_does_not_stop_the_reconciler_for_the_others(
    nc: NatsClient, province: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    store = JetStreamEventStore(nc)
    first, first_events = await petition(store, province, TODAY - timedelta(days=3))
    second, second_events = await petition(store, province, TODAY - timedelta(days=2))
    async with sessions.begin() as session:
        await CaseInbox().apply(session, [*first_events, *second_events])
    poison = await nc.jetstream().publish(petition_subject(province, first), b"{not json")

    assert await reconcile(sessions, store) == 1  # the other petition is marked all the same
    assert (
        types((await store.load(petition_subject(province, second))).events)[-1] == "petition.became_overdue"
    )

    await store.void(poison.seq, reason="thử nghiệm", actor="ops-an")
    assert await reconcile(sessions, store) == 1
    assert (
        types((await store.load(petition_subject(province, first))).events)[-1] == "petition.became_overdue"
    )
