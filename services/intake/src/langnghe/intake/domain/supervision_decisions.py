"""The MTTQ supervision session's decisions: one pure function per command, from the state
folded so far (`supervision.fold`) and the day in Vietnam to the events to append, or
`SupervisionRuleBroken`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import (
    SupervisionFindingsRecorded,
    SupervisionHeld,
    SupervisionPlanned,
    SupervisionRecommendationIssued,
    UnitLevel,
)
from langnghe.intake.domain.conference import TWO_LEVEL_GOVERNMENT_SINCE
from langnghe.intake.domain.supervision import (
    MIN_FINDINGS_CHARS,
    MIN_RECOMMENDATION_CHARS,
    MIN_TOPIC_CHARS,
    HoldSupervision,
    IssueRecommendation,
    PlanSupervision,
    RecordFindings,
    Status,
    SupervisionCommand,
    SupervisionRuleBroken,
    SupervisionState,
)

_RECOMMENDATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


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
