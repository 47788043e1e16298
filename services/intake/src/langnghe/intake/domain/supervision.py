"""An MTTQ supervision session (cuộc giám sát): planned -> held -> findings recorded ->
recommendations issued, each addressed to one agency. Pure decide/evolve.

Sa Pa 2022 names the gap this closes: "MTTQ supervision of conclusions after dialogue is not
regular". A session names the conferences and petitions it covers; each recommendation is
then followed by tracking as a petition of its own (see `recommendation_petition_id`).
"""

from __future__ import annotations

import re
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
from langnghe.intake.domain.conference import TWO_LEVEL_GOVERNMENT_SINCE

MIN_TOPIC_CHARS = 5
MIN_FINDINGS_CHARS = 20
MIN_RECOMMENDATION_CHARS = 20
_RECOMMENDATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


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


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _require_exists(state: SupervisionState) -> None:
    if not state.exists:
        raise SupervisionRuleBroken("supervision.not_found", "Không tìm thấy cuộc giám sát này.", status=404)


def _require_held(state: SupervisionState) -> None:
    _require_exists(state)
    if not state.is_held:
        raise SupervisionRuleBroken("supervision.not_held", "Cuộc giám sát chưa được tiến hành.", status=409)


def decide_plan(state: SupervisionState, cmd: PlanSupervision, today: date) -> list[DomainEvent]:
    if state.exists:
        raise SupervisionRuleBroken(
            "supervision.already_planned", "Cuộc giám sát này đã có kế hoạch.", status=409
        )
    if not cmd.lead_body_ref:
        raise SupervisionRuleBroken(
            "supervision.lead_body_required",
            "Cần chọn Ủy ban MTTQ (hoặc tổ chức thành viên) chủ trì giám sát.",
            "lead_body_ref",
        )
    topic = cmd.topic
    if len(topic) < MIN_TOPIC_CHARS:
        raise SupervisionRuleBroken("supervision.topic_required", "Cần ghi nội dung giám sát.", "topic")
    agencies = _unique(cmd.supervised_agency_codes)
    if not agencies:
        raise SupervisionRuleBroken(
            "supervision.agency_required",
            "Cần chọn ít nhất một cơ quan, đơn vị chịu sự giám sát.",
            "supervised_agency_codes",
        )
    if cmd.planned_on < today:
        raise SupervisionRuleBroken(
            "supervision.planned_in_past", "Ngày dự kiến giám sát không thể là một ngày đã qua.", "planned_on"
        )
    if cmd.level is UnitLevel.DISTRICT and cmd.planned_on >= TWO_LEVEL_GOVERNMENT_SINCE:
        raise SupervisionRuleBroken(
            "supervision.district_level_abolished",
            "Từ ngày 01/7/2025 không còn cấp huyện; hãy chọn cấp tỉnh hoặc cấp xã.",
            "level",
        )
    return [
        SupervisionPlanned(
            province_code=cmd.province_code,
            level=cmd.level,
            lead_body_ref=cmd.lead_body_ref,
            form=cmd.form,
            topic=topic,
            supervised_agency_codes=agencies,
            conference_ids=_unique(cmd.conference_ids),
            petition_ids=_unique(cmd.petition_ids),
            planned_on=cmd.planned_on,
        )
    ]


def decide_hold(state: SupervisionState, cmd: HoldSupervision, today: date) -> list[DomainEvent]:
    _require_exists(state)
    if state.is_held:
        raise SupervisionRuleBroken(
            "supervision.already_held", "Việc tiến hành cuộc giám sát này đã được ghi nhận.", status=409
        )
    if cmd.held_on > today:
        raise SupervisionRuleBroken(
            "supervision.held_in_future", "Ngày giám sát không thể sau ngày hôm nay.", "held_on"
        )
    members = _unique(cmd.member_refs)
    if not members:
        raise SupervisionRuleBroken(
            "supervision.members_required", "Cần ghi thành viên đoàn giám sát.", "member_refs"
        )
    return [
        SupervisionHeld(
            held_on=cmd.held_on, member_refs=members, agencies_present=_unique(cmd.agencies_present)
        )
    ]


def decide_record_findings(state: SupervisionState, cmd: RecordFindings, today: date) -> list[DomainEvent]:
    _require_held(state)
    assert state.held_on is not None
    if state.status is Status.FINDINGS_RECORDED:
        raise SupervisionRuleBroken(
            "supervision.findings_already_recorded", "Kết quả giám sát đã được ghi nhận.", status=409
        )
    if cmd.report_date < state.held_on:
        raise SupervisionRuleBroken(
            "supervision.findings_before_session",
            "Ngày báo cáo kết quả không thể trước ngày giám sát.",
            "report_date",
        )
    if cmd.report_date > today:
        raise SupervisionRuleBroken(
            "supervision.findings_in_future", "Ngày báo cáo không thể sau ngày hôm nay.", "report_date"
        )
    findings = cmd.findings
    if len(findings) < MIN_FINDINGS_CHARS:
        raise SupervisionRuleBroken(
            "supervision.findings_too_short",
            f"Kết quả giám sát cần ít nhất {MIN_FINDINGS_CHARS} ký tự.",
            "findings",
        )
    return [
        SupervisionFindingsRecorded(
            report_number=cmd.report_number or None, report_date=cmd.report_date, findings=findings
        )
    ]


def decide_issue_recommendation(
    state: SupervisionState, cmd: IssueRecommendation, today: date
) -> list[DomainEvent]:
    _require_held(state)
    if state.status is not Status.FINDINGS_RECORDED:
        raise SupervisionRuleBroken(
            "supervision.findings_required",
            "Cần ghi nhận kết quả giám sát trước khi ban hành kiến nghị sau giám sát.",
            status=409,
        )
    assert state.findings_on is not None
    if not _RECOMMENDATION_ID.fullmatch(cmd.recommendation_id):
        raise SupervisionRuleBroken(
            "supervision.recommendation_id_invalid",
            "Mã kiến nghị chỉ gồm chữ, số, '-' và '_' (tối đa 64 ký tự).",
            "recommendation_id",
        )
    agency = cmd.addressee_agency_code
    content = cmd.content
    earlier = next((r for r in state.recommendations if r.recommendation_id == cmd.recommendation_id), None)
    if earlier is not None:
        if (earlier.addressee_agency_code, earlier.content) == (agency, content):
            return []  # the same recommendation again changes nothing
        raise SupervisionRuleBroken(
            "supervision.recommendation_id_taken",
            "Mã kiến nghị này đã dùng cho một kiến nghị khác.",
            "recommendation_id",
            status=409,
        )
    if not agency:
        raise SupervisionRuleBroken(
            "supervision.addressee_required",
            "Cần chọn cơ quan, đơn vị nhận kiến nghị.",
            "addressee_agency_code",
        )
    if len(content) < MIN_RECOMMENDATION_CHARS:
        raise SupervisionRuleBroken(
            "supervision.recommendation_too_short",
            f"Nội dung kiến nghị cần ít nhất {MIN_RECOMMENDATION_CHARS} ký tự.",
            "content",
        )
    if cmd.issued_on < state.findings_on:
        raise SupervisionRuleBroken(
            "supervision.recommendation_before_findings",
            "Ngày ban hành kiến nghị không thể trước ngày báo cáo kết quả giám sát.",
            "issued_on",
        )
    if cmd.issued_on > today:
        raise SupervisionRuleBroken(
            "supervision.recommendation_in_future", "Ngày ban hành không thể sau ngày hôm nay.", "issued_on"
        )
    if cmd.response_due is not None and cmd.response_due <= cmd.issued_on:
        raise SupervisionRuleBroken(
            "supervision.response_due_not_after_issue",
            "Thời hạn trả lời phải sau ngày ban hành kiến nghị.",
            "response_due",
        )
    return [
        SupervisionRecommendationIssued(
            recommendation_id=cmd.recommendation_id,
            addressee_agency_code=agency,
            content=content,
            field_code=cmd.field_code,
            issued_on=cmd.issued_on,
            document_number=cmd.document_number or None,
            response_due=cmd.response_due,
            conference_id=cmd.conference_id,
            petition_ids=_unique(cmd.petition_ids),
        )
    ]


def decide(state: SupervisionState, cmd: SupervisionCommand, today: date) -> list[DomainEvent]:
    if isinstance(cmd, PlanSupervision):
        return decide_plan(state, cmd, today)
    if isinstance(cmd, HoldSupervision):
        return decide_hold(state, cmd, today)
    if isinstance(cmd, RecordFindings):
        return decide_record_findings(state, cmd, today)
    return decide_issue_recommendation(state, cmd, today)
