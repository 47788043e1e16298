"""Whether a deadline is near or past, as oversight and reminders see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from langnghe.domain.clocks.calendar import VIETNAM, WorkingCalendar, working_days_between

# A product choice, not a legal figure: warn when three working days or fewer remain.
DEFAULT_DUE_SOON_WORKING_DAYS: Final = 3


@dataclass(frozen=True)
class DueState:
    overdue: bool
    due_soon: bool
    working_days_left: int  # working days in (today, due]; 0 once overdue


def is_overdue(due: date, today: date) -> bool:
    """Overdue only strictly after the due date: the due date itself is still in time."""
    return today > due


def due_state(
    due: date,
    today: date,
    *,
    threshold_working_days: int = DEFAULT_DUE_SOON_WORKING_DAYS,
    calendar: WorkingCalendar = VIETNAM,
) -> DueState:
    if threshold_working_days < 0:
        raise ValueError("threshold_working_days must be >= 0")
    if is_overdue(due, today):
        return DueState(overdue=True, due_soon=False, working_days_left=0)
    left = working_days_between(today, due, calendar=calendar)
    return DueState(overdue=False, due_soon=left <= threshold_working_days, working_days_left=left)
