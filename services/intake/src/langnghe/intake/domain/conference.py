"""A conference as intake decides it: scheduled -> (announced) -> held -> concluded -> results
published, with postponement and cancellation before it is held. This module holds the
conference's state (a fold over its events), the commands it accepts and the rule error; the
decisions, pure functions returning new events or raising `ConferenceRuleBroken`, are in
`conference_decisions` (with the checks they share in `conference_rules`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import (
    AttendanceMode,
    Chair,
    ChairRole,
    ConferenceAnnounced,
    ConferenceCancelled,
    ConferenceConcluded,
    ConferenceHeld,
    ConferenceKind,
    ConferenceOpinionLinked,
    ConferencePostponed,
    ConferenceResultsPublished,
    ConferenceScheduled,
    ConvocationReason,
    PublicationChannel,
    UnitLevel,
)
from langnghe.domain.errors import DomainError

# Law on Organisation of Local Government 2025, Art. 43, AS REPORTED (vietnam.vn Q&A no. 20
# citing daibieunhandan.vn; the law's own text was not read — UNCONFIRMED): a commune dialogue
# conference is co-organised with the commune MTTQ, announced >= 7 days before and its results
# are published within 10 days. We apply it to commune dialogue conferences planned on or after
# the start of two-level local government (1 July 2025); the law's own effective date is also
# unconfirmed.
ART43_NOTICE_DAYS = 7
ART43_PUBLISH_WITHIN_DAYS = 10
TWO_LEVEL_GOVERNMENT_SINCE = date(2025, 7, 1)

MIN_REASON_CHARS = 5
MIN_CONCLUSION_CHARS = 20


class Status(StrEnum):
    NONE = "none"
    SCHEDULED = "scheduled"
    ANNOUNCED = "announced"
    HELD = "held"
    CONCLUDED = "concluded"
    RESULTS_PUBLISHED = "results_published"
    CANCELLED = "cancelled"


NOT_YET_HELD = frozenset({Status.SCHEDULED, Status.ANNOUNCED})
HELD_OR_LATER = frozenset({Status.HELD, Status.CONCLUDED, Status.RESULTS_PUBLISHED})


@dataclass(frozen=True)
class ConferenceState:
    status: Status = Status.NONE
    kind: ConferenceKind | None = None
    level: UnitLevel | None = None
    province_code: str | None = None
    unit_code: str | None = None
    chair_roles: frozenset[ChairRole] = frozenset()
    has_mttq_co_organiser: bool = False
    original_planned_on: date | None = None
    planned_on: date | None = None
    postponements: int = 0
    announced_on: date | None = None
    late_notice: bool = False
    held_on: date | None = None
    attendance: int | None = None
    opinions: tuple[str, ...] = ()
    concluded_on: date | None = None
    results_published_on: date | None = None
    late_publication: bool = False
    version: int = 0

    @property
    def exists(self) -> bool:
        return self.status is not Status.NONE

    @property
    def is_held(self) -> bool:
        return self.status in HELD_OR_LATER


class ConferenceRuleBroken(DomainError):
    """A conference rule refused the command (codes `conference.<reason>`)."""


def art43_applies(kind: ConferenceKind, level: UnitLevel, planned_on: date) -> bool:
    """Whether the commune dialogue-conference duties of LGO 2025 Art. 43 (as reported) apply."""
    return (
        kind is ConferenceKind.DIALOGUE_CONFERENCE
        and level is UnitLevel.COMMUNE
        and planned_on >= TWO_LEVEL_GOVERNMENT_SINCE
    )


# -- evolve --------------------------------------------------------------------------------


def evolve(state: ConferenceState, event: DomainEvent, occurred_at: datetime) -> ConferenceState:
    """`occurred_at` is when the fact was recorded; the dates that matter travel in the events."""
    state = replace(state, version=state.version + 1)
    if isinstance(event, ConferenceScheduled):
        return replace(
            state,
            status=Status.SCHEDULED,
            kind=event.kind,
            level=event.level,
            province_code=event.province_code,
            unit_code=event.unit_code,
            chair_roles=frozenset(chair.role for chair in event.chairs),
            has_mttq_co_organiser=event.mttq_co_organiser_ref is not None,
            original_planned_on=event.planned_on,
            planned_on=event.planned_on,
        )
    if isinstance(event, ConferenceAnnounced):
        return replace(
            state, status=Status.ANNOUNCED, announced_on=event.announced_on, late_notice=event.late_notice
        )
    if isinstance(event, ConferencePostponed):
        # A notice names a date; a new date needs a new notice.
        return replace(
            state,
            status=Status.SCHEDULED,
            planned_on=event.new_date,
            postponements=state.postponements + 1,
            announced_on=None,
            late_notice=False,
        )
    if isinstance(event, ConferenceCancelled):
        return replace(state, status=Status.CANCELLED)
    if isinstance(event, ConferenceHeld):
        return replace(state, status=Status.HELD, held_on=event.held_on, attendance=event.attendance)
    if isinstance(event, ConferenceOpinionLinked):
        if event.petition_id in state.opinions:
            return state
        return replace(state, opinions=(*state.opinions, event.petition_id))
    if isinstance(event, ConferenceConcluded):
        return replace(state, status=Status.CONCLUDED, concluded_on=event.conclusion_date)
    if isinstance(event, ConferenceResultsPublished):
        return replace(
            state,
            status=Status.RESULTS_PUBLISHED,
            results_published_on=event.published_on,
            late_publication=event.late_publication,
        )
    return state  # event types this version does not act on still count as versions


def fold(events: Iterable[tuple[DomainEvent, datetime]]) -> ConferenceState:
    state = ConferenceState()
    for event, occurred_at in events:
        state = evolve(state, event, occurred_at)
    return state


# -- commands ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleConference:
    kind: ConferenceKind
    level: UnitLevel
    province_code: str
    unit_code: str
    chairs: tuple[Chair, ...]
    planned_on: date
    mttq_co_organiser_ref: str | None = None
    attendance_mode: AttendanceMode = AttendanceMode.IN_PERSON
    place: str | None = None
    topic: str | None = None
    reason: ConvocationReason = ConvocationReason.PERIODIC


@dataclass(frozen=True)
class AnnounceConference:
    announced_on: date
    channels: tuple[PublicationChannel, ...] = ()


@dataclass(frozen=True)
class PostponeConference:
    new_date: date
    reason: str


@dataclass(frozen=True)
class CancelConference:
    reason: str


@dataclass(frozen=True)
class HoldConference:
    held_on: date
    attendance: int
    organisations_present: tuple[str, ...] = ()
    minutes_ref: str | None = None


@dataclass(frozen=True)
class LinkOpinion:
    petition_id: str


@dataclass(frozen=True)
class ConcludeConference:
    conclusion_number: str
    conclusion_date: date
    text: str
    distribution: tuple[str, ...]


@dataclass(frozen=True)
class PublishResults:
    published_on: date
    channels: tuple[PublicationChannel, ...]


ConferenceCommand = (
    ScheduleConference
    | AnnounceConference
    | PostponeConference
    | CancelConference
    | HoldConference
    | LinkOpinion
    | ConcludeConference
    | PublishResults
)
