"""An MTTQ supervision session (cuộc giám sát): planned -> held -> findings recorded ->
recommendations issued, each addressed to one agency. This module holds the session's state
(a fold over its events), the commands it accepts and the rule error; the decisions are in
`supervision_decisions`.

Sa Pa 2022 names the gap this closes: "MTTQ supervision of conclusions after dialogue is not
regular". A session names the conferences and petitions it covers; each recommendation is
then followed by tracking as a petition of its own (see `recommendation_petition_id`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import (
    SupervisionFindingsRecorded,
    SupervisionForm,
    SupervisionHeld,
    SupervisionPlanned,
    SupervisionRecommendationIssued,
    UnitLevel,
)
from langnghe.domain.errors import DomainError

MIN_TOPIC_CHARS = 5
MIN_FINDINGS_CHARS = 20
MIN_RECOMMENDATION_CHARS = 20


class Status(StrEnum):
    NONE = "none"
    PLANNED = "planned"
    HELD = "held"
    FINDINGS_RECORDED = "findings_recorded"


@dataclass(frozen=True)
class IssuedRecommendation:
    recommendation_id: str
    addressee_agency_code: str
    content: str
    issued_on: date


@dataclass(frozen=True)
class SupervisionState:
    status: Status = Status.NONE
    province_code: str | None = None
    level: UnitLevel | None = None
    form: SupervisionForm | None = None
    planned_on: date | None = None
    held_on: date | None = None
    findings_on: date | None = None
    recommendations: tuple[IssuedRecommendation, ...] = ()
    version: int = 0

    @property
    def exists(self) -> bool:
        return self.status is not Status.NONE

    @property
    def is_held(self) -> bool:
        return self.status in (Status.HELD, Status.FINDINGS_RECORDED)


class SupervisionRuleBroken(DomainError):
    """An MTTQ supervision rule refused the command (codes `supervision.<reason>`)."""


def evolve(state: SupervisionState, event: DomainEvent, occurred_at: datetime) -> SupervisionState:
    state = replace(state, version=state.version + 1)
    if isinstance(event, SupervisionPlanned):
        return replace(
            state,
            status=Status.PLANNED,
            province_code=event.province_code,
            level=event.level,
            form=event.form,
            planned_on=event.planned_on,
        )
    if isinstance(event, SupervisionHeld):
        return replace(state, status=Status.HELD, held_on=event.held_on)
    if isinstance(event, SupervisionFindingsRecorded):
        return replace(state, status=Status.FINDINGS_RECORDED, findings_on=event.report_date)
    if isinstance(event, SupervisionRecommendationIssued):
        issued = IssuedRecommendation(
            event.recommendation_id, event.addressee_agency_code, event.content, event.issued_on
        )
        return replace(state, recommendations=(*state.recommendations, issued))
    return state


def fold(events: Iterable[tuple[DomainEvent, datetime]]) -> SupervisionState:
    state = SupervisionState()
    for event, occurred_at in events:
        state = evolve(state, event, occurred_at)
    return state


@dataclass(frozen=True)
class PlanSupervision:
    province_code: str
    level: UnitLevel
    lead_body_ref: str
    topic: str
    supervised_agency_codes: tuple[str, ...]
    planned_on: date
    form: SupervisionForm = SupervisionForm.MTTQ_DELEGATION
    conference_ids: tuple[str, ...] = ()
    petition_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class HoldSupervision:
    held_on: date
    member_refs: tuple[str, ...]
    agencies_present: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordFindings:
    report_date: date
    findings: str
    report_number: str | None = None


@dataclass(frozen=True)
class IssueRecommendation:
    recommendation_id: str
    addressee_agency_code: str
    content: str
    issued_on: date
    field_code: str | None = None
    document_number: str | None = None
    response_due: date | None = None
    conference_id: str | None = None
    petition_ids: tuple[str, ...] = ()


SupervisionCommand = PlanSupervision | HoldSupervision | RecordFindings | IssueRecommendation
