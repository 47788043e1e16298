"""What every event store reads and writes: events as stored, append results, the refusals.

Both implementations (`jetstream`, `memory`) return and raise exactly these, so a handler
written against the `EventStore` port never sees which one it runs on.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from langnghe.contracts.codec import Envelope, EventRegistry, UndecodableEvent, UnknownEvent
from langnghe.contracts.envelope import EventMeta
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.subjects import aggregate_id_of

#: The most events one append may carry: JetStream's limit for one atomic batch.
MAX_ATOMIC_BATCH = 1000


@dataclass(frozen=True)
class RecordedEvent:
    """An event as stored: its envelope plus where it sits in the stream."""

    stream_seq: int
    subject: str
    envelope: Envelope[DomainEvent] | UnknownEvent

    @property
    def event_id(self) -> uuid.UUID:
        return self.envelope.meta.event_id


class StoredMessage(NamedTuple):
    """A stored message as read back, undecoded. A tuple: a rebuild makes one per event."""

    seq: int
    subject: str
    data: bytes


class AggregateIdMismatch(UndecodableEvent):
    """A valid envelope on the subject of another aggregate: applying it would change the
    aggregate its subject names with an event that says it belongs elsewhere."""


def decode_stored(registry: EventRegistry, seq: int, subject: str, data: bytes) -> RecordedEvent:
    """A stored message as every reader reads it: decoded, and on the subject of the aggregate
    its envelope names. Raises `UndecodableEvent` (or a subclass) for a message to quarantine."""
    envelope = registry.decode(data)
    claimed = envelope.meta.aggregate_id
    if claimed != aggregate_id_of(subject):
        raise AggregateIdMismatch(f"aggregate id {claimed[:64]!r} is not the subject's ({subject})")
    return RecordedEvent(seq, subject, envelope)


@dataclass(frozen=True)
class QuarantinedMessage:
    """A stored message no reader may apply (undecodable, from a future schema version, or
    naming another aggregate), until an operator voids it."""

    stream: str
    seq: int
    subject: str
    reason: str
    first_seen: datetime


class AggregateQuarantined(Exception):
    """Loading (or replaying) met messages to quarantine that are not voided: the aggregate
    cannot be folded safely, so no command may decide on it until an operator acts."""

    def __init__(self, subject: str | None, messages: Sequence[QuarantinedMessage]) -> None:
        where = ", ".join(f"{m.stream} #{m.seq}" for m in messages)
        super().__init__(f"{subject or 'stream'}: quarantined message(s) {where}")
        self.subject = subject
        self.messages = list(messages)


@dataclass(frozen=True)
class LoadedAggregate:
    subject: str | None
    events: list[RecordedEvent]
    #: The subject's last stored sequence, voided messages included (they are skipped, but
    #: the concurrency check counts every message on the subject).
    last_stored_seq: int = 0

    @property
    def last_seq(self) -> int:
        """Value for `Nats-Expected-Last-Subject-Sequence`; 0 when the aggregate does not exist."""
        return max(self.events[-1].stream_seq if self.events else 0, self.last_stored_seq)

    @property
    def exists(self) -> bool:
        return bool(self.events)


@dataclass(frozen=True)
class AppendResult:
    first_seq: int
    last_seq: int
    recovered: bool = False
    """True when the append had already succeeded (a retry after a lost ack)."""


class ConcurrencyConflict(Exception):
    """Someone appended to the aggregate since it was loaded. Reload, re-decide, retry."""

    def __init__(self, subject: str, expected: int, actual: int | None) -> None:
        super().__init__(f"{subject}: expected last sequence {expected}, found {actual}")
        self.subject = subject
        self.expected = expected
        self.actual = actual


class EventStoreUnavailable(Exception):
    """The server did not answer in time after retries; the caller may retry later."""


@dataclass(frozen=True)
class NewEvent:
    meta: EventMeta
    event: DomainEvent


def check_batch_size(events: Sequence[object]) -> None:
    """The limits every store enforces before writing anything."""
    count = len(events)
    if not count:
        raise ValueError("nothing to append")
    if count > MAX_ATOMIC_BATCH:
        raise ValueError(f"at most {MAX_ATOMIC_BATCH} events per append")
