"""MTTQ supervision sessions: plan, hold, record findings, issue recommendations, read one back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.subjects import supervision_subject
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.intake.domain import supervision, supervision_decisions
from langnghe.intake.domain.aggregate_ids import SUPERVISION, aggregate_id, province_of
from langnghe.intake.domain.references import (
    check_recommendation_references,
    check_supervision_references,
)
from langnghe.intake.domain.supervision import (
    IssueRecommendation,
    PlanSupervision,
    SupervisionCommand,
    SupervisionRuleBroken,
    SupervisionState,
)
from langnghe.intake.handlers.context import CommandContext
from langnghe.intake.handlers.facts import facts
from langnghe.runtime.commands import CommandOutcome, Target, execute
from langnghe.runtime.eventstore import EventStore

AGGREGATE = "supervision"


@dataclass(frozen=True)
class SupervisionView:
    session_id: str
    state: SupervisionState
    stream_seq: int


def _not_found() -> SupervisionRuleBroken:
    return SupervisionRuleBroken("supervision.not_found", "Không tìm thấy cuộc giám sát này.", status=404)


def _province(session_id: str) -> str:
    province = province_of(SUPERVISION, session_id)
    if province is None:  # not an id intake gave out, so no such session
        raise _not_found()
    return province


async def plan_supervision(store: EventStore, cmd: PlanSupervision, ctx: CommandContext) -> CommandOutcome:
    session_id = aggregate_id(SUPERVISION, cmd.province_code, ctx.creation_key())
    subject = supervision_subject(cmd.province_code, session_id)

    def decide(state: SupervisionState, now: datetime) -> list[DomainEvent]:
        events = supervision_decisions.decide(state, cmd, vietnam_date(now))
        check_supervision_references(cmd)
        return events

    return await execute(
        store,
        Target(AGGREGATE, session_id, subject, create_subject=subject),
        supervision.fold,
        decide,
        command_id=ctx.command_id("supervision.plan", session_id),
        actor=ctx.actor,
        correlation_id=ctx.correlation_id,
        request_fingerprint=ctx.fingerprint,
    )


async def change_supervision(
    store: EventStore, session_id: str, name: str, cmd: SupervisionCommand, ctx: CommandContext
) -> CommandOutcome:
    province = _province(session_id)

    def decide(state: SupervisionState, now: datetime) -> list[DomainEvent]:
        events = supervision_decisions.decide(state, cmd, vietnam_date(now))
        if events and isinstance(cmd, IssueRecommendation):
            check_recommendation_references(province, cmd)
        return events

    return await execute(
        store,
        Target(AGGREGATE, session_id, supervision_subject(province, session_id)),
        supervision.fold,
        decide,
        command_id=ctx.command_id(name, session_id),
        actor=ctx.actor,
        correlation_id=ctx.correlation_id,
        request_fingerprint=ctx.fingerprint,
    )


async def get_supervision(store: EventStore, session_id: str) -> SupervisionView:
    loaded = await store.load(supervision_subject(_province(session_id), session_id))
    state = supervision.fold(facts(loaded))
    if not state.exists:
        raise _not_found()
    return SupervisionView(session_id, state, loaded.last_seq)
