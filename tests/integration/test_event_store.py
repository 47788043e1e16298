"""What only the JetStream event store can show, on a real nats-server: two connections racing
for one subject, acks lost in transport, unanswered publishes, batches the server refuses
part-way (its error codes), oversized messages, and loads paged through Direct Get batches.

The contract every event store keeps (concurrency, retries, de-duplication, atomic batches,
subject filters) is tested on JetStream and in memory in tests/contract/."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import nats
import nats.errors
import nats.js.errors
import pytest
from nats.aio.client import Client as NatsClient

from langnghe.contracts.codec import EventRegistry
from langnghe.contracts.envelope import EventMeta
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import (
    PETITION_EVENTS,
    Channel,
    PetitionAssigned,
    PetitionReceived,
)
from langnghe.contracts.subjects import (
    PETITIONS_STREAM,
    petition_subject,
    petition_subject_any_province,
)
from langnghe.runtime.eventstore import (
    DIRECT_GET_BATCH,
    MAX_ATOMIC_BATCH,
    AppendResult,
    ConcurrencyConflict,
    EventStoreUnavailable,
    JetStreamEventStore,
    NewEvent,
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


def received(petition_id: str, province: str, content: str = "Đường làng bị ngập") -> NewEvent:
    return NewEvent(
        _meta(petition_id, PetitionReceived.SCHEMA_VERSION),
        PetitionReceived(code="LN-1", province_code=province, channel=Channel.ONLINE, content=content),
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


async def count_on(nc: NatsClient, subject_filter: str) -> int:
    """Messages stored on the subjects matching the filter, as the server counts them."""
    info = await nc.jetstream().stream_info(PETITIONS_STREAM, subjects_filter=subject_filter)
    return sum((info.state.subjects or {}).values())


async def ids_on(store: JetStreamEventStore, subject: str) -> list[uuid.UUID]:
    return [r.event_id for r in (await store.load(subject)).events]


async def new_petition(store: JetStreamEventStore, province: str) -> tuple[str, str, AppendResult]:
    pid = new_id()
    subject = petition_subject(province, pid)
    return pid, subject, await store.append(subject, [received(pid, province)], expected_last_seq=0)


def is_publish(headers: dict[str, str] | None) -> bool:
    """A request the store waits an ack for: a single event or the commit of a batch."""
    if not headers or "Nats-Msg-Id" not in headers:
        return False
    return "Nats-Batch-Id" not in headers or "Nats-Batch-Commit" in headers


Handler = Callable[..., Awaitable[Any]]


def intercept_publishes(monkeypatch: pytest.MonkeyPatch, nc: NatsClient, handler: Handler) -> None:
    """Route the client's acked publishes through `handler(real_request, *args, **kwargs)`.
    `js.publish` and the store's batch commit both go through `nc.request`."""
    real = nc.request

    async def request(*args: Any, **kwargs: Any) -> Any:
        if is_publish(kwargs.get("headers")):
            return await handler(real, *args, **kwargs)
        return await real(*args, **kwargs)

    monkeypatch.setattr(nc, "request", request)


def lose_first_ack(monkeypatch: pytest.MonkeyPatch, nc: NatsClient) -> list[str]:
    """The first publish really reaches the server, but its ack never comes back."""
    calls: list[str] = []

    async def handler(real: Handler, *args: Any, **kwargs: Any) -> Any:
        reply = await real(*args, **kwargs)
        calls.append("ack lost" if not calls else "ack delivered")
        if len(calls) == 1:
            raise nats.errors.TimeoutError
        return reply

    intercept_publishes(monkeypatch, nc, handler)
    return calls


class HeaderInjectingRegistry(EventRegistry):
    """Adds headers to one event's message, so that the server refuses that message."""

    def __init__(self, target: uuid.UUID, extra: dict[str, str]) -> None:
        super().__init__(PETITION_EVENTS)
        self._target = target
        self._extra = extra

    def encode(self, meta: EventMeta, event: DomainEvent) -> tuple[bytes, dict[str, str]]:
        body, headers = super().encode(meta, event)
        if meta.event_id == self._target:
            headers = {**headers, **self._extra}
        return body, headers


@pytest.fixture
def store(nc: NatsClient) -> JetStreamEventStore:
    return JetStreamEventStore(nc)


# -- optimistic concurrency on the server ---------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 3], ids=["single", "batch"])
async def test_concurrent_appends_with_the_same_expected_sequence_let_exactly_one_win(
    store: JetStreamEventStore, provisioned: str, province: str, batch_size: int
) -> None:
    other_nc = await nats.connect(provisioned)
    try:
        rival = JetStreamEventStore(other_nc)
        for _ in range(5):
            pid, subject, head = await new_petition(store, province)
            mine, theirs = assignments(pid, batch_size), assignments(pid, batch_size)

            outcomes = await asyncio.gather(
                store.append(subject, mine, expected_last_seq=head.last_seq),
                rival.append(subject, theirs, expected_last_seq=head.last_seq),
                return_exceptions=True,
            )

            wins = [o for o in outcomes if isinstance(o, AppendResult)]
            conflicts = [o for o in outcomes if isinstance(o, ConcurrencyConflict)]
            assert len(wins) == 1 and len(conflicts) == 1, outcomes
            assert wins[0].recovered is False
            assert conflicts[0].actual == wins[0].last_seq
            winner = mine if isinstance(outcomes[0], AppendResult) else theirs
            assert (await ids_on(store, subject))[1:] == ids_of(winner)
    finally:
        await other_nc.close()


# -- retries after a lost ack -----------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 3], ids=["single", "batch"])
async def test_ack_lost_in_transport_is_retried_and_reported_once_stored(
    store: JetStreamEventStore,
    nc: NatsClient,
    province: str,
    batch_size: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pid, subject, head = await new_petition(store, province)
    events = assignments(pid, batch_size)
    calls = lose_first_ack(monkeypatch, nc)

    result = await store.append(subject, events, expected_last_seq=head.last_seq)

    assert calls == ["ack lost", "ack delivered"]
    assert result.recovered is True
    assert (result.first_seq, result.last_seq) == (head.last_seq + 1, head.last_seq + batch_size)
    assert await count_on(nc, subject) == 1 + batch_size
    assert (await ids_on(store, subject))[1:] == ids_of(events)


async def test_append_reports_unavailable_when_no_attempt_is_acknowledged_and_nothing_was_written(
    nc: NatsClient, province: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = JetStreamEventStore(nc, publish_attempts=2)
    pid = new_id()
    subject = petition_subject(province, pid)
    attempts: list[str] = []

    async def unanswered(real: Handler, *args: Any, **kwargs: Any) -> Any:
        attempts.append(args[0])
        raise nats.errors.TimeoutError

    intercept_publishes(monkeypatch, nc, unanswered)

    with pytest.raises(EventStoreUnavailable):
        await store.append(subject, [received(pid, province)], expected_last_seq=0)

    assert attempts == [subject, subject]
    monkeypatch.undo()
    assert await count_on(nc, subject) == 0


# -- atomic batches ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "value", "err_code"),
    [
        ("Nats-TTL", "10s", 10166),  # per-message TTL is disabled on the event store
        ("Nats-Rollup", "sub", 10111),  # rollups are not permitted
        ("Nats-Expected-Last-Msg-Id", "x", 10177),  # not allowed in an atomic batch
    ],
)
async def test_batch_whose_later_message_the_server_refuses_writes_none_of_its_events(
    nc: NatsClient, province: str, header: str, value: str, err_code: int
) -> None:
    plain = JetStreamEventStore(nc)
    pid, subject, head = await new_petition(plain, province)
    batch = assignments(pid, 3)
    store = JetStreamEventStore(nc, registry=HeaderInjectingRegistry(batch[1].meta.event_id, {header: value}))

    with pytest.raises(nats.js.errors.APIError) as caught:
        await store.append(subject, batch, expected_last_seq=head.last_seq)

    assert caught.value.err_code == err_code
    assert await count_on(nc, f"petitions.events.{province}.>") == 1
    # The refused batch left nothing behind: the same expectation still holds.
    ok = await plain.append(subject, batch, expected_last_seq=head.last_seq)
    assert (ok.first_seq, ok.recovered) == (head.last_seq + 1, False)


async def test_batch_with_an_oversized_later_event_writes_none_of_its_events(
    store: JetStreamEventStore, nc: NatsClient, province: str
) -> None:
    pid, subject, head = await new_petition(store, province)
    huge = received(pid, province, content="x" * (nc.max_payload + 1))
    batch = [assigned(pid), huge, assigned(pid)]

    with pytest.raises(nats.errors.MaxPayloadError):
        await store.append(subject, batch, expected_last_seq=head.last_seq)

    assert await count_on(nc, subject) == 1
    # The first message of the abandoned batch is never committed; the subject is untouched.
    ok = await store.append(subject, [assigned(pid)], expected_last_seq=head.last_seq)
    assert ok.first_seq == await store.stream_last_seq()
    assert await count_on(nc, subject) == 2


# -- loading ------------------------------------------------------------------------------------


@pytest.mark.parametrize("total", [DIRECT_GET_BATCH, 1205])
async def test_load_pages_through_aggregates_longer_than_one_direct_get_batch(
    store: JetStreamEventStore, province: str, total: int
) -> None:
    pid = new_id()
    subject = petition_subject(province, pid)
    written = [received(pid, province), *assignments(pid, total - 1)]
    expected = 0
    for start in range(0, total, MAX_ATOMIC_BATCH):
        await new_petition(store, province)  # interleave another aggregate between batches
        result = await store.append(
            subject, written[start : start + MAX_ATOMIC_BATCH], expected_last_seq=expected
        )
        expected = result.last_seq

    loaded = await store.load(subject)
    by_id = await store.load(petition_subject_any_province(pid))

    assert [r.event_id for r in loaded.events] == ids_of(written)
    assert [r.event_id for r in by_id.events] == ids_of(written)
    seqs = [r.stream_seq for r in loaded.events]
    assert seqs == sorted(set(seqs)) and loaded.last_seq == expected
    # Reading the tail from the middle of the first page crosses the page boundary too.
    tail = await store.load(subject, after_seq=seqs[9])
    assert [r.event_id for r in tail.events] == ids_of(written[10:])
