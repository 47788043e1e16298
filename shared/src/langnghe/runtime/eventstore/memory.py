"""The event store in memory: the `EventStore` port without a nats-server.

It keeps the JetStream adapter's semantics (tests/contract/ runs the same suite on both):
one global stream sequence, the concurrency check on the subject's last stream sequence,
all-or-nothing batches, and the event id as the de-duplication key, checked in the order the
server checks them (the expected sequence first, then the ids). Events are encoded and
decoded with the same registry as on JetStream, so handlers read back what they would read
from the server. Unlike JetStream's duplicate window, ids are remembered for the store's
lifetime. Nothing here awaits between reading and writing, so concurrent appends on one event
loop are serialised exactly as the server serialises them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from langnghe.contracts.codec import REGISTRY, EventRegistry
from langnghe.contracts.subjects import subject_matcher
from langnghe.runtime.eventstore.records import (
    AppendResult,
    ConcurrencyConflict,
    LoadedAggregate,
    NewEvent,
    RecordedEvent,
    StoredMessage,
    check_batch_size,
)


@dataclass(frozen=True)
class _Stored:
    seq: int
    subject: str
    event_id: str
    data: bytes


class InMemoryEventStore:
    """The `EventStore` port in a list (tests, and services run without a nats-server)."""

    def __init__(self, *, registry: EventRegistry = REGISTRY) -> None:
        self._registry = registry
        self._messages: list[_Stored] = []  # index = stream sequence - 1
        self._last_on: dict[str, int] = {}  # subject -> its last stream sequence
        self._seq_of_id: dict[str, int] = {}  # event id -> stream sequence

    # -- reading ---------------------------------------------------------------------------

    async def load(self, subject_filter: str, *, after_seq: int = 0) -> LoadedAggregate:
        matches = subject_matcher([subject_filter])
        events = [
            RecordedEvent(m.seq, m.subject, self._registry.decode(m.data))
            for m in self._messages[after_seq:]
            if matches(m.subject)
        ]
        return LoadedAggregate(subject=events[-1].subject if events else None, events=events)

    async def read_range(self, subject_filter: str, first_seq: int, last_seq: int) -> list[StoredMessage]:
        matches = subject_matcher([subject_filter])
        return [
            StoredMessage(m.seq, m.subject, m.data)
            for m in self._messages[max(first_seq, 1) - 1 : max(last_seq, 0)]
            if matches(m.subject)
        ]

    async def last_seq_of(self, subject: str) -> tuple[int, str | None]:
        seq = self._last_on.get(subject, 0)
        return (seq, self._messages[seq - 1].event_id) if seq else (0, None)

    async def stream_last_seq(self) -> int:
        return len(self._messages)

    # -- writing ---------------------------------------------------------------------------

    async def append(
        self, subject: str, events: Sequence[NewEvent], *, expected_last_seq: int
    ) -> AppendResult:
        check_batch_size(events)
        encoded = [self._registry.encode(e.meta, e.event) for e in events]
        ids = [str(e.meta.event_id) for e in events]
        actual = self._last_on.get(subject, 0)
        if actual != expected_last_seq:
            # On JetStream: 10071. Ours may already be stored after the expected sequence.
            return self._recovered_or_conflict(
                subject, ids, expected_last_seq, actual, after=expected_last_seq
            )
        seen = [i for i in ids if i in self._seq_of_id]
        if seen or len(set(ids)) != len(ids):
            if len(ids) == 1:
                # A single duplicate is dropped by the server and acked with the original's
                # sequence: ours only if it was stored on this subject.
                original = self._messages[self._seq_of_id[ids[0]] - 1]
                if original.subject != subject:
                    raise ConcurrencyConflict(subject, expected_last_seq, actual)
                return AppendResult(original.seq, original.seq, recovered=True)
            # On JetStream: the batch is refused (10201); it may be ours, stored earlier.
            return self._recovered_or_conflict(subject, ids, expected_last_seq, actual, after=0)
        first = len(self._messages) + 1
        for event_id, (body, _headers) in zip(ids, encoded, strict=True):
            seq = len(self._messages) + 1
            self._messages.append(_Stored(seq, subject, event_id, body))
            self._seq_of_id[event_id] = seq
        self._last_on[subject] = len(self._messages)
        return AppendResult(first_seq=first, last_seq=len(self._messages))

    def _recovered_or_conflict(
        self, subject: str, ids: list[str], expected: int, actual: int, *, after: int
    ) -> AppendResult:
        """The JetStream adapter's recovery: our last event on this subject (at its end, or
        after `after` with others' events following it) means the append had succeeded."""
        own_last = self._seq_of_id.get(ids[-1])
        on_subject = own_last is not None and self._messages[own_last - 1].subject == subject
        if own_last is not None and on_subject and (own_last == actual or own_last > after):
            return AppendResult(own_last - len(ids) + 1, own_last, recovered=True)
        raise ConcurrencyConflict(subject, expected, actual)
