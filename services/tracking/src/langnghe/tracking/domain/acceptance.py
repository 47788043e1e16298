"""Acceptance (thụ lý): a complaint or a denunciation is taken up for resolution by the agency it
was assigned to, and its statutory resolution clock starts. Other legal types have no acceptance.

A late acceptance is still an acceptance: it is recorded with `late`, so oversight counts it."""

from __future__ import annotations

from datetime import date

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import LegalType, PetitionAccepted
from langnghe.tracking.domain.assignment import require_assigned
from langnghe.tracking.domain.clock import ACCEPTANCE_REQUIRED, STATUTE_CLOCK, LegalClock
from langnghe.tracking.domain.commands import AcceptPetition
from langnghe.tracking.domain.errors import PetitionRuleBroken
from langnghe.tracking.domain.guards import dmy, limits_promise, require_not_future
from langnghe.tracking.domain.state import PetitionState, deadline_version_after


def decide_accept(
    state: PetitionState, cmd: AcceptPetition, today: date, *, clock: LegalClock = STATUTE_CLOCK
) -> list[DomainEvent]:
    require_assigned(state)
    assert state.received_on is not None and state.agency_code is not None
    legal_type = state.legal_type or LegalType.RECOMMENDATION
    if legal_type not in ACCEPTANCE_REQUIRED:
        raise PetitionRuleBroken(
            "petition.acceptance_not_required",
            "Chỉ khiếu nại và tố cáo phải được thụ lý; kiến nghị, phản ánh được giải quyết theo ngày hẹn.",
            status=409,
        )
    if state.accepted_on is not None:
        raise PetitionRuleBroken(
            "petition.already_accepted",
            f"Kiến nghị đã được thụ lý ngày {dmy(state.accepted_on)}.",
            status=409,
        )
    if cmd.complaint_instance is not None and legal_type is not LegalType.COMPLAINT:
        raise PetitionRuleBroken(
            "petition.instance_only_for_complaints",
            "Giải quyết lần đầu hay lần hai chỉ áp dụng cho khiếu nại.",
            "complaint_instance",
        )
    if cmd.accepted_on < state.received_on:
        raise PetitionRuleBroken(
            "petition.accepted_before_receipt",
            "Ngày thụ lý không thể trước ngày tiếp nhận kiến nghị.",
            "accepted_on",
        )
    require_not_future(cmd.accepted_on, today, "accepted_on", "Ngày thụ lý")
    statutory = clock.on_acceptance(
        legal_type,
        cmd.accepted_on,
        instance=cmd.complaint_instance,
        complex_case=cmd.complex_case,
        remote_area=cmd.remote_area,
    )
    assert statutory is not None  # every type that needs acceptance has a resolution clock
    running = state.statutory
    late = running is not None and not limits_promise(running) and cmd.accepted_on > running.due
    return [
        PetitionAccepted(
            agency_code=state.agency_code,
            accepted_on=cmd.accepted_on,
            decision_number=cmd.decision_number or None,
            complaint_instance=cmd.complaint_instance,
            complex_case=cmd.complex_case,
            remote_area=cmd.remote_area,
            late=late,
            statutory=statutory,
            deadline_version=deadline_version_after(state, state.promised_date, statutory),
        )
    ]
