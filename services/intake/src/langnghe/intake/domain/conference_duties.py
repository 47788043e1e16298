"""What a clerk must still do for a conference, and by when, under LGO 2025 Art. 43 as reported
(announce >= 7 days before, publish the results within 10 days of holding it; see
`conference.py` for the source and its caveats). Derived from the state and today's date, never
stored: the recorded flags (`late_notice`, `late_publication`) are the facts, these are reminders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from langnghe.intake.domain.conference import (
    ART43_NOTICE_DAYS,
    ART43_PUBLISH_WITHIN_DAYS,
    ConferenceState,
    Status,
    art43_applies,
)


@dataclass(frozen=True)
class ConferenceDuties:
    applies: bool = False
    announce_by: date | None = None
    """The last day a notice is still on time."""
    notice_overdue: bool = False
    """Not announced yet, and an announcement today would already be late."""
    publish_results_by: date | None = None
    publication_overdue: bool = False
    """Held, results not published yet, and the publication delay has run out."""


def conference_duties(state: ConferenceState, today: date) -> ConferenceDuties:
    if state.kind is None or state.level is None or state.planned_on is None:
        return ConferenceDuties()
    if not art43_applies(state.kind, state.level, state.planned_on):
        return ConferenceDuties()
    announce_by = state.planned_on - timedelta(days=ART43_NOTICE_DAYS)
    publish_by = (
        state.held_on + timedelta(days=ART43_PUBLISH_WITHIN_DAYS) if state.held_on is not None else None
    )
    return ConferenceDuties(
        applies=True,
        announce_by=announce_by,
        notice_overdue=state.status is Status.SCHEDULED and today > announce_by,
        publish_results_by=publish_by,
        publication_overdue=publish_by is not None
        and state.status in (Status.HELD, Status.CONCLUDED)
        and today > publish_by,
    )
