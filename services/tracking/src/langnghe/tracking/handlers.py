"""Tracking's command handlers: load the petition, decide, append with the concurrency check
(through `langnghe.runtime.commands`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from langnghe.contracts.codec import Envelope
from langnghe.contracts.envelope import Actor
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.subjects import petition_subject, petition_subject_any_province
from langnghe.runtime.commands import CommandOutcome, Target, execute
from langnghe.runtime.eventstore import EventStore
from langnghe.tracking.domain.petition import (
    PetitionCommand,
    PetitionState,
    decide,
    fold,
    vietnam_date,
)

Decide = Callable[[PetitionState, datetime], list[DomainEvent]]


def deciding(cmd: PetitionCommand, *, primary: PetitionState | None = None) -> Decide:
    """The domain's decision on `cmd`, on the day in Vietnam when the command is carried out."""

    def decide_now(state: PetitionState, now: datetime) -> list[DomainEvent]:
        return decide(state, cmd, vietnam_date(now), primary=primary)

    return decide_now


def petition_target(petition_id: str, *, create_in_province: str | None = None) -> Target:
    """A petition found by id alone; `create_in_province` only for a reaction that opens one."""
    return Target(
        aggregate_type="petition",
        aggregate_id=petition_id,
        load_filter=petition_subject_any_province(petition_id),
        create_subject=petition_subject(create_in_province, petition_id) if create_in_province else None,
    )


async def load_petition(store: EventStore, petition_id: str) -> PetitionState:
    loaded = await store.load(petition_subject_any_province(petition_id))
    return fold(
        (r.envelope.event, r.envelope.meta.occurred_at)
        for r in loaded.events
        if isinstance(r.envelope, Envelope)
    )


async def handle_command(
    store: EventStore,
    petition_id: str,
    decide: Decide,
    *,
    command_id: str,
    actor: Actor,
    correlation_id: str,
    create_in_province: str | None = None,
    request_fingerprint: str | None = None,
) -> CommandOutcome:
    """Load -> decide -> append; on a concurrency conflict reload and decide again (3 times),
    then let `ConcurrencyConflict` go (the HTTP layer answers 409 `store.concurrent_change`)."""
    return await execute(
        store,
        petition_target(petition_id, create_in_province=create_in_province),
        fold,
        decide,
        command_id=command_id,
        actor=actor,
        correlation_id=correlation_id,
        request_fingerprint=request_fingerprint,
    )
