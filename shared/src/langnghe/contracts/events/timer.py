"""The message a deadline timer delivers (stream `PETITION_TIMERS`, never the event store).

Tracking schedules one per petition, deadline and kind as a server-side message schedule
(ADR-51) on `petitions.timers.<petition_id>.<deadline>-<kind>`; at the time the server writes
it to `petitions.timers-fired.<province>.<deadline>-<kind>.<petition_id>`. It is a wake-up call,
not a fact: tracking re-checks the petition and its deadline version before recording
`petition.became_due_soon` or `petition.became_overdue`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import DeadlineKind


class TimerKind(StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


class TimerFired(DomainEvent):
    type: Literal["timer.fired"] = "timer.fired"

    province_code: str
    which: DeadlineKind
    kind: TimerKind
    due: date
    deadline_version: int = Field(ge=0, description="The petition's deadline version it was scheduled for")


TIMER_EVENTS: tuple[type[DomainEvent], ...] = (TimerFired,)
