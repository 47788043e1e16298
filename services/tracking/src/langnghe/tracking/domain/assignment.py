"""Who handles the petition: assignment to an agency with a promised date, reassignment within
the handling unit, and escalation or transfer to another level or unit."""

from __future__ import annotations

from datetime import date

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import UnitLevel
from langnghe.contracts.events.petition import (
    LegalType,
    PetitionAssigned,
    PetitionEscalated,
    PetitionReassigned,
    StatutoryTerm,
)
from langnghe.domain.units import TWO_LEVEL_SINCE
from langnghe.tracking.domain.clock import STATUTE_CLOCK, LegalClock
from langnghe.tracking.domain.commands import AssignPetition, EscalatePetition, ReassignPetition
from langnghe.tracking.domain.errors import PetitionRuleBroken
from langnghe.tracking.domain.guards import (
    require_agency,
    require_open,
    require_reason,
    require_valid_promise,
)
from langnghe.tracking.domain.state import PetitionState, Status, deadline_version_after


def _clock_in_force(state: PetitionState, clock: LegalClock) -> StatutoryTerm | None:
    """The statutory clock after an assignment: the one running, else the one that has run from
    receipt (it starts being tracked with the first assignment). A reopened or accepted petition
    does not go back to its receipt clock."""
    if state.statutory is not None or state.accepted_on is not None or state.reopened:
        return state.statutory
    assert state.received_on is not None
    return clock.on_receipt(state.legal_type or LegalType.RECOMMENDATION, state.received_on)


def decide_assign(
    state: PetitionState, cmd: AssignPetition, today: date, *, clock: LegalClock = STATUTE_CLOCK
) -> list[DomainEvent]:
    require_open(state)
    agency = require_agency(cmd.agency_code)
    statutory = _clock_in_force(state, clock)
    require_valid_promise(state, cmd.promised_date, today, statutory)
    if state.status is Status.ASSIGNED and (state.agency_code, state.promised_date) == (
        agency,
        cmd.promised_date,
    ):
        return []  # the same assignment again changes nothing
    if state.status is Status.ASSIGNED:
        # Assigning again would hand the case round (or move its date) without the reason a
        # reassignment or an extension must give.
        raise PetitionRuleBroken(
            "petition.already_assigned",
            f"Kiến nghị đã được giao cho {state.agency_code}. Muốn giao cho cơ quan khác, hãy dùng "
            "“giao lại” (reassign) và nêu lý do; muốn dời ngày hẹn, hãy dùng “gia hạn” (extend).",
            status=409,
        )
    return [
        PetitionAssigned(
            agency_code=agency,
            officer_ref=cmd.officer_ref or None,
            promised_date=cmd.promised_date,
            statutory=statutory,
            deadline_version=deadline_version_after(state, cmd.promised_date, statutory),
        )
    ]


def require_assigned(state: PetitionState) -> None:
    require_open(state)
    if state.status is not Status.ASSIGNED:
        raise PetitionRuleBroken(
            "petition.not_assigned",
            "Kiến nghị chưa được giao cho cơ quan nào; hãy giao việc trước.",
            status=409,
        )


def decide_reassign(state: PetitionState, cmd: ReassignPetition, today: date) -> list[DomainEvent]:
    """Reassignment stays within the handling unit, so the statutory clock runs on: handing a
    case round does not buy time."""
    require_assigned(state)
    agency = require_agency(cmd.agency_code)
    reason = require_reason(cmd.reason)
    officer = cmd.officer_ref or None
    promised = state.promised_date
    if cmd.promised_date is not None:
        require_valid_promise(state, cmd.promised_date, today, state.statutory)
        promised = cmd.promised_date
    if (agency, officer, promised) == (state.agency_code, state.officer_ref, state.promised_date):
        return []
    assert state.agency_code is not None
    return [
        PetitionReassigned(
            from_agency_code=state.agency_code,
            agency_code=agency,
            officer_ref=officer,
            reason=reason,
            promised_date=promised,
            deadline_version=deadline_version_after(state, promised, state.statutory),
        )
    ]


def decide_escalate(state: PetitionState, cmd: EscalatePetition, today: date) -> list[DomainEvent]:
    """The receiving level or unit assigns anew and sets its own promised date; the clocks of the
    unit that sent it stop."""
    require_open(state)
    unit = cmd.to_unit_code
    if not unit:
        raise PetitionRuleBroken(
            "petition.unit_required", "Cần chọn cấp hoặc đơn vị có thẩm quyền nhận kiến nghị.", "to_unit_code"
        )
    if cmd.to_level is UnitLevel.DISTRICT and today >= TWO_LEVEL_SINCE:
        raise PetitionRuleBroken(
            "petition.district_level_abolished",
            "Từ ngày 01/7/2025 không còn cấp huyện; hãy chọn cấp tỉnh hoặc cấp xã.",
            "to_level",
        )
    reason = require_reason(cmd.reason)
    if state.status is Status.ESCALATED and (state.handling_level, state.handling_unit_code) == (
        cmd.to_level,
        unit,
    ):
        return []  # already sent there
    return [
        PetitionEscalated(
            kind=cmd.kind,
            to_level=cmd.to_level,
            to_unit_code=unit,
            reason=reason,
            from_agency_code=state.agency_code,
            deadline_version=deadline_version_after(state, None, None),
        )
    ]
