"""How each petition event changes reporting's petition row (`petition_row.PetitionRow`).

Pure: no I/O and no wall clock. The day a fact is about travels in its event; otherwise it is
the day in Vietnam of the envelope's `occurred_at`, as tracking counts it. `apply` changes a
row in place, for the batch that owns its copy (the projection writes rows in bulk); `evolve`
and `fold` are the pure forms.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import (
    DeadlineKind,
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
from langnghe.reporting.domain.petition_row import (
    ANSWERED_AT_CONFERENCE,
    AnswerTimeliness,
    PetitionRow,
    Status,
    received_row,
)

_StatutoryColumns = tuple[str | None, date | None, date | None, int | None, int | None]


def _statutory(row: PetitionRow) -> _StatutoryColumns:
    return (
        row["statutory_clock"],
        row["statutory_start"],
        row["statutory_due"],
        row["statutory_days"],
        row["statutory_extensions"],
    )


def _columns(term: StatutoryTerm | None) -> _StatutoryColumns:
    if term is None:
        return (None, None, None, None, None)
    return (term.clock, term.start, term.due, term.days, term.extensions)


def _set_deadlines(row: PetitionRow, promised: date | None, statutory: _StatutoryColumns) -> None:
    """A deadline that changes loses its due-soon and overdue marks; the other keeps its own."""
    if promised != row["promised_date"]:
        row["promised_date"] = promised
        row["promised_due_soon"] = row["promised_overdue"] = False
    if statutory != _statutory(row):
        (
            row["statutory_clock"],
            row["statutory_start"],
            row["statutory_due"],
            row["statutory_days"],
            row["statutory_extensions"],
        ) = statutory
        row["statutory_due_soon"] = row["statutory_overdue"] = False


def _stop_deadlines(row: PetitionRow, status: Status) -> None:
    """Answered, closed, withdrawn or merged: no deadline can be missed any more."""
    row["status"] = status.value
    row["promised_due_soon"] = row["promised_overdue"] = False
    row["statutory_due_soon"] = row["statutory_overdue"] = False


def _mark(row: PetitionRow, which: DeadlineKind, *, overdue: bool) -> None:
    if which is DeadlineKind.PROMISED:
        if overdue:
            row["promised_overdue"], row["promised_due_soon"] = True, False
        else:
            row["promised_due_soon"] = True
    elif overdue:
        row["statutory_overdue"], row["statutory_due_soon"] = True, False
    else:
        row["statutory_due_soon"] = True


def _timeliness(answered_on: date, promised: date | None) -> AnswerTimeliness:
    if promised is None:
        return AnswerTimeliness.NO_PROMISED_DATE
    return AnswerTimeliness.ON_TIME if answered_on <= promised else AnswerTimeliness.LATE


def apply(row: PetitionRow, event: DomainEvent, occurred_at: datetime) -> None:
    """Apply one later event of the petition to `row`, in place. `petition.received` starts a
    row (`received_row`) and changes nothing here; unknown types only move `last_event_at`."""
    row["last_event_at"] = occurred_at
    match event:
        case PetitionDisposedAtConference():
            row["disposition"] = event.disposition.value
            row["answered_at_conference"] = event.disposition in ANSWERED_AT_CONFERENCE
            row["conference_id"] = row["conference_id"] or event.conference_id
        case PetitionAssigned():
            row["status"] = Status.ASSIGNED.value
            row["agency_code"] = event.agency_code
            row["officer_ref"] = event.officer_ref
            row["assigned_at"] = occurred_at
            # Assignments written before `statutory` existed leave the clock as it was.
            statutory = _columns(event.statutory) if event.statutory is not None else _statutory(row)
            _set_deadlines(row, event.promised_date, statutory)
        case PetitionAccepted():
            row["accepted_on"] = event.accepted_on
            row["accepted_late"] = event.late
            _set_deadlines(row, row["promised_date"], _columns(event.statutory))
        case PetitionDeadlineExtended():
            if event.which is DeadlineKind.PROMISED:
                row["promised_extensions"] += 1
                _set_deadlines(row, event.new_due, _statutory(row))
            else:
                _set_deadlines(row, row["promised_date"], _columns(event.statutory))
        case PetitionReassigned():
            row["agency_code"] = event.agency_code
            row["officer_ref"] = event.officer_ref
            _set_deadlines(row, event.promised_date, _statutory(row))
        case PetitionEscalated():
            # The receiving level assigns anew: agency, acceptance and both clocks stop here.
            row["status"] = Status.ESCALATED.value
            row["escalated_to_level"] = event.to_level.value
            row["escalated_to_unit_code"] = event.to_unit_code
            row["agency_code"] = row["officer_ref"] = None
            row["accepted_on"] = row["accepted_late"] = None
            _set_deadlines(row, None, _columns(None))
        case PetitionAnswered():
            answered_on = vietnam_date(occurred_at)
            row["answered_at"] = occurred_at
            row["answered_on"] = answered_on
            row["answer_timeliness"] = _timeliness(answered_on, row["promised_date"]).value
            row["answer_text"] = event.answer_text
            row["answering_agency_code"] = event.answering_agency_code
            row["document_number"] = event.document_number
            row["document_date"] = event.document_date
            _stop_deadlines(row, Status.ANSWERED)
        case PetitionAnswerPublished():
            row["answer_published_on"] = row["answer_published_on"] or event.published_on
            row["answer_published_channels"] = tuple(
                sorted({*row["answer_published_channels"], *(c.value for c in event.channels)})
            )
        case PetitionFeedbackGiven():
            row["feedback_satisfied"] = event.satisfied
            if not event.satisfied:
                row["times_not_satisfied"] += 1
        case PetitionReopened():
            # The previous answer stays readable (text, agency, when) but no longer stands: its
            # timeliness, publication and the citizen's feedback on it are cleared. The history of
            # dissatisfaction (`times_not_satisfied`) stays: it is why petitions are reopened.
            row["status"] = (Status.ASSIGNED if row["agency_code"] else Status.RECEIVED).value
            row["times_reopened"] += 1
            row["answered_at_conference"] = False
            row["answer_timeliness"] = None
            row["answer_published_on"] = None
            row["answer_published_channels"] = ()
            row["feedback_satisfied"] = None
            # The statute's clock was met (or missed) by the answer; a reopened matter runs on
            # the promised date it is given now.
            _set_deadlines(row, event.promised_date, _columns(None))
        case PetitionClosed():
            _stop_deadlines(row, Status.CLOSED)
        case PetitionWithdrawn():
            _stop_deadlines(row, Status.WITHDRAWN)
        case PetitionMergedInto():
            row["merged_into"] = event.primary_petition_id
            _stop_deadlines(row, Status.MERGED)
        case PetitionAbsorbedDuplicate():
            row["duplicates_absorbed"] += 1
        case PetitionBecameDueSoon():
            _mark(row, event.which, overdue=False)
        case PetitionBecameOverdue():
            _mark(row, event.which, overdue=True)


def evolve(row: PetitionRow, event: DomainEvent, occurred_at: datetime) -> PetitionRow:
    """`apply` on a copy."""
    after = row.copy()
    apply(after, event, occurred_at)
    return after


def fold(petition_id: str, events: Iterable[tuple[DomainEvent, datetime]]) -> PetitionRow | None:
    """The row after these events (in order), or None before `petition.received`. A second
    `petition.received` is ignored, as the projection ignores it."""
    row: PetitionRow | None = None
    for seq, (event, occurred_at) in enumerate(events, start=1):
        if isinstance(event, PetitionReceived):
            if row is None:
                row = received_row(petition_id, event, occurred_at, seq)
            continue
        if row is not None:
            apply(row, event, occurred_at)
            row["last_seq"] = seq
    return row
