"""Deadlines after assignment: extensions, and the timers that mark a deadline due soon or
overdue.

Timer commands never refuse: a firing for another deadline version (the date moved since it was
scheduled), for a deadline already marked, for a petition that no longer owes an answer, or one
that came early, changes nothing. That is what makes stale and duplicate firings harmless, and
lets a reconciler fire them again at will.
"""

from __future__ import annotations

from datetime import date

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import (
    DeadlineKind,
    PetitionBecameDueSoon,
    PetitionBecameOverdue,
    PetitionDeadlineExtended,
)
from langnghe.domain.clocks import ClockRuleBroken
from langnghe.tracking.domain.clock import STATUTE_CLOCK, LegalClock
from langnghe.tracking.domain.commands import ExtendDeadline, MarkDueSoon, MarkOverdue
from langnghe.tracking.domain.errors import PetitionRuleBroken
from langnghe.tracking.domain.guards import (
    beyond_horizon,
    dmy,
    require_not_future,
    require_open,
    require_reason,
    require_valid_promise,
)
from langnghe.tracking.domain.state import DEADLINES_STOPPED, PetitionState, deadline_version_after


def _extend_promised(
    state: PetitionState, cmd: ExtendDeadline, today: date, reason: str
) -> list[DomainEvent]:
    current = state.promised_date
    if current is None:
        raise PetitionRuleBroken(
            "petition.no_promised_date",
            "Kiến nghị chưa có ngày hẹn trả lời; hãy giao việc kèm ngày hẹn trước.",
            status=409,
        )
    if cmd.new_date is None:
        raise PetitionRuleBroken("petition.new_date_required", "Cần chọn ngày hẹn mới.", "new_date")
    # A promised date beyond the horizon (accepted before there was one: an old log) is
    # repaired by an earlier date; any other extension must move the date later.
    if cmd.new_date <= current and not beyond_horizon(current, today):
        raise PetitionRuleBroken(
            "petition.extension_not_later",
            f"Ngày hẹn mới phải sau ngày hẹn hiện tại ({dmy(current)}).",
            "new_date",
        )
    require_valid_promise(state, cmd.new_date, today, state.statutory, "new_date")
    return [
        PetitionDeadlineExtended(
            which=DeadlineKind.PROMISED,
            previous_due=current,
            new_due=cmd.new_date,
            reason=reason,
            decision_number=cmd.decision_number or None,
            decision_date=cmd.decision_date,
            extensions=state.promised_extensions + 1,
            after_due=today > current,
            deadline_version=deadline_version_after(state, cmd.new_date, state.statutory),
        )
    ]


def _extend_statutory(
    state: PetitionState, cmd: ExtendDeadline, today: date, reason: str, clock: LegalClock
) -> list[DomainEvent]:
    current = state.statutory
    if current is None:
        raise PetitionRuleBroken(
            "petition.no_statutory_deadline",
            "Kiến nghị không có thời hạn giải quyết theo luật định đang chạy (chưa thụ lý, "
            "hoặc loại kiến nghị này chỉ có ngày hẹn).",
            status=409,
        )
    number = cmd.decision_number
    if not number:
        # Luật Tố cáo 2018, Art. 30: each extension is a written decision sent to the parties.
        raise PetitionRuleBroken(
            "petition.extension_decision_required",
            "Gia hạn thời hạn giải quyết phải có quyết định bằng văn bản; hãy ghi số quyết định.",
            "decision_number",
        )
    try:
        extended = clock.extend(current)
    except ClockRuleBroken as exc:
        status = 409 if exc.code == "clocks.extension_limit_reached" else 422
        raise PetitionRuleBroken(
            exc.code.replace("clocks.", "petition.", 1), exc.message, "which", status
        ) from exc
    if cmd.new_date is not None and cmd.new_date != extended.due:
        raise PetitionRuleBroken(
            "petition.statutory_extension_fixed",
            f"Luật định thời hạn gia hạn; thời hạn mới là {dmy(extended.due)}, không thể chọn ngày khác.",
            "new_date",
        )
    return [
        PetitionDeadlineExtended(
            which=DeadlineKind.STATUTORY,
            previous_due=current.due,
            new_due=extended.due,
            reason=reason,
            decision_number=number,
            decision_date=cmd.decision_date,
            extensions=extended.extensions,
            after_due=today > current.due,
            statutory=extended,
            deadline_version=deadline_version_after(state, state.promised_date, extended),
        )
    ]


def decide_extend(
    state: PetitionState, cmd: ExtendDeadline, today: date, *, clock: LegalClock = STATUTE_CLOCK
) -> list[DomainEvent]:
    """A late extension (after the due date) is still recorded, with `after_due`."""
    require_open(state)
    reason = require_reason(cmd.reason)
    if cmd.decision_date is not None:
        require_not_future(cmd.decision_date, today, "decision_date", "Ngày quyết định gia hạn")
    if cmd.which is DeadlineKind.PROMISED:
        return _extend_promised(state, cmd, today, reason)
    return _extend_statutory(state, cmd, today, reason, clock)


def _timer_due(state: PetitionState, which: DeadlineKind, deadline_version: int) -> date | None:
    """The date a timer is about, or None when the firing has nothing left to do."""
    if state.status in DEADLINES_STOPPED or not state.exists:
        return None
    if deadline_version != state.deadline_version or which in state.overdue:
        return None
    return state.due(which)


def decide_mark_due_soon(
    state: PetitionState, cmd: MarkDueSoon, today: date, *, clock: LegalClock = STATUTE_CLOCK
) -> list[DomainEvent]:
    due = _timer_due(state, cmd.which, cmd.deadline_version)
    if due is None or cmd.which in state.due_soon:
        return []
    now = clock.due_state(due, today)
    if now.overdue or not now.due_soon:
        return []
    return [
        PetitionBecameDueSoon(
            which=cmd.which,
            due=due,
            working_days_left=now.working_days_left,
            agency_code=state.agency_code,
            deadline_version=state.deadline_version,
        )
    ]


def decide_mark_overdue(
    state: PetitionState, cmd: MarkOverdue, today: date, *, clock: LegalClock = STATUTE_CLOCK
) -> list[DomainEvent]:
    due = _timer_due(state, cmd.which, cmd.deadline_version)
    if due is None or not clock.due_state(due, today).overdue:
        return []
    return [
        PetitionBecameOverdue(
            which=cmd.which, due=due, agency_code=state.agency_code, deadline_version=state.deadline_version
        )
    ]
