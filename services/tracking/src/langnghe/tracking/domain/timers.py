"""Which deadline timers a petition needs now, and what a fired timer asks of it. Pure.

A petition has at most four pending timers: due-soon and overdue, for the promised and for the
statutory date. They are derived from the state alone, so scheduling is a reaction that can run
any number of times, in any order, and always converge: each timer has one schedule subject,
and scheduling it again replaces the pending one.

Times: legal days are days in Vietnam. A timer fires a minute after midnight (UTC+7) of the day
its condition becomes true, so a scheduler that fires a second early still lands on that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from langnghe.contracts.events.petition import DeadlineKind
from langnghe.contracts.events.timer import TimerFired, TimerKind
from langnghe.domain.vietnam_time import VIETNAM_TIME
from langnghe.tracking.domain.clock import STATUTE_CLOCK, LegalClock
from langnghe.tracking.domain.commands import MarkDueSoon, MarkOverdue
from langnghe.tracking.domain.state import DEADLINES_STOPPED, PetitionState

FIRE_AFTER_MIDNIGHT: Final = timedelta(minutes=1)
#: Looking back for the first due-soon day never needs more than a few weeks (the threshold is a
#: handful of working days, Tết the longest run of days off).
_DUE_SOON_LOOKBACK_DAYS: Final = 60


@dataclass(frozen=True)
class Timer:
    which: DeadlineKind
    kind: TimerKind
    due: date
    fire_on: date
    deadline_version: int

    @property
    def name(self) -> str:
        """The timer's subject token, e.g. `promised-overdue`."""
        return f"{self.which.value}-{self.kind.value}"

    @property
    def fire_at(self) -> datetime:
        return (datetime.combine(self.fire_on, time(), VIETNAM_TIME) + FIRE_AFTER_MIDNIGHT).astimezone(UTC)


def first_due_soon_day(due: date, clock: LegalClock = STATUTE_CLOCK) -> date:
    """The first day on which `due` counts as due soon (it is at the latest the due date)."""
    day = due
    for _ in range(_DUE_SOON_LOOKBACK_DAYS):
        before = day - timedelta(days=1)
        if not clock.due_state(due, before).due_soon:
            break
        day = before
    return day


def timers_for(state: PetitionState, clock: LegalClock = STATUTE_CLOCK) -> list[Timer]:
    """The timers the petition needs at its current deadline version; none once no deadline
    can be missed any more. Marks already recorded need no timer."""
    if not state.exists or state.status in DEADLINES_STOPPED:
        return []
    timers: list[Timer] = []
    for which in DeadlineKind:
        due = state.due(which)
        if due is None or which in state.overdue:
            continue
        try:
            overdue_on = due + timedelta(days=1)
        except OverflowError:
            # The last day of the calendar (9999-12-31, accepted before promised dates had a
            # horizon; an old log): no timer can ever fire, and raising would park the
            # petition's timers. `extend` repairs the date, and the timers follow it.
            continue
        if which not in state.due_soon:
            timers.append(
                Timer(which, TimerKind.DUE_SOON, due, first_due_soon_day(due, clock), state.deadline_version)
            )
        timers.append(Timer(which, TimerKind.OVERDUE, due, overdue_on, state.deadline_version))
    return timers


def timer_command_id(petition_id: str, which: DeadlineKind, kind: TimerKind, deadline_version: int) -> str:
    """One mark per petition, deadline, kind and deadline version, however often its timer
    fires or the reconciler finds it: the second finds the first one's event and stops."""
    return f"timer:{petition_id}:{kind.value}:{which.value}:v{deadline_version}"


def due_now(state: PetitionState, today: date, clock: LegalClock = STATUTE_CLOCK) -> list[Timer]:
    """The timers whose day has come: what a fired schedule would have asked by `today`."""
    return [t for t in timers_for(state, clock) if t.fire_on <= today]


def mark_command(timer: Timer) -> MarkDueSoon | MarkOverdue:
    if timer.kind is TimerKind.DUE_SOON:
        return MarkDueSoon(timer.which, timer.deadline_version)
    return MarkOverdue(timer.which, timer.deadline_version)


def command_for(fired: TimerFired) -> MarkDueSoon | MarkOverdue:
    if fired.kind is TimerKind.DUE_SOON:
        return MarkDueSoon(fired.which, fired.deadline_version)
    return MarkOverdue(fired.which, fired.deadline_version)
