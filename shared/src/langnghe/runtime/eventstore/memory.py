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

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from langnghe.contracts.codec import REGISTRY, EventRegistry, UndecodableEvent
from langnghe.contracts.subjects import PETITIONS_STREAM, subject_matcher, voided_subject
from langnghe.domain.errors import CONFLICT, NOT_FOUND
from langnghe.runtime.eventstore.records import (
    AppendResult,
    ConcurrencyConflict,
    LoadedAggregate,
    NewEvent,
    QuarantinedMessage,
    RecordedEvent,
    StoredMessage,
    check_batch_size,
    decode_stored,
)
from langnghe.runtime.eventstore.voids import (
    QuarantineBook,
    VoidMarker,
    VoidRefused,
    is_marker_subject,
    refusal_of,
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
        self._voids: dict[int, VoidMarker] = {}
        self._quarantine = QuarantineBook(PETITIONS_STREAM)

    # -- reading ---------------------------------------------------------------------------

    async def load(self, subject_filter: str, *, after_seq: int = 0) -> LoadedAggregate:
        matches = subject_matcher([subject_filter])
        events: list[RecordedEvent] = []
        refused: list[tuple[int, str, str]] = []
        subject: str | None = None
        last = 0
        for m in self._messages[after_seq:]:
            if not matches(m.subject):
                continue
            subject, last = m.subject, m.seq
            try:
                events.append(decode_stored(self._registry, m.seq, m.subject, m.data))
            except UndecodableEvent as exc:
                refused.append((m.seq, m.subject, str(exc)))
        if refused:
            self._quarantine.screen(subject, refused, await self.voided(s for s, _, _ in refused))
        return LoadedAggregate(subject=subject, events=events, last_stored_seq=last)

    # -- quarantine (as on JetStream: see voids.py) ----------------------------------------

    def publish_raw(self, subject: str, data: bytes) -> int:
        """Store bytes as they come, as a raw publish onto the stream would (tests)."""
        seq = len(self._messages) + 1
        self._messages.append(_Stored(seq, subject, f"raw-{seq}", data))
        self._last_on[subject] = seq
        return seq

    async def voided(self, seqs: Iterable[int]) -> dict[int, VoidMarker]:
        return {s: self._voids[s] for s in seqs if s in self._voids}

    async def void(self, seq: int, *, reason: str, actor: str) -> tuple[VoidMarker, bool]:
        if seq in self._voids:
            return self._voids[seq], False
        if not 1 <= seq <= len(self._messages):
            raise VoidRefused("ops.message_not_found", f"Không có thông điệp số {seq}.", "seq", NOT_FOUND)
        stored = self._messages[seq - 1]
        if (
            is_marker_subject(stored.subject)
            or refusal_of(self._registry, seq, stored.subject, stored.data) is None
        ):
            raise VoidRefused(
                "ops.message_not_quarantined",
                f"Thông điệp số {seq} là một sự kiện hợp lệ, không bị cách ly: không thể hủy hiệu lực.",
                "seq",
                CONFLICT,
            )
        marker = VoidMarker(
            stream=PETITIONS_STREAM,
            seq=seq,
            subject=stored.subject,
            reason=reason,
            actor=actor,
            voided_at=datetime.now(UTC),
            sha256=hashlib.sha256(stored.data).hexdigest(),
        )
        self.publish_raw(voided_subject(seq), marker.encode())
        self._voids[seq] = marker
        self._quarantine.cleared(seq)
        return marker, True

    def quarantined(self) -> list[QuarantinedMessage]:
        return self._quarantine.listing()

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
