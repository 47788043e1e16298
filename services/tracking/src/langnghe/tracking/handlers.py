"""Tracking's command handlers: load the petition, decide, append with the concurrency check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from langnghe.contracts.codec import Envelope
from langnghe.contracts.envelope import Actor, EventMeta, event_id_for
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.subjects import petition_subject_any_province
from langnghe.runtime.eventstore import ConcurrencyConflict, JetStreamEventStore, LoadedAggregate, NewEvent
from langnghe.tracking.domain.petition import PetitionRuleBroken, PetitionState, fold

MAX_CONFLICT_RETRIES = 3

Decide = Callable[[PetitionState, datetime], list[DomainEvent]]


@dataclass(frozen=True)
class CommandResult:
    petition_id: str
    stream_seq: int
    events: list[str]


async def load_petition(
    store: JetStreamEventStore, petition_id: str
) -> tuple[LoadedAggregate, PetitionState]:
    loaded = await store.load(petition_subject_any_province(petition_id))
    state = fold(
        (r.envelope.event, r.envelope.meta.occurred_at)
        for r in loaded.events
        if isinstance(r.envelope, Envelope)
    )
    return loaded, state


async def handle_command(
    store: JetStreamEventStore,
    petition_id: str,
    decide: Decide,
    *,
    command_id: str,
    actor: Actor,
    correlation_id: str,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> CommandResult:
    """Load -> decide -> append; on a concurrency conflict reload and decide again."""
    for attempt in range(MAX_CONFLICT_RETRIES + 1):
        loaded, state = await load_petition(store, petition_id)
        subject, last_seq = loaded.subject, loaded.last_seq
        first_id = event_id_for(command_id, 0)
        done = [r for r in loaded.events if r.event_id == first_id]
        if done:  # the same command (same Idempotency-Key) was already carried out
            return CommandResult(petition_id, done[0].stream_seq, [])
        at = now()
        events = decide(state, at)
        if not events or subject is None:
            return CommandResult(petition_id, last_seq, [])
        new = [
            NewEvent(
                EventMeta(
                    event_id=event_id_for(command_id, i),
                    aggregate_type="petition",
                    aggregate_id=petition_id,
                    occurred_at=at,
                    schema_version=e.SCHEMA_VERSION,
                    correlation_id=correlation_id,
                    causation_id=command_id,
                    actor=actor,
                ),
                e,
            )
            for i, e in enumerate(events)
        ]
        try:
            result = await store.append(subject, new, expected_last_seq=last_seq)
        except ConcurrencyConflict:
            if attempt == MAX_CONFLICT_RETRIES:
                raise PetitionRuleBroken(
                    "petition.concurrent_change",
                    "Kiến nghị vừa được người khác cập nhật; vui lòng tải lại và thử lại.",
                    status=409,
                ) from None
            continue
        return CommandResult(petition_id, result.last_seq, [e.type for e in events])
    raise AssertionError("unreachable")
