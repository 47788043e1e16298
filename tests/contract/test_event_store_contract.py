"""The event store's contract, run on every implementation: JetStream on a real nats-server,
and the in-memory store. What both must do: optimistic concurrency on the subject's last
stream sequence, recovery of a retry after a lost ack, event-id de-duplication (never across
subjects), all-or-nothing batches, NATS subject filters on reads.

What only JetStream can show (server error codes, lost acks in transport, timeouts, paging
through Direct Get batches, two connections racing) stays in tests/integration/test_event_store.py.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime

import pytest

from langnghe.contracts.codec import REGISTRY, Envelope
from langnghe.contracts.envelope import EventMeta
from langnghe.contracts.events.petition import Channel, PetitionAssigned, PetitionReceived
from langnghe.contracts.subjects import petition_subject, petition_subject_any_province
from langnghe.runtime.eventstore import (
    MAX_ATOMIC_BATCH,
    AggregateQuarantined,
    AppendResult,
    ConcurrencyConflict,
    EventStore,
    InMemoryEventStore,
    JetStreamEventStore,
    NewEvent,
    VoidRefused,
)

# -- helpers --------------------------------------------------------------------------------


def new_id() -> str:
    return uuid.uuid4().hex


def _meta(petition_id: str, schema_version: int) -> EventMeta:
    return EventMeta(
        event_id=uuid.uuid4(),
        aggregate_type="petition",
        aggregate_id=petition_id,
        occurred_at=datetime.now(UTC),
        schema_version=schema_version,
        correlation_id="test",
    )


def received(petition_id: str, province: str) -> NewEvent:
    return NewEvent(
        _meta(petition_id, PetitionReceived.SCHEMA_VERSION),
        PetitionReceived(
            code="LN-1", province_code=province, channel=Channel.ONLINE, content="Đường làng bị ngập"
        ),
    )


def assigned(petition_id: str, agency: str = "UBND-X") -> NewEvent:
    return NewEvent(
        _meta(petition_id, PetitionAssigned.SCHEMA_VERSION),
        PetitionAssigned(agency_code=agency, promised_date=date(2030, 1, 31)),
    )


def assignments(petition_id: str, n: int) -> list[NewEvent]:
    return [assigned(petition_id, agency=f"A{i}") for i in range(n)]


def ids_of(events: list[NewEvent]) -> list[uuid.UUID]:
    return [e.meta.event_id for e in events]


async def count_on(store: EventStore, subject_filter: str) -> int:
    """Messages stored on the subjects matching the filter, read back from the whole stream."""
    return len(await store.read_range(subject_filter, 1, await store.stream_last_seq()))


async def ids_on(store: EventStore, subject: str) -> list[uuid.UUID]:
    return [r.event_id for r in (await store.load(subject)).events]


async def new_petition(store: EventStore, province: str) -> tuple[str, str, AppendResult]:
    pid = new_id()
    subject = petition_subject(province, pid)
    return pid, subject, await store.append(subject, [received(pid, province)], expected_last_seq=0)


@pytest.fixture(params=["jetstream", "memory"])
def store(request: pytest.FixtureRequest) -> EventStore:
    if request.param == "memory":
        return InMemoryEventStore()
    return JetStreamEventStore(request.getfixturevalue("nc"))


SIZES = pytest.mark.parametrize("batch_size", [1, 3], ids=["single", "batch"])


# -- create-only and optimistic concurrency -------------------------------------------------


async def test_create_only_append_to_a_new_subject_returns_its_stream_sequence(
    store: EventStore, province: str
) -> None:
    pid = new_id()
    subject = petition_subject(province, pid)
    event = received(pid, province)

    result = await store.append(subject, [event], expected_last_seq=0)

    assert result.first_seq == result.last_seq > 0
    assert result.recovered is False
    assert await store.last_seq_of(subject) == (result.last_seq, str(event.meta.event_id))
    assert await store.stream_last_seq() >= result.last_seq
    assert await count_on(store, subject) == 1


@SIZES
async def test_second_create_only_append_with_other_event_ids_conflicts_and_stores_nothing(
    store: EventStore, province: str, batch_size: int
) -> None:
    pid, subject, first = await new_petition(store, province)

    with pytest.raises(ConcurrencyConflict) as caught:
        await store.append(subject, assignments(pid, batch_size), expected_last_seq=0)

    assert (caught.value.subject, caught.value.expected, caught.value.actual) == (subject, 0, first.last_seq)
    assert await count_on(store, subject) == 1


@SIZES
@pytest.mark.parametrize("which", ["stale", "ahead"])
async def test_wrong_expected_sequence_conflicts_and_stores_nothing(
    store: EventStore, province: str, which: str, batch_size: int
) -> None:
    pid, subject, one = await new_petition(store, province)
    last = assigned(pid)
    two = await store.append(subject, [last], expected_last_seq=one.last_seq)
    wrong = one.last_seq if which == "stale" else two.last_seq + 1

    with pytest.raises(ConcurrencyConflict) as caught:
        await store.append(subject, assignments(pid, batch_size), expected_last_seq=wrong)

    assert (caught.value.expected, caught.value.actual) == (wrong, two.last_seq)
    assert await count_on(store, f"petitions.events.{province}.>") == 2
    assert await store.last_seq_of(subject) == (two.last_seq, str(last.meta.event_id))


async def test_expected_sequence_is_the_subjects_last_stream_sequence_despite_interleaving(
    store: EventStore, province: str
) -> None:
    # Another aggregate first, so this subject's first event is not at stream sequence 1.
    other_pid, other, other_head = await new_petition(store, province)
    pid, subject, first = await new_petition(store, province)
    # Other aggregates move the stream on between two appends to this subject.
    await new_petition(store, province)
    await store.append(other, [assigned(other_pid)], expected_last_seq=other_head.last_seq)
    stream_last = await store.stream_last_seq()
    assert stream_last > first.last_seq > 1

    # Neither a per-aggregate count (1) nor the stream's last sequence is accepted ...
    for wrong in (1, stream_last):
        with pytest.raises(ConcurrencyConflict) as caught:
            await store.append(subject, [assigned(pid)], expected_last_seq=wrong)
        assert caught.value.actual == first.last_seq
    # ... only the stream sequence of the subject's own last message, single or batch.
    second = await store.append(subject, [assigned(pid)], expected_last_seq=first.last_seq)
    third = await store.append(subject, assignments(pid, 2), expected_last_seq=second.last_seq)

    assert second.last_seq > stream_last
    assert (third.first_seq, third.last_seq) == (second.last_seq + 1, second.last_seq + 2)
    assert await count_on(store, subject) == 4
    assert await count_on(store, f"petitions.events.{province}.>") == 7


@SIZES
async def test_concurrent_appends_with_the_same_expected_sequence_let_exactly_one_win(
    store: EventStore, province: str, batch_size: int
) -> None:
    pid, subject, head = await new_petition(store, province)
    mine, theirs = assignments(pid, batch_size), assignments(pid, batch_size)

    outcomes = await asyncio.gather(
        store.append(subject, mine, expected_last_seq=head.last_seq),
        store.append(subject, theirs, expected_last_seq=head.last_seq),
        return_exceptions=True,
    )

    wins = [o for o in outcomes if isinstance(o, AppendResult)]
    conflicts = [o for o in outcomes if isinstance(o, ConcurrencyConflict)]
    assert len(wins) == 1 and len(conflicts) == 1, outcomes
    assert conflicts[0].actual == wins[0].last_seq
    winner = mine if isinstance(outcomes[0], AppendResult) else theirs
    assert (await ids_on(store, subject))[1:] == ids_of(winner)


# -- retries after a lost ack -----------------------------------------------------------------


@SIZES
async def test_retry_with_the_same_events_and_expected_sequence_is_recovered_not_duplicated(
    store: EventStore, province: str, batch_size: int
) -> None:
    pid, subject, head = await new_petition(store, province)
    events = assignments(pid, batch_size)
    first = await store.append(subject, events, expected_last_seq=head.last_seq)

    again = await store.append(subject, events, expected_last_seq=head.last_seq)

    assert first.recovered is False
    assert again == AppendResult(first.first_seq, first.last_seq, recovered=True)
    assert first.last_seq - first.first_seq == batch_size - 1
    assert await count_on(store, subject) == 1 + batch_size
    assert (await ids_on(store, subject))[1:] == ids_of(events)


@SIZES
async def test_retry_after_a_lost_ack_is_recovered_even_when_others_appended_since(
    store: EventStore, province: str, batch_size: int
) -> None:
    pid, subject, head = await new_petition(store, province)
    events = assignments(pid, batch_size)
    ours = await store.append(subject, events, expected_last_seq=head.last_seq)  # the ack is "lost"
    other_event = assigned(pid)
    theirs = await store.append(subject, [other_event], expected_last_seq=ours.last_seq)

    retried = await store.append(subject, events, expected_last_seq=head.last_seq)

    assert retried == AppendResult(ours.first_seq, ours.last_seq, recovered=True)
    assert await store.last_seq_of(subject) == (theirs.last_seq, str(other_event.meta.event_id))
    assert await count_on(store, subject) == 2 + batch_size


# -- event-id de-duplication ------------------------------------------------------------------


async def test_event_id_replayed_with_a_fresh_expected_sequence_is_deduplicated_and_recovered(
    store: EventStore, province: str
) -> None:
    pid, subject, head = await new_petition(store, province)
    event = assigned(pid)
    ours = await store.append(subject, [event], expected_last_seq=head.last_seq)
    later = await store.append(subject, [assigned(pid)], expected_last_seq=ours.last_seq)

    # The caller reloaded and decided again, producing the same (deterministic) event id.
    again = await store.append(subject, [event], expected_last_seq=later.last_seq)

    assert again == AppendResult(ours.first_seq, ours.last_seq, recovered=True)
    assert await count_on(store, subject) == 3
    assert (await ids_on(store, subject)).count(event.meta.event_id) == 1


async def test_batch_replayed_with_a_fresh_expected_sequence_is_deduplicated_and_recovered(
    store: EventStore, province: str
) -> None:
    pid, subject, head = await new_petition(store, province)
    events = assignments(pid, 3)
    ours = await store.append(subject, events, expected_last_seq=head.last_seq)
    later = await store.append(subject, [assigned(pid)], expected_last_seq=ours.last_seq)

    again = await store.append(subject, events, expected_last_seq=later.last_seq)

    assert again == AppendResult(ours.first_seq, ours.last_seq, recovered=True)
    assert await count_on(store, subject) == 5


@SIZES
async def test_event_ids_already_stored_on_another_subject_are_not_written_and_not_reported_stored(
    store: EventStore, province: str, batch_size: int
) -> None:
    pid, subject, head = await new_petition(store, province)
    events = assignments(pid, batch_size)
    await store.append(subject, events, expected_last_seq=head.last_seq)
    elsewhere = petition_subject(province, new_id())

    # Same ids, another aggregate whose expectation (empty) holds: the ids are known, so
    # nothing is written, and the store must not claim they were stored there.
    with pytest.raises(ConcurrencyConflict) as caught:
        await store.append(elsewhere, events, expected_last_seq=0)

    assert (caught.value.expected, caught.value.actual) == (0, 0)
    assert await count_on(store, elsewhere) == 0
    assert await count_on(store, f"petitions.events.{province}.>") == 1 + batch_size
    assert not (await store.load(elsewhere)).exists


# -- atomic batches ----------------------------------------------------------------------------


async def test_batch_commits_all_events_at_contiguous_sequences(store: EventStore, province: str) -> None:
    pid = new_id()
    subject = petition_subject(province, pid)
    events = [received(pid, province), *assignments(pid, 2)]

    result = await store.append(subject, events, expected_last_seq=0)

    assert result.last_seq - result.first_seq == 2
    loaded = await store.load(subject)
    assert [r.stream_seq for r in loaded.events] == list(range(result.first_seq, result.last_seq + 1))
    assert [r.event_id for r in loaded.events] == ids_of(events)


async def test_batch_with_a_later_event_id_already_stored_writes_none_of_its_events(
    store: EventStore, province: str
) -> None:
    pid, subject, head = await new_petition(store, province)
    stored = assigned(pid)
    last = await store.append(subject, [stored], expected_last_seq=head.last_seq)
    fresh_first = assigned(pid)
    batch = [fresh_first, stored, assigned(pid)]

    with pytest.raises(ConcurrencyConflict) as caught:
        await store.append(subject, batch, expected_last_seq=last.last_seq)

    assert caught.value.actual == last.last_seq
    assert await count_on(store, subject) == 2
    assert (await ids_on(store, subject))[1:] == [stored.meta.event_id]
    # The refused batch left nothing behind: its fresh first event can still be appended.
    ok = await store.append(subject, [fresh_first], expected_last_seq=last.last_seq)
    assert (ok.first_seq, ok.recovered) == (await store.stream_last_seq(), False)


async def test_append_refuses_empty_and_oversized_batches_before_writing(
    store: EventStore, province: str
) -> None:
    pid = new_id()
    subject = petition_subject(province, pid)

    with pytest.raises(ValueError, match="nothing to append"):
        await store.append(subject, [], expected_last_seq=0)
    with pytest.raises(ValueError, match="at most"):
        await store.append(subject, assignments(pid, MAX_ATOMIC_BATCH + 1), expected_last_seq=0)

    assert await count_on(store, subject) == 0


# -- reading ------------------------------------------------------------------------------------


async def test_load_returns_the_aggregates_events_in_order_by_subject_and_by_any_province(
    store: EventStore, province: str
) -> None:
    pid = new_id()
    subject = petition_subject(province, pid)
    first_event = received(pid, province)
    first = await store.append(subject, [first_event], expected_last_seq=0)
    await new_petition(store, province)  # another aggregate in between
    more = assignments(pid, 2)
    rest = await store.append(subject, more, expected_last_seq=first.last_seq)
    written = [first_event, *more]

    # The `*` filter (any province) finds the aggregate by its id alone; the neighbour is not
    # returned by either filter.
    for subject_filter in (subject, petition_subject_any_province(pid)):
        loaded = await store.load(subject_filter)

        assert loaded.exists and loaded.subject == subject
        assert loaded.last_seq == rest.last_seq
        assert [r.stream_seq for r in loaded.events] == [first.last_seq, rest.first_seq, rest.last_seq]
        assert {r.subject for r in loaded.events} == {subject}
        for recorded, new in zip(loaded.events, written, strict=True):
            assert isinstance(recorded.envelope, Envelope)
            assert recorded.envelope.meta == new.meta
            assert recorded.envelope.event == new.event

    tail = await store.load(subject, after_seq=first.last_seq)
    assert [r.event_id for r in tail.events] == ids_of(more)


async def test_load_of_an_aggregate_without_events_is_empty(store: EventStore, province: str) -> None:
    pid = new_id()
    await new_petition(store, province)  # a neighbour in the same province

    for subject_filter in (petition_subject(province, pid), petition_subject_any_province(pid)):
        loaded = await store.load(subject_filter)
        assert (loaded.exists, loaded.last_seq, loaded.subject, loaded.events) == (False, 0, None, [])
    assert await store.last_seq_of(petition_subject(province, pid)) == (0, None)


async def test_read_range_returns_the_raw_messages_on_the_filter_within_the_bounds(
    store: EventStore, province: str
) -> None:
    pid_a, subject_a, a1 = await new_petition(store, province)
    _, subject_b, b1 = await new_petition(store, province)
    a2 = await store.append(subject_a, assignments(pid_a, 2), expected_last_seq=a1.last_seq)
    elsewhere = "t" + new_id()[:10]
    await new_petition(store, elsewhere)  # another province: not on the filter

    on_province = f"petitions.events.{province}.>"
    everything = await store.read_range(on_province, a1.first_seq, a2.last_seq)
    only_a = await store.read_range(petition_subject_any_province(pid_a), a1.first_seq, a2.last_seq)
    middle = await store.read_range(on_province, b1.last_seq, a2.first_seq)

    assert [(m.seq, m.subject) for m in everything] == [
        (a1.last_seq, subject_a),
        (b1.last_seq, subject_b),
        (a2.first_seq, subject_a),
        (a2.last_seq, subject_a),
    ]
    assert [m.seq for m in only_a] == [a1.last_seq, a2.first_seq, a2.last_seq]
    assert [m.seq for m in middle] == [b1.last_seq, a2.first_seq]
    assert await store.read_range(on_province, a2.last_seq + 1, await store.stream_last_seq()) == []
    assert [REGISTRY.decode(m.data).meta.event_id for m in only_a] == await ids_on(store, subject_a)


# -- quarantine and void ----------------------------------------------------------------------


async def publish_raw(store: EventStore, subject: str, data: bytes, request: pytest.FixtureRequest) -> int:
    """Bytes put on the subject as they come, bypassing the codec (a forged or broken message)."""
    if isinstance(store, InMemoryEventStore):
        return store.publish_raw(subject, data)
    ack = await request.getfixturevalue("nc").jetstream().publish(subject, data)
    return int(ack.seq)


async def test_a_message_no_reader_may_apply_quarantines_the_aggregate_until_voided(
    store: EventStore, province: str, request: pytest.FixtureRequest
) -> None:
    pid, subject, _ = await new_petition(store, province)
    bad = await publish_raw(store, subject, b"\xff not an event", request)

    with pytest.raises(AggregateQuarantined) as caught:
        await store.load(subject)
    assert [(m.seq, m.subject) for m in caught.value.messages] == [(bad, subject)]
    assert bad in [m.seq for m in store.quarantined()]
    with pytest.raises(VoidRefused):
        await store.void(bad - 1, reason="hợp lệ", actor="ops")  # a valid event is history

    marker, written = await store.void(bad, reason="hỏng", actor="ops")
    assert (written, marker.seq, marker.subject) == (True, bad, subject)
    assert (await store.void(bad, reason="lần hai", actor="ops"))[1] is False
    loaded = await store.load(subject)
    assert (len(loaded.events), loaded.last_seq) == (1, bad)
    after = await store.append(subject, [assigned(pid)], expected_last_seq=loaded.last_seq)
    assert after.last_seq > bad
    assert bad not in [m.seq for m in store.quarantined()]
    assert bad in await store.voided([bad, bad - 1])
