"""The event store as handlers, policies and consumers see it: a port with two adapters.

`JetStreamEventStore` (production) and `InMemoryEventStore` (tests, a nats-server-free
service) both pass tests/contract/test_event_store_contract.py. The semantics every
implementation must keep:

- One subject per aggregate. `append` succeeds only if the subject's last *stream* sequence
  is `expected_last_seq` (0 = the subject must hold nothing); otherwise `ConcurrencyConflict`.
- Several events in one `append` are stored all or none, at contiguous stream sequences.
- The event id is the de-duplication key. Appending events that are already stored on the
  same subject (a retry after a lost ack, or a caller that re-decided the same thing) returns
  their sequences with `recovered=True` and writes nothing. Ids stored on *another* subject
  are a conflict, never reported as stored.
- Subject filters use NATS wildcards: `*` one token, `>` the rest.
- `load` never hands over a message readers refuse (undecodable, from a future schema
  version, naming another aggregate): a voided one is skipped, any other raises
  `AggregateQuarantined`. `last_seq` still counts every message on the subject.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from langnghe.runtime.eventstore.records import (
    AppendResult,
    LoadedAggregate,
    NewEvent,
    QuarantinedMessage,
    StoredMessage,
)
from langnghe.runtime.eventstore.voids import VoidMarker


class EventStore(Protocol):
    async def load(self, subject_filter: str, *, after_seq: int = 0) -> LoadedAggregate:
        """All events on one aggregate subject after `after_seq`, in order."""
        ...

    async def append(
        self, subject: str, events: Sequence[NewEvent], *, expected_last_seq: int
    ) -> AppendResult:
        """Append all of `events` or none, if the subject's last sequence is as expected."""
        ...

    async def last_seq_of(self, subject: str) -> tuple[int, str | None]:
        """(stream sequence, event id) of the subject's last message; (0, None) if empty."""
        ...

    async def stream_last_seq(self) -> int:
        """The sequence of the last message in the whole stream (0 when empty)."""
        ...

    async def read_range(self, subject_filter: str, first_seq: int, last_seq: int) -> list[StoredMessage]:
        """Raw messages matching the filter with first_seq <= sequence <= last_seq, in order."""
        ...

    async def voided(self, seqs: Iterable[int]) -> dict[int, VoidMarker]:
        """The void markers of those of `seqs` that an operator voided."""
        ...

    async def void(self, seq: int, *, reason: str, actor: str) -> tuple[VoidMarker, bool]:
        """Void a quarantined message: (its marker, whether it was written now)."""
        ...

    def quarantined(self) -> list[QuarantinedMessage]:
        """The messages this process's loads met and could not apply (not voided since)."""
        ...
