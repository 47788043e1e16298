"""What a consumer is handed and what it hands on: a message as the runner sees it
(`Incoming`), the handler it applies events with, and the stream reader that fills gaps."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from nats.aio.msg import Msg
from sqlalchemy.ext.asyncio import AsyncSession

from langnghe.contracts.codec import EventRegistry, UndecodableEvent, UnknownEvent
from langnghe.contracts.subjects import aggregate_id_of
from langnghe.runtime.eventstore import RecordedEvent, StoredMessage, VoidMarker, decode_stored


class RangeReader(Protocol):
    async def read_range(self, subject_filter: str, first_seq: int, last_seq: int) -> list[StoredMessage]: ...


class VoidLookup(Protocol):
    """Where a consumer asks whether a message it cannot read was voided by an operator."""

    async def voided(self, seqs: Iterable[int]) -> dict[int, VoidMarker]: ...


class EventHandler(Protocol):
    """Applies events to the service's state. Must be deterministic for a given input, and
    must not commit: the runner owns the transaction.

    A handler may also declare `event_types` (a set of type names): events of other types are
    then not decoded and not handed to it, only counted as processed (the type is read from
    the `Ln-Event-Type` header, so skipping costs no JSON parsing)."""

    async def apply(self, session: AsyncSession, events: Sequence[RecordedEvent]) -> None: ...


@dataclass
class Incoming:
    msg: Msg | None
    seq: int
    subject: str
    payload: bytes
    num_delivered: int
    recorded: RecordedEvent | None
    decode_error: str | None
    delivery_seq: int = 0
    #: The handler does not act on this event's type: checkpointed, never decoded or applied.
    ignored_type: str | None = None

    @property
    def aggregate_id(self) -> str:
        return aggregate_id_of(self.subject)

    @property
    def event_type(self) -> str | None:
        if self.ignored_type is not None:
            return self.ignored_type
        if self.recorded is not None:
            env = self.recorded.envelope
            return env.type if isinstance(env, UnknownEvent) else env.event.type
        return None


def decode(
    registry: EventRegistry,
    event_types: frozenset[str] | None,
    msg: Msg | None,
    seq: int,
    subject: str,
    data: bytes,
    delivered: int,
    event_type: str | None = None,
) -> Incoming:
    """A message as the runner handles it: decoded, or carrying why it could not be (including
    an envelope naming another aggregate than its subject), or, when the handler does not act
    on its type (`event_types`), not decoded at all."""
    if event_type is not None and event_types is not None and event_type not in event_types:
        return Incoming(msg, seq, subject, data, delivered, None, None, ignored_type=event_type)
    try:
        recorded: RecordedEvent | None = decode_stored(registry, seq, subject, data)
        error = None
    except UndecodableEvent as exc:
        recorded, error = None, str(exc)
    return Incoming(msg, seq, subject, data, delivered, recorded, error)
