"""What the conference decided for an opinion raised there (Sông Lô, Đống Đa, Sa Pa): answered
on the spot, explained, assigned with a specific promised date, escalated to the competent level,
or recorded only. The disposition is one event; its consequence is the event the matching
command would produce, decided by the same rules, in the same batch."""

from __future__ import annotations

from datetime import date

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import Disposition, PetitionDisposedAtConference, TransferKind
from langnghe.tracking.domain.answer import decide_answer
from langnghe.tracking.domain.assignment import decide_assign, decide_escalate
from langnghe.tracking.domain.clock import STATUTE_CLOCK, LegalClock
from langnghe.tracking.domain.commands import (
    AnswerPetition,
    AssignPetition,
    DisposeAtConference,
    EscalatePetition,
)
from langnghe.tracking.domain.errors import PetitionRuleBroken
from langnghe.tracking.domain.guards import require_open, require_reason
from langnghe.tracking.domain.state import PetitionState, Status


def decide_dispose(
    state: PetitionState, cmd: DisposeAtConference, today: date, *, clock: LegalClock = STATUTE_CLOCK
) -> list[DomainEvent]:
    require_open(state)
    if state.conference_id is None:
        raise PetitionRuleBroken(
            "petition.not_raised_at_conference",
            "Kiến nghị không được nêu tại hội nghị nào; không thể ghi kết quả xử lý tại hội nghị.",
            status=409,
        )
    if state.disposition is not None or state.status is not Status.RECEIVED:
        raise PetitionRuleBroken(
            "petition.already_disposed",
            "Ý kiến này đã được xử lý (đã có kết quả tại hội nghị, đã giao hoặc đã chuyển).",
            status=409,
        )
    note = cmd.note or None
    follow: list[DomainEvent] = []
    if cmd.disposition in (Disposition.ANSWERED_ON_SPOT, Disposition.EXPLAINED):
        answer = AnswerPetition(cmd.answer_text or "", cmd.answering_agency_code or "")
        follow = decide_answer(state, answer, today)
    elif cmd.disposition is Disposition.ASSIGNED:
        if cmd.promised_date is None:
            raise PetitionRuleBroken(
                "petition.promised_date_required",
                "Khi giao cơ quan chức năng, hội nghị phải hẹn thời gian giải quyết cụ thể.",
                "promised_date",
            )
        assign = AssignPetition(cmd.agency_code or "", cmd.promised_date, cmd.officer_ref)
        follow = decide_assign(state, assign, today, clock=clock)
    elif cmd.disposition is Disposition.ESCALATED:
        if cmd.to_level is None:
            raise PetitionRuleBroken(
                "petition.level_required", "Cần chọn cấp có thẩm quyền nhận kiến nghị.", "to_level"
            )
        reason = require_reason(note, "note")
        escalate = EscalatePetition(TransferKind.ESCALATION, cmd.to_level, cmd.to_unit_code or "", reason)
        follow = decide_escalate(state, escalate, today)
    disposed = PetitionDisposedAtConference(
        conference_id=state.conference_id, disposition=cmd.disposition, note=note
    )
    return [disposed, *follow]
