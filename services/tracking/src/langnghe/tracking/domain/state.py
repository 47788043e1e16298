"""The petition as tracking sees it: a fold over its events. `evolve` applies facts and never
refuses one; the rules live in the decisions.

Deadline version: every change to the promised or the statutory date (set, moved, cleared) adds
one. Timers carry the version they were scheduled for, so a timer set for a date that has since
moved finds another version and does nothing. Due-soon and overdue marks are per deadline and
survive a change to the *other* deadline, so a duplicate firing never repeats a mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import PublicationChannel, UnitLevel
from langnghe.contracts.events.petition import (
    DeadlineKind,
    Disposition,
    LegalType,
    PetitionAbsorbedDuplicate,
    PetitionAccepted,
    PetitionAnswered,
    PetitionAnswerPublished,
    PetitionAssigned,
    PetitionBecameDueSoon,
    PetitionBecameOverdue,
    PetitionClosed,
    PetitionDeadlineExtended,
    PetitionDisposedAtConference,
    PetitionEscalated,
    PetitionFeedbackGiven,
    PetitionMergedInto,
    PetitionReassigned,
    PetitionReceived,
    PetitionReopened,
    PetitionWithdrawn,
    StatutoryTerm,
)
from langnghe.domain.vietnam_time import vietnam_date

#: Dispositions under which the conference itself gave the answer, in public.
ANSWERED_AT_CONFERENCE: Final = frozenset({Disposition.ANSWERED_ON_SPOT, Disposition.EXPLAINED})


class Status(StrEnum):
    NONE = "none"
    RECEIVED = "received"
    ASSIGNED = "assigned"
    ESCALATED = "escalated"  # sent to another level or unit, waiting for it to assign
    ANSWERED = "answered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"  # a duplicate, followed on its primary


#: Someone still owes an answer.
OPEN: Final = frozenset({Status.RECEIVED, Status.ASSIGNED, Status.ESCALATED})
#: No deadline can be missed any more: timers are no-ops.
DEADLINES_STOPPED: Final = frozenset({Status.ANSWERED, Status.CLOSED, Status.WITHDRAWN, Status.MERGED})


@dataclass(frozen=True)
class PetitionState:
    status: Status = Status.NONE
    province_code: str | None = None
    received_on: date | None = None
    legal_type: LegalType | None = None
    conference_id: str | None = None
    citizen_ref: str | None = None
    cosigner_refs: tuple[str, ...] = ()
    disposition: Disposition | None = None
    handling_level: UnitLevel | None = None
    handling_unit_code: str | None = None
    agency_code: str | None = None
    officer_ref: str | None = None
    promised_date: date | None = None
    promised_extensions: int = 0
    accepted_on: date | None = None
    statutory: StatutoryTerm | None = None
    deadline_version: int = 0
    due_soon: frozenset[DeadlineKind] = frozenset()
    overdue: frozenset[DeadlineKind] = frozenset()
    answered_on: date | None = None
    answered_at_conference: bool = False
    published_on: date | None = None
    published_channels: frozenset[PublicationChannel] = frozenset()
    feedback_satisfied: bool | None = None
    reopened: int = 0
    merged_into: str | None = None
    duplicates: tuple[str, ...] = ()
    version: int = 0

    @property
    def exists(self) -> bool:
        return self.status is not Status.NONE

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def answer_is_public(self) -> bool:
        return self.published_on is not None or self.answered_at_conference

    @property
    def petitioner_refs(self) -> tuple[str, ...]:
        """The citizen and every co-signer, in order, without repeats."""
        refs = (self.citizen_ref, *self.cosigner_refs) if self.citizen_ref else self.cosigner_refs
        return tuple(dict.fromkeys(refs))

    def due(self, which: DeadlineKind) -> date | None:
        if which is DeadlineKind.PROMISED:
            return self.promised_date
        return self.statutory.due if self.statutory is not None else None


def deadline_version_after(
    state: PetitionState, promised: date | None, statutory: StatutoryTerm | None
) -> int:
    """The deadline version once these are the petition's deadlines: what deciders write on events."""
    changed = promised != state.promised_date or statutory != state.statutory
    return state.deadline_version + 1 if changed else state.deadline_version


def _with_deadlines(
    state: PetitionState, promised: date | None, statutory: StatutoryTerm | None
) -> PetitionState:
    changed: set[DeadlineKind] = set()
    if promised != state.promised_date:
        changed.add(DeadlineKind.PROMISED)
    if statutory != state.statutory:
        changed.add(DeadlineKind.STATUTORY)
    if not changed:
        return state
    return replace(
        state,
        promised_date=promised,
        statutory=statutory,
        deadline_version=deadline_version_after(state, promised, statutory),
        due_soon=state.due_soon - changed,
        overdue=state.overdue - changed,
    )


def _deadlines_stopped(state: PetitionState, status: Status) -> PetitionState:
    return replace(state, status=status, due_soon=frozenset(), overdue=frozenset())


def evolve(state: PetitionState, event: DomainEvent, occurred_at: datetime) -> PetitionState:
    """`occurred_at` is when the fact was recorded; the dates that matter travel in the events."""
    state = replace(state, version=state.version + 1)
    match event:
        case PetitionReceived():
            return replace(
                state,
                status=Status.RECEIVED,
                province_code=event.province_code,
                received_on=event.received_on or vietnam_date(occurred_at),
                legal_type=event.legal_type,
                conference_id=event.conference_id,
                citizen_ref=event.citizen_ref,
                cosigner_refs=tuple(dict.fromkeys(event.cosigner_refs)),
            )
        case PetitionDisposedAtConference():
            return replace(
                state,
                disposition=event.disposition,
                answered_at_conference=event.disposition in ANSWERED_AT_CONFERENCE,
            )
        case PetitionAssigned():
            state = replace(
                state, status=Status.ASSIGNED, agency_code=event.agency_code, officer_ref=event.officer_ref
            )
            # v1 events written before `statutory` existed leave the clock as it was.
            return _with_deadlines(state, event.promised_date, event.statutory or state.statutory)
        case PetitionAccepted():
            return _with_deadlines(
                replace(state, accepted_on=event.accepted_on), state.promised_date, event.statutory
            )
        case PetitionDeadlineExtended():
            if event.which is DeadlineKind.PROMISED:
                state = replace(state, promised_extensions=state.promised_extensions + 1)
                return _with_deadlines(state, event.new_due, state.statutory)
            return _with_deadlines(state, state.promised_date, event.statutory)
        case PetitionReassigned():
            state = replace(state, agency_code=event.agency_code, officer_ref=event.officer_ref)
            return _with_deadlines(state, event.promised_date, state.statutory)
        case PetitionEscalated():
            state = replace(
                state,
                status=Status.ESCALATED,
                handling_level=event.to_level,
                handling_unit_code=event.to_unit_code,
                agency_code=None,
                officer_ref=None,
                accepted_on=None,
            )
            return _with_deadlines(state, None, None)
        case PetitionAnswered():
            return _deadlines_stopped(replace(state, answered_on=vietnam_date(occurred_at)), Status.ANSWERED)
        case PetitionAnswerPublished():
            return replace(
                state,
                published_on=state.published_on or event.published_on,
                published_channels=state.published_channels | frozenset(event.channels),
            )
        case PetitionFeedbackGiven():
            return replace(state, feedback_satisfied=event.satisfied)
        case PetitionReopened():
            state = replace(
                state,
                status=Status.ASSIGNED if state.agency_code else Status.RECEIVED,
                reopened=state.reopened + 1,
                answered_at_conference=False,
                published_on=None,
                published_channels=frozenset(),
                feedback_satisfied=None,
            )
            # The statute's clock was met (or missed) by the answer; a reopened matter runs on the
            # promised date it is given now.
            return _with_deadlines(state, event.promised_date, None)
        case PetitionClosed():
            return _deadlines_stopped(state, Status.CLOSED)
        case PetitionWithdrawn():
            return _deadlines_stopped(state, Status.WITHDRAWN)
        case PetitionMergedInto():
            return _deadlines_stopped(replace(state, merged_into=event.primary_petition_id), Status.MERGED)
        case PetitionAbsorbedDuplicate():
            return replace(
                state,
                duplicates=tuple(dict.fromkeys((*state.duplicates, event.duplicate_petition_id))),
                cosigner_refs=tuple(dict.fromkeys((*state.cosigner_refs, *event.cosigner_refs))),
            )
        case PetitionBecameDueSoon():
            return replace(state, due_soon=state.due_soon | {event.which})
        case PetitionBecameOverdue():
            return replace(
                state, overdue=state.overdue | {event.which}, due_soon=state.due_soon - {event.which}
            )
    return state  # event types this version does not act on still count as versions


def fold(events: Iterable[tuple[DomainEvent, datetime]]) -> PetitionState:
    state = PetitionState()
    for event, occurred_at in events:
        state = evolve(state, event, occurred_at)
    return state
