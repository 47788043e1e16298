"""How a petition's tracking ends, and starts again: closing, reopening, withdrawal."""

from __future__ import annotations

from datetime import date

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import (
    Disposition,
    PetitionClosed,
    PetitionReopened,
    PetitionWithdrawn,
)
from langnghe.tracking.domain.commands import ClosePetition, ReopenPetition, WithdrawPetition
from langnghe.tracking.domain.errors import PetitionRuleBroken
from langnghe.tracking.domain.guards import (
    require_exists,
    require_not_ended,
    require_open,
    require_reason,
    require_valid_promise,
)
from langnghe.tracking.domain.state import PetitionState, Status, deadline_version_after


def decide_close(state: PetitionState, cmd: ClosePetition, today: date) -> list[DomainEvent]:
    """Tracking ends when the answer is public (published, or given before the conference). An
    opinion the conference only recorded, and that nobody took up since, can be closed as is."""
    require_not_ended(state)
    note = cmd.note or None
    if state.status is Status.ANSWERED:
        if not state.answer_is_public:
            raise PetitionRuleBroken(
                "petition.answer_not_published",
                "Câu trả lời chưa được công khai; hãy ghi nhận việc công khai (thông tin đại chúng, "
                "niêm yết tại trụ sở, gửi trưởng thôn…) trước khi kết thúc.",
                status=409,
            )
    elif not (state.status is Status.RECEIVED and state.disposition is Disposition.RECORDED_ONLY):
        raise PetitionRuleBroken(
            "petition.not_answered", "Kiến nghị chưa được trả lời; chưa thể kết thúc.", status=409
        )
    if state.feedback_satisfied is False and note is None:
        raise PetitionRuleBroken(
            "petition.close_note_required",
            "Người kiến nghị chưa hài lòng với câu trả lời; cần ghi rõ lý do kết thúc.",
            "note",
        )
    return [PetitionClosed(note=note, citizen_satisfied=state.feedback_satisfied)]


def decide_reopen(state: PetitionState, cmd: ReopenPetition, today: date) -> list[DomainEvent]:
    """An answered or closed petition goes back to its agency (or to be assigned). The statutory
    clock does not restart; the promised date given now, if any, is the deadline."""
    require_exists(state)
    if state.status not in (Status.ANSWERED, Status.CLOSED):
        require_not_ended(state)  # withdrawn or merged: their own refusal
        raise PetitionRuleBroken(
            "petition.not_answered",
            "Kiến nghị đang được giải quyết, chưa có câu trả lời; không cần mở lại.",
            status=409,
        )
    reason = require_reason(cmd.reason)
    if cmd.promised_date is not None:
        require_valid_promise(state, cmd.promised_date, today, None)
    return [
        PetitionReopened(
            reason=reason,
            promised_date=cmd.promised_date,
            deadline_version=deadline_version_after(state, cmd.promised_date, None),
        )
    ]


def decide_withdraw(state: PetitionState, cmd: WithdrawPetition, today: date) -> list[DomainEvent]:
    require_open(state)
    if not state.petitioner_refs:
        raise PetitionRuleBroken(
            "petition.anonymous_cannot_withdraw",
            "Kiến nghị ẩn danh không có người đứng đơn để rút kiến nghị.",
            status=409,
        )
    return [PetitionWithdrawn(reason=require_reason(cmd.reason))]
