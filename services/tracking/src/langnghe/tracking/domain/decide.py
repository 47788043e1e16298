"""One entry point for every petition command: `decide(state, command, today) -> events`."""

from __future__ import annotations

from datetime import date

from langnghe.contracts.events.base import DomainEvent
from langnghe.tracking.domain.acceptance import decide_accept
from langnghe.tracking.domain.answer import decide_answer, decide_feedback, decide_publish_answer
from langnghe.tracking.domain.assignment import decide_assign, decide_escalate, decide_reassign
from langnghe.tracking.domain.clock import STATUTE_CLOCK, LegalClock
from langnghe.tracking.domain.closure import decide_close, decide_reopen, decide_withdraw
from langnghe.tracking.domain.commands import (
    AbsorbDuplicate,
    AcceptPetition,
    AnswerPetition,
    AssignPetition,
    ClosePetition,
    DisposeAtConference,
    EscalatePetition,
    ExtendDeadline,
    GiveFeedback,
    MarkDueSoon,
    MarkOverdue,
    MergeAsDuplicate,
    PetitionCommand,
    PublishAnswer,
    ReassignPetition,
    ReopenPetition,
    WithdrawPetition,
)
from langnghe.tracking.domain.conference_disposition import decide_dispose
from langnghe.tracking.domain.deadlines import decide_extend, decide_mark_due_soon, decide_mark_overdue
from langnghe.tracking.domain.duplicates import decide_absorb, decide_merge
from langnghe.tracking.domain.state import PetitionState


def decide(
    state: PetitionState,
    cmd: PetitionCommand,
    today: date,
    *,
    clock: LegalClock = STATUTE_CLOCK,
    primary: PetitionState | None = None,
) -> list[DomainEvent]:
    """`today` is the day in Vietnam (`state.vietnam_date(now)`); `primary` is the state of the
    petition a duplicate is merged into, needed by `MergeAsDuplicate` only."""
    match cmd:
        case DisposeAtConference():
            return decide_dispose(state, cmd, today, clock=clock)
        case AssignPetition():
            return decide_assign(state, cmd, today, clock=clock)
        case AcceptPetition():
            return decide_accept(state, cmd, today, clock=clock)
        case ExtendDeadline():
            return decide_extend(state, cmd, today, clock=clock)
        case ReassignPetition():
            return decide_reassign(state, cmd, today)
        case EscalatePetition():
            return decide_escalate(state, cmd, today)
        case AnswerPetition():
            return decide_answer(state, cmd, today)
        case PublishAnswer():
            return decide_publish_answer(state, cmd, today)
        case GiveFeedback():
            return decide_feedback(state, cmd, today)
        case ReopenPetition():
            return decide_reopen(state, cmd, today)
        case ClosePetition():
            return decide_close(state, cmd, today)
        case WithdrawPetition():
            return decide_withdraw(state, cmd, today)
        case MergeAsDuplicate():
            if primary is None:
                raise ValueError("MergeAsDuplicate is decided with the primary petition's state")
            return decide_merge(state, cmd, today, primary=primary)
        case AbsorbDuplicate():
            return decide_absorb(state, cmd, today)
        case MarkDueSoon():
            return decide_mark_due_soon(state, cmd, today, clock=clock)
        case MarkOverdue():
            return decide_mark_overdue(state, cmd, today, clock=clock)
