"""The oversight feed projector on SQLite and PostgreSQL, on a real nats-server: what it
remembers of a petition survives between batches (an answer's text, held back, is published
with the publication that comes in a later batch), a batch applied again publishes nothing, and
a publish that fails leaves nothing recorded, so the retried batch publishes it (once)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from nats.aio.client import Client as NatsClient
from sqlalchemy import func, select

import langnghe.reporting
from langnghe.contracts.envelope import EventMeta
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import PublicationChannel
from langnghe.contracts.events.petition import (
    Channel,
    LegalType,
    PetitionAnswered,
    PetitionAnswerPublished,
    PetitionAssigned,
    PetitionReceived,
)
from langnghe.contracts.subjects import OVERSIGHT_STREAM, oversight_province_filter, petition_subject
from langnghe.reporting.adapters.oversight_publisher import FeedUnavailable, JetStreamFeedPublisher
from langnghe.reporting.adapters.oversight_tables import oversight_petitions, oversight_published
from langnghe.reporting.projections.oversight_feed import OversightFeedProjector
from langnghe.runtime.consumer import is_transient
from langnghe.runtime.database import create_engine, session_factory
from langnghe.runtime.eventstore import JetStreamEventStore, NewEvent, RecordedEvent
from langnghe.runtime.migrations import upgrade

MIGRATIONS = Path(langnghe.reporting.__file__).parent / "migrations"
ANSWER = "Đã sửa xong cống thoát nước trước ngày hẹn."


async def append(
    store: JetStreamEventStore, province: str, pid: str, events: list[DomainEvent]
) -> list[RecordedEvent]:
    expected = 0
    for event in events:
        meta = EventMeta(
            event_id=uuid.uuid4(),
            aggregate_type="petition",
            aggregate_id=pid,
            occurred_at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
            schema_version=1,
            correlation_id="test",
        )
        result = await store.append(
            petition_subject(province, pid), [NewEvent(meta, event)], expected_last_seq=expected
        )
        expected = result.last_seq
    loaded = await store.load(petition_subject(province, pid))
    return list(loaded.events)


async def feed_of(nc: NatsClient, province: str) -> list[dict[str, object]]:
    js = nc.jetstream()
    sub = await js.subscribe(
        oversight_province_filter(province), stream=OVERSIGHT_STREAM, ordered_consumer=True
    )
    total = (
        await js.stream_info(OVERSIGHT_STREAM, subjects_filter=oversight_province_filter(province))
    ).state
    wanted = sum((total.subjects or {}).values())
    out = [json.loads((await sub.next_msg(timeout=5)).data) for _ in range(wanted)]
    await sub.unsubscribe()
    return out


class FailingPublisher:
    async def publish(self, subject: str, data: bytes, *, feed_id: str, kind: str) -> int:
        raise FeedUnavailable("the feed's stream did not answer")


async def test_facts_survive_batches_and_nothing_is_published_twice(
    nc: NatsClient, db_url: str, province: str
) -> None:
    engine = create_engine(db_url)
    await upgrade(engine, MIGRATIONS)
    sessions = session_factory(engine)
    store = JetStreamEventStore(nc)
    pid = f"{province}-p1"
    recorded = await append(
        store,
        province,
        pid,
        [
            PetitionReceived(
                code=f"KN-{province}",
                province_code=province,
                channel=Channel.HOTLINE,
                legal_type=LegalType.REFLECTION,
                content="Cống thoát nước bị tắc, nhà ông Nguyễn Văn C bị ngập.",
                citizen_ref="vault-ref-1",
            ),
            PetitionAssigned(agency_code="UBND-XA", promised_date=date(2026, 4, 1), deadline_version=1),
            PetitionAnswered(answer_text=ANSWER, answering_agency_code="UBND-XA"),
            PetitionAnswerPublished(
                published_on=date(2026, 3, 20), channels=(PublicationChannel.WEB_PORTAL,)
            ),
        ],
    )
    projector = OversightFeedProjector(JetStreamFeedPublisher(lambda: nc))

    # The publication's batch fails to publish: nothing of it is recorded, and the error is one
    # the runner retries rather than parks.
    async with sessions.begin() as session:
        await projector.apply(session, recorded[:3])
    failing = OversightFeedProjector(FailingPublisher())
    with pytest.raises(FeedUnavailable) as caught:
        async with sessions.begin() as session:
            await failing.apply(session, recorded[3:])
    assert is_transient(caught.value)
    # The retry, in a batch of its own, and the same batch again.
    for _ in range(2):
        async with sessions.begin() as session:
            await projector.apply(session, recorded[3:])
    async with sessions.begin() as session:
        await projector.apply(session, recorded)  # a redelivery of everything

    feed = await feed_of(nc, province)
    assert [m["transition"] for m in feed] == ["received", "assigned", "answered", "answer_published"]
    assert "answer_text" not in feed[2] and feed[3]["answer_text"] == ANSWER
    assert all(m["agency_code"] == "UBND-XA" for m in feed[1:])
    assert "Nguyễn Văn C" not in json.dumps(feed, ensure_ascii=False)
    async with sessions() as session:
        assert (
            await session.execute(select(func.count()).select_from(oversight_published))
        ).scalar_one() >= 4
        row = (
            await session.execute(select(oversight_petitions).where(oversight_petitions.c.petition_id == pid))
        ).one()
        assert (row.last_seq, row.answer_text, row.agency_code) == (
            recorded[-1].stream_seq,
            ANSWER,
            "UBND-XA",
        )
    await engine.dispose()
