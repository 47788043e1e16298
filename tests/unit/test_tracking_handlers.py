"""Tracking's command handlers on the in-memory event store: load, decide, append with the
concurrency check; a repeated command done once; refusals that write nothing; a rival's
append between load and append re-decided on the reloaded petition, and a petition that keeps
changing refused as `petition.concurrent_change`.

The whole app (its routes, and the consumers and deadline timers that need JetStream) runs
against a real nats-server in tests/service/test_tracking_lifecycle.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from langnghe.contracts.codec import Envelope
from langnghe.contracts.envelope import Actor, EventMeta
from langnghe.contracts.events.conference import PublicationChannel
from langnghe.contracts.events.petition import Channel, DeadlineKind, PetitionReceived
from langnghe.contracts.subjects import petition_subject, petition_subject_any_province
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.runtime.commands import MAX_CONFLICT_RETRIES, CommandOutcome, command_id
from langnghe.runtime.eventstore import (
    AppendResult,
    ConcurrencyConflict,
    EventStore,
    InMemoryEventStore,
    LoadedAggregate,
    NewEvent,
    StoredMessage,
)
from langnghe.tracking.domain.commands import (
    AnswerPetition,
    AssignPetition,
    ClosePetition,
    ExtendDeadline,
    GiveFeedback,
    PetitionCommand,
    PublishAnswer,
    ReopenPetition,
)
from langnghe.tracking.domain.errors import PetitionRuleBroken
from langnghe.tracking.handlers import deciding, handle_command, load_petition

TODAY = vietnam_date(datetime.now(UTC))
LATER = TODAY + timedelta(days=40)
CLERK = Actor(kind="clerk", ref="test")


async def received(store: EventStore) -> str:
    """A petition as intake appends it: its receipt, on a new subject."""
    pid = uuid.uuid4().hex
    meta = EventMeta(
        event_id=uuid.uuid4(),
        aggregate_type="petition",
        aggregate_id=pid,
        occurred_at=datetime.now(UTC),
        schema_version=PetitionReceived.SCHEMA_VERSION,
        correlation_id="test",
    )
    event = PetitionReceived(
        code="LN-1",
        province_code="15",
        channel=Channel.CITIZEN_RECEPTION,
        content="Đường liên thôn bị sạt lở.",
    )
    await store.append(petition_subject("15", pid), [NewEvent(meta, event)], expected_last_seq=0)
    return pid


async def run(store: EventStore, pid: str, cmd: PetitionCommand, key: str | None = None) -> CommandOutcome:
    return await handle_command(
        store,
        pid,
        deciding(cmd),
        command_id=command_id(type(cmd).__name__, pid, key or uuid.uuid4().hex),
        actor=CLERK,
        correlation_id="test",
    )


async def types(store: EventStore, pid: str) -> list[str]:
    loaded = await store.load(petition_subject_any_province(pid))
    return [r.envelope.event.type for r in loaded.events if isinstance(r.envelope, Envelope)]


ASSIGN = AssignPetition("UBND-XA-SAPA", LATER)
ANSWER = AnswerPetition("UBND xã đã bố trí kinh phí sửa chữa.", "UBND-XA-SAPA")


class RivalFirst:
    """The in-memory store, with another clerk's command carried out just before each of the
    first `times` appends: the handler's load is then stale."""

    def __init__(self, inner: InMemoryEventStore, pid: str, times: int) -> None:
        self.inner = inner
        self.pid = pid
        self.times = times
        self.appends = 0

    async def load(self, subject_filter: str, *, after_seq: int = 0) -> LoadedAggregate:
        return await self.inner.load(subject_filter, after_seq=after_seq)

    async def last_seq_of(self, subject: str) -> tuple[int, str | None]:
        return await self.inner.last_seq_of(subject)

    async def stream_last_seq(self) -> int:
        return await self.inner.stream_last_seq()

    async def read_range(self, subject_filter: str, first_seq: int, last_seq: int) -> list[StoredMessage]:
        return await self.inner.read_range(subject_filter, first_seq, last_seq)

    async def append(
        self, subject: str, events: Sequence[NewEvent], *, expected_last_seq: int
    ) -> AppendResult:
        self.appends += 1
        if self.appends <= self.times:
            new_date = LATER + timedelta(days=self.appends)
            await run(
                self.inner, self.pid, ExtendDeadline(DeadlineKind.PROMISED, "Cần khảo sát thêm", new_date)
            )
        return await self.inner.append(subject, events, expected_last_seq=expected_last_seq)


async def test_a_petition_lives_its_whole_life_through_the_handlers() -> None:
    store = InMemoryEventStore()
    pid = await received(store)

    assert (await run(store, pid, ASSIGN)).events == ["petition.assigned"]
    extend = ExtendDeadline(DeadlineKind.PROMISED, "Cần khảo sát hiện trường", LATER + timedelta(days=10))
    assert (await run(store, pid, extend)).events == ["petition.deadline_extended"]
    await run(store, pid, ANSWER)
    await run(store, pid, PublishAnswer(TODAY, (PublicationChannel.HEADQUARTERS_NOTICE_BOARD,)))
    await run(store, pid, GiveFeedback(False, "Chưa thấy thi công."))
    await run(store, pid, ReopenPetition("Người dân chưa hài lòng", LATER))
    reopened = await load_petition(store, pid)
    assert (reopened.status, reopened.reopened, reopened.promised_date) == ("assigned", 1, LATER)
    await run(store, pid, AnswerPetition("Đã thi công xong đoạn đường bị sạt lở.", "UBND-XA-SAPA"))
    with pytest.raises(PetitionRuleBroken) as refused:
        await run(store, pid, ClosePetition())
    assert (refused.value.status, refused.value.code) == (409, "petition.answer_not_published")
    channels = (PublicationChannel.VILLAGE_HEADS, PublicationChannel.LOUDSPEAKER)
    await run(store, pid, PublishAnswer(TODAY, channels))
    closed = await run(store, pid, ClosePetition("Đã xác minh tại hiện trường"))

    state = await load_petition(store, pid)
    assert (state.status, state.version, state.overdue) == ("closed", 10, frozenset())
    assert state.published_channels == frozenset(channels)
    assert closed.stream_seq == await store.stream_last_seq()
    assert await types(store, pid) == [
        "petition.received",
        "petition.assigned",
        "petition.deadline_extended",
        "petition.answered",
        "petition.answer_published",
        "petition.feedback_given",
        "petition.reopened",
        "petition.answered",
        "petition.answer_published",
        "petition.closed",
    ]


async def test_the_same_command_id_does_the_work_once() -> None:
    store = InMemoryEventStore()
    pid = await received(store)

    first = await run(store, pid, ASSIGN, key="k-" + pid)
    again = await run(store, pid, ASSIGN, key="k-" + pid)

    assert (first.events, again.events) == (["petition.assigned"], [])
    assert first.stream_seq == again.stream_seq
    assert (await types(store, pid)).count("petition.assigned") == 1


async def test_refusals_say_what_and_where_and_write_nothing() -> None:
    store = InMemoryEventStore()
    pid = await received(store)
    before = await store.stream_last_seq()

    with pytest.raises(PetitionRuleBroken) as closing:
        await run(store, pid, ClosePetition())
    assert closing.value.status == 409 and closing.value.code.startswith("petition.")
    with pytest.raises(PetitionRuleBroken) as unknown:
        await run(store, uuid.uuid4().hex, ANSWER)
    assert (unknown.value.status, unknown.value.code) == (404, "petition.not_found")
    with pytest.raises(PetitionRuleBroken) as past:
        await run(store, pid, AssignPetition("UBND-XA-SAPA", TODAY - timedelta(days=1)))
    assert (past.value.status, past.value.code, past.value.field) == (
        422,
        "petition.promised_before_receipt",
        "promised_date",
    )
    assert "ngày" in past.value.message.lower()

    assert await store.stream_last_seq() == before
    assert await types(store, pid) == ["petition.received"]


async def test_a_rivals_append_since_the_load_is_re_decided_on_the_reloaded_petition() -> None:
    inner = InMemoryEventStore()
    pid = await received(inner)
    await run(inner, pid, ASSIGN)
    store = RivalFirst(inner, pid, times=1)

    outcome = await run(store, pid, ANSWER)

    assert store.appends == 2  # refused once (stale), then appended on the reloaded petition
    assert outcome.events == ["petition.answered"]
    assert outcome.stream_seq == await inner.stream_last_seq()
    assert await types(inner, pid) == [
        "petition.received",
        "petition.assigned",
        "petition.deadline_extended",
        "petition.answered",
    ]
    assert (await load_petition(inner, pid)).promised_date == LATER + timedelta(days=1)


async def test_a_petition_that_keeps_changing_is_refused_as_a_concurrent_change() -> None:
    """After its retries the handler lets the conflict go; the HTTP layer answers it with
    409 `store.concurrent_change` in every service (tests/unit/test_http_refusals.py)."""
    inner = InMemoryEventStore()
    pid = await received(inner)
    await run(inner, pid, ASSIGN)
    store = RivalFirst(inner, pid, times=MAX_CONFLICT_RETRIES + 1)

    with pytest.raises(ConcurrencyConflict):
        await run(store, pid, ANSWER)

    assert store.appends == MAX_CONFLICT_RETRIES + 1
    assert "petition.answered" not in await types(inner, pid)
