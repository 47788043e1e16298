"""The oversight figures provinces report by hand today, computed from events.

Sa Pa 2022: "26 conferences, 2,282 attendees, 319 opinions, 100 % answered at the conference";
Sông Lô 2015-2020: 25 conferences, ~1,900 participants, 268 opinions; Hà Nam 2021-2022: 241
dialogue conferences by Party-committee heads (3 province, 22 district, 216 commune), 684
supervisions. Every figure here is a count over facts, so it can be audited back to them.

How each opinion was disposed of at the conference is tracking's knowledge; it comes in as
plain `OpinionDisposition` facts so this module does not depend on tracking's code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import (
    ChairRole,
    ConferenceAnnounced,
    ConferenceCancelled,
    ConferenceConcluded,
    ConferenceHeld,
    ConferenceOpinionLinked,
    ConferencePostponed,
    ConferenceResultsPublished,
    ConferenceScheduled,
    SupervisionFindingsRecorded,
    SupervisionForm,
    SupervisionHeld,
    SupervisionPlanned,
    SupervisionRecommendationIssued,
    UnitLevel,
)
from langnghe.intake.domain import conference, supervision
from langnghe.intake.domain.conference import ConferenceState, Status
from langnghe.intake.domain.supervision import SupervisionState

_CONFERENCE_EVENTS = (
    ConferenceScheduled,
    ConferenceAnnounced,
    ConferenceHeld,
    ConferenceOpinionLinked,
    ConferenceConcluded,
    ConferenceResultsPublished,
    ConferencePostponed,
    ConferenceCancelled,
)
_SUPERVISION_EVENTS = (
    SupervisionPlanned,
    SupervisionHeld,
    SupervisionFindingsRecorded,
    SupervisionRecommendationIssued,
)


class Disposition(StrEnum):
    """What was done with an opinion at the conference (the step after it is raised)."""

    ANSWERED_ON_THE_SPOT = "answered_on_the_spot"  # giải đáp, làm rõ tại hội nghị
    EXPLAINED = "explained"  # tuyên truyền, giải thích (policy misunderstanding)
    ASSIGNED = "assigned"  # giao cơ quan chức năng, hẹn thời gian cụ thể
    ESCALATED = "escalated"  # báo cáo cấp có thẩm quyền
    RECORDED = "recorded"  # ghi nhận, not yet disposed of


#: "Giải đáp tại hội nghị" covers both an answer and an explanation given there and then.
ANSWERED_AT_CONFERENCE = frozenset({Disposition.ANSWERED_ON_THE_SPOT, Disposition.EXPLAINED})


class OpinionDisposition(NamedTuple):
    petition_id: str
    conference_id: str
    disposition: Disposition


class RecordedEvent(NamedTuple):
    """An event as read from the store: `meta.aggregate_id`, the event, `meta.occurred_at`."""

    aggregate_id: str
    event: DomainEvent
    occurred_at: datetime


@dataclass(frozen=True)
class ConferenceFigures:
    conferences_held: int = 0
    attendees: int = 0
    opinions_raised: int = 0
    answered_at_conference: int = 0

    @property
    def answered_share(self) -> Fraction | None:
        """Share of opinions answered at the conference; None when no opinion was raised."""
        if self.opinions_raised == 0:
            return None
        return Fraction(self.answered_at_conference, self.opinions_raised)

    @property
    def answered_percent(self) -> float | None:
        share = self.answered_share
        return None if share is None else round(float(share * 100), 1)

    def __add__(self, other: ConferenceFigures) -> ConferenceFigures:
        return ConferenceFigures(
            self.conferences_held + other.conferences_held,
            self.attendees + other.attendees,
            self.opinions_raised + other.opinions_raised,
            self.answered_at_conference + other.answered_at_conference,
        )


@dataclass(frozen=True)
class OversightFigures:
    total: ConferenceFigures
    by_level: Mapping[UnitLevel, ConferenceFigures]
    by_unit: Mapping[str, ConferenceFigures]
    #: Conferences held with a chair of that role, per level (Hà Nam reports Party-committee
    #: heads and government heads separately; a co-chaired conference counts for both).
    held_by_chair_role: Mapping[tuple[ChairRole, UnitLevel], int]
    opinions_by_disposition: Mapping[Disposition, int]
    opinions_without_disposition: int
    dispositions_without_link: int
    cancelled: int
    postponed: int
    late_notices: int
    concluded: int
    results_published: int
    late_publications: int
    supervision_sessions: int
    supervision_sessions_by_form: Mapping[SupervisionForm, int]
    recommendations_issued: int
    recommendations_by_agency: Mapping[str, int] = field(default_factory=dict)


def _within(day: date | None, since: date | None, until: date | None) -> bool:
    if day is None:
        return False
    return (since is None or day >= since) and (until is None or day <= until)


def _fold_aggregates(
    events: Iterable[RecordedEvent],
) -> tuple[dict[str, ConferenceState], dict[str, SupervisionState]]:
    conferences: dict[str, ConferenceState] = {}
    sessions: dict[str, SupervisionState] = {}
    for aggregate_id, event, occurred_at in events:
        if isinstance(event, _CONFERENCE_EVENTS):
            state = conferences.get(aggregate_id, ConferenceState())
            conferences[aggregate_id] = conference.evolve(state, event, occurred_at)
        elif isinstance(event, _SUPERVISION_EVENTS):
            session = sessions.get(aggregate_id, SupervisionState())
            sessions[aggregate_id] = supervision.evolve(session, event, occurred_at)
    return conferences, sessions


def oversight_figures(
    events: Iterable[RecordedEvent],
    dispositions: Iterable[OpinionDisposition] = (),
    *,
    since: date | None = None,
    until: date | None = None,
) -> OversightFigures:
    """Figures for conferences held, and supervision sessions held, between `since` and `until`
    (inclusive; either may be open). Cancelled and postponed conferences count by the date they
    were planned for; recommendations by the date they were issued.

    `events` are the conference and supervision events in store order (other types are
    ignored); `dispositions` are facts from tracking. A disposition counts only for an opinion
    linked to that conference; when one opinion has several, the last one wins.
    """
    conferences, sessions = _fold_aggregates(events)
    disposed: dict[tuple[str, str], Disposition] = {}
    for petition_id, conference_id, fact in dispositions:
        disposed[(petition_id, conference_id)] = Disposition(fact)

    by_level: dict[UnitLevel, ConferenceFigures] = {}
    by_unit: dict[str, ConferenceFigures] = {}
    by_role: Counter[tuple[ChairRole, UnitLevel]] = Counter()
    by_disposition: Counter[Disposition] = Counter()
    undisposed = 0
    counts: Counter[str] = Counter()

    for conference_id, state in conferences.items():
        if state.status is Status.CANCELLED and _within(state.planned_on, since, until):
            counts["cancelled"] += 1
        if state.postponements and _within(state.original_planned_on, since, until):
            counts["postponed"] += 1
        if not state.is_held or not _within(state.held_on, since, until):
            continue
        assert state.level is not None and state.unit_code is not None
        answered = 0
        for petition_id in state.opinions:
            disposition = disposed.get((petition_id, conference_id))
            if disposition is None:
                undisposed += 1
                continue
            by_disposition[disposition] += 1
            answered += disposition in ANSWERED_AT_CONFERENCE
        figures = ConferenceFigures(1, state.attendance or 0, len(state.opinions), answered)
        by_level[state.level] = by_level.get(state.level, ConferenceFigures()) + figures
        by_unit[state.unit_code] = by_unit.get(state.unit_code, ConferenceFigures()) + figures
        for role in state.chair_roles:
            by_role[(role, state.level)] += 1
        counts["late_notices"] += state.late_notice
        counts["concluded"] += state.concluded_on is not None
        counts["results_published"] += state.results_published_on is not None
        counts["late_publications"] += state.late_publication

    by_form: Counter[SupervisionForm] = Counter()
    by_agency: Counter[str] = Counter()
    recommendations = 0
    for session in sessions.values():
        if session.is_held and session.form is not None and _within(session.held_on, since, until):
            by_form[session.form] += 1
        for issued in session.recommendations:
            if _within(issued.issued_on, since, until):
                recommendations += 1
                by_agency[issued.addressee_agency_code] += 1

    linked = {(p, cid) for cid, state in conferences.items() for p in state.opinions}
    total = ConferenceFigures()
    for figures in by_level.values():
        total = total + figures
    return OversightFigures(
        total=total,
        by_level=by_level,
        by_unit=by_unit,
        held_by_chair_role=dict(by_role),
        opinions_by_disposition=dict(by_disposition),
        opinions_without_disposition=undisposed,
        dispositions_without_link=sum(1 for key in disposed if key not in linked),
        cancelled=counts["cancelled"],
        postponed=counts["postponed"],
        late_notices=counts["late_notices"],
        concluded=counts["concluded"],
        results_published=counts["results_published"],
        late_publications=counts["late_publications"],
        supervision_sessions=sum(by_form.values()),
        supervision_sessions_by_form=dict(by_form),
        recommendations_issued=recommendations,
        recommendations_by_agency=dict(by_agency),
    )
