"""Conference plans: issue or revise a unit's plan for a year or a quarter, and read it back.

A plan is filed under the province of the unit that issues it, and its id is derived from the
unit and the period (`plan_id`), so setting it again revises the same plan.

Planned-versus-held (`plan_progress`) needs every conference of the province, and there is no
way yet to find them: the conference subjects of a province have no filter builder in
`langnghe.contracts.subjects`, and intake has no projection of conferences. So reading a plan
gives the plan; the comparison belongs to a read model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.subjects import conference_plan_subject
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.intake.domain import plan
from langnghe.intake.domain.conference import ConferenceRuleBroken
from langnghe.intake.domain.plan import PlanState, SetConferencePlan, decide_set_plan, plan_id
from langnghe.intake.domain.references import check_plan_references, find_place
from langnghe.intake.handlers.context import CommandContext
from langnghe.intake.handlers.facts import facts
from langnghe.runtime.commands import CommandOutcome, Target, execute
from langnghe.runtime.eventstore import EventStore

AGGREGATE = "conference_plan"


@dataclass(frozen=True)
class PlanView:
    plan_id: str
    state: PlanState
    stream_seq: int


def plan_province(issuer_unit_code: str) -> str:
    """The province a plan is filed under: that of its issuer (for a legacy unit, the province
    that took it over)."""
    return find_place(issuer_unit_code, "issuer_unit_code").province_code


async def set_plan(store: EventStore, cmd: SetConferencePlan, ctx: CommandContext) -> CommandOutcome:
    aggregate_id = plan_id(cmd.issuer_unit_code, cmd.year, cmd.quarter)
    subject = conference_plan_subject(cmd.province_code, aggregate_id)

    def decide(state: PlanState, now: datetime) -> list[DomainEvent]:
        events = decide_set_plan(state, cmd, vietnam_date(now))
        if events:
            check_plan_references(cmd)
        return events

    return await execute(
        store,
        Target(AGGREGATE, aggregate_id, subject, create_subject=subject),
        plan.fold,
        decide,
        command_id=ctx.command_id("conference.set_plan", aggregate_id),
        actor=ctx.actor,
        correlation_id=ctx.correlation_id,
        request_fingerprint=ctx.fingerprint,
    )


async def get_plan(store: EventStore, issuer_unit_code: str, year: int, quarter: int | None) -> PlanView:
    aggregate_id = plan_id(issuer_unit_code, year, quarter)
    loaded = await store.load(conference_plan_subject(plan_province(issuer_unit_code), aggregate_id))
    state = plan.fold(facts(loaded))
    if not state.exists:
        raise ConferenceRuleBroken(
            "conference.plan_not_found",
            "Đơn vị này chưa có kế hoạch tổ chức hội nghị cho kỳ này.",
            status=404,
        )
    return PlanView(aggregate_id, state, loaded.last_seq)
