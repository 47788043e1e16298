"""The petition lifecycle as tracking decides it, in one import: state is a fold over events;
decisions are pure functions returning new events or raising `PetitionRuleBroken`.

The pieces live in modules named after their concept (state, commands, assignment, acceptance,
deadlines, answer, closure, duplicates, conference_disposition, clock); this module re-exports
them so callers need not know the layout.
"""

from __future__ import annotations

from langnghe.domain.vietnam_time import vietnam_date
from langnghe.tracking.domain.acceptance import decide_accept
from langnghe.tracking.domain.answer import (
    MIN_ANSWER_CHARS,
    decide_answer,
    decide_feedback,
    decide_publish_answer,
)
from langnghe.tracking.domain.assignment import decide_assign, decide_escalate, decide_reassign
from langnghe.tracking.domain.clock import ACCEPTANCE_REQUIRED, STATUTE_CLOCK, LegalClock, StatuteClock
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
from langnghe.tracking.domain.decide import decide
from langnghe.tracking.domain.duplicates import decide_absorb, decide_merge
from langnghe.tracking.domain.errors import PetitionRuleBroken
from langnghe.tracking.domain.state import (
    DEADLINES_STOPPED,
    OPEN,
    PetitionState,
    Status,
    evolve,
    fold,
)

__all__ = [
    "ACCEPTANCE_REQUIRED",
    "DEADLINES_STOPPED",
    "MIN_ANSWER_CHARS",
    "OPEN",
    "STATUTE_CLOCK",
    "AbsorbDuplicate",
    "AcceptPetition",
    "AnswerPetition",
    "AssignPetition",
    "ClosePetition",
    "DisposeAtConference",
    "EscalatePetition",
    "ExtendDeadline",
    "GiveFeedback",
    "LegalClock",
    "MarkDueSoon",
    "MarkOverdue",
    "MergeAsDuplicate",
    "PetitionCommand",
    "PetitionRuleBroken",
    "PetitionState",
    "PublishAnswer",
    "ReassignPetition",
    "ReopenPetition",
    "Status",
    "StatuteClock",
    "WithdrawPetition",
    "decide",
    "decide_absorb",
    "decide_accept",
    "decide_answer",
    "decide_assign",
    "decide_close",
    "decide_dispose",
    "decide_escalate",
    "decide_extend",
    "decide_feedback",
    "decide_mark_due_soon",
    "decide_mark_overdue",
    "decide_merge",
    "decide_publish_answer",
    "decide_reassign",
    "decide_reopen",
    "decide_withdraw",
    "evolve",
    "fold",
    "vietnam_date",
]
