"""Carry out one command on one aggregate: load its events, fold, decide, append with the
concurrency check; on a conflict, reload and decide again. Every service's command handlers
go through here, so the rules (idempotent replays, bounded retries, metadata) live once.

- The command id makes the command idempotent: its events get ids derived from it, and a
  command whose first event is already in the aggregate is reported as done, not repeated.
- A command may carry a fingerprint of the request it came from (`request_fingerprint`). It is
  written into every event's metadata, so when the same command id comes back with another
  fingerprint (the client reused an Idempotency-Key for a different body) the command is
  refused with `409 idempotency.key_reused` instead of being reported as done
  (docs/ARCHITECTURE.md, "From a request to a read model").
- `decide` is the service's pure decision, given the folded state and the moment of the
  command; it returns the new events (none: nothing to change) or raises a domain error.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from langnghe.contracts.codec import Envelope
from langnghe.contracts.envelope import Actor, EventMeta, event_id_for
from langnghe.contracts.events.base import DomainEvent
from langnghe.domain.errors import CONFLICT, DomainError
from langnghe.runtime.eventstore import ConcurrencyConflict, EventStore, NewEvent

S = TypeVar("S")

MAX_CONFLICT_RETRIES = 3
#: The command id travels as the events' `causation_id`, which holds at most 128 characters.
MAX_COMMAND_ID = 128

Fold = Callable[[Iterable[tuple[DomainEvent, datetime]]], S]


def command_id(name: str, aggregate_id: str, discriminator: str) -> str:
    """`<name>:<aggregate id>:<discriminator>` (the discriminator is usually the client's
    Idempotency-Key), or a digest of it when that would be too long."""
    value = f"{name}:{aggregate_id}:{discriminator}"
    if len(value) <= MAX_COMMAND_ID:
        return value
    return f"{name}:{hashlib.sha256(value.encode()).hexdigest()}"


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key came with a different request body."""

    def __init__(self, what: str = "một yêu cầu khác") -> None:
        super().__init__(
            "idempotency.key_reused",
            f"Khóa Idempotency-Key này đã được dùng cho {what}; hãy dùng khóa mới.",
            "Idempotency-Key",
            status=CONFLICT,
        )


def request_fingerprint(body: bytes) -> str:
    """A digest of a JSON request body that ignores how it was written (whitespace, key order,
    escapes) but not what it says: the JSON is parsed and written again canonically (sorted
    keys, no spaces), then hashed. A body that is not JSON is hashed as it is."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


@dataclass(frozen=True)
class CommandOutcome:
    aggregate_id: str
    stream_seq: int
    """The sequence to wait for (read-your-writes): the last appended, or the aggregate's last."""
    events: list[str]
    """Types of the events appended; empty when nothing changed or the command was a replay."""


@dataclass(frozen=True)
class Target:
    """Which aggregate: `load_filter` finds its subject (a wildcard is fine when the province
    is not known), `create_subject` is where its first event goes (None: it must exist)."""

    aggregate_type: str
    aggregate_id: str
    load_filter: str
    create_subject: str | None = None


async def execute(
    store: EventStore,
    target: Target,
    fold: Fold[S],
    decide: Callable[[S, datetime], list[DomainEvent]],
    *,
    command_id: str,
    actor: Actor,
    correlation_id: str,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    retries: int = MAX_CONFLICT_RETRIES,
    request_fingerprint: str | None = None,
) -> CommandOutcome:
    """Raises the domain's own errors from `decide`, `ConcurrencyConflict` when the aggregate
    kept changing under us `retries` times in a row, and `IdempotencyKeyReused` when the
    command was carried out before for a request with another fingerprint."""
    first_id = event_id_for(command_id, 0)
    for attempt in range(retries + 1):
        loaded = await store.load(target.load_filter)
        done = [r for r in loaded.events if r.event_id == first_id]
        if done:  # the same command (same id) was already carried out
            stored = done[0].envelope.meta.command_fingerprint
            # An event written before fingerprints existed, or by a command that has none
            # (reactions, timers), cannot be compared: it stays a plain replay.
            if request_fingerprint and stored and stored != request_fingerprint:
                raise IdempotencyKeyReused()
            return CommandOutcome(target.aggregate_id, done[-1].stream_seq, [])
        state = fold(
            (r.envelope.event, r.envelope.meta.occurred_at)
            for r in loaded.events
            if isinstance(r.envelope, Envelope)
        )
        at = now()
        events = decide(state, at)
        subject = loaded.subject or target.create_subject
        if not events or subject is None:
            return CommandOutcome(target.aggregate_id, loaded.last_seq, [])
        new = [
            NewEvent(
                EventMeta(
                    event_id=event_id_for(command_id, i),
                    aggregate_type=target.aggregate_type,
                    aggregate_id=target.aggregate_id,
                    occurred_at=at,
                    schema_version=e.SCHEMA_VERSION,
                    correlation_id=correlation_id,
                    causation_id=command_id,
                    actor=actor,
                    command_fingerprint=request_fingerprint,
                ),
                e,
            )
            for i, e in enumerate(events)
        ]
        try:
            result = await store.append(subject, new, expected_last_seq=loaded.last_seq)
        except ConcurrencyConflict:
            if attempt == retries:
                raise
            continue
        return CommandOutcome(target.aggregate_id, result.last_seq, [e.type for e in events])
    raise AssertionError("unreachable")
