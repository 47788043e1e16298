"""One petition as an MTTQ overseer and the citizen read it: a flat row folded from the
petition's events. The row follows what each event means as tracking records it (status,
deadlines and their due-soon/overdue marks, answer, publication, feedback, reopening,
duplicates); reporting does not import tracking, so the meaning is restated here. This module
holds the row's shape and the row a receipt starts; how each later event changes it is
`petition_row_fold`.

People appear only as references, and only officials' (`officer_ref`): the row carries no
citizen reference. The row is a plain dict (a TypedDict) because the projection writes rows in
bulk.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Final, TypedDict

from langnghe.contracts.events.petition import (
    Disposition,
    PetitionReceived,
)
from langnghe.domain.vietnam_time import vietnam_date


class Status(StrEnum):
    """The same values as tracking's status (a row exists only once the petition does)."""

    RECEIVED = "received"
    ASSIGNED = "assigned"
    ESCALATED = "escalated"  # sent to another level or unit, waiting for it to assign
    ANSWERED = "answered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"  # a duplicate, followed on its primary


#: Someone still owes an answer.
OPEN: Final = frozenset({Status.RECEIVED, Status.ASSIGNED, Status.ESCALATED})
#: The answer given stands (a reopened petition's previous answer does not).
ANSWER_STANDS: Final = frozenset({Status.ANSWERED, Status.CLOSED})
#: Dispositions under which the conference itself gave the answer, in public.
ANSWERED_AT_CONFERENCE: Final = frozenset({Disposition.ANSWERED_ON_SPOT, Disposition.EXPLAINED})


class AnswerTimeliness(StrEnum):
    """The answer's day (in Vietnam, when it was recorded) against the promised date in force."""

    ON_TIME = "on_time"
    LATE = "late"
    NO_PROMISED_DATE = "no_promised_date"  # answered at the conference, or never promised a date


class PetitionRow(TypedDict):
    petition_id: str
    code: str
    province_code: str
    commune_code: str | None
    channel: str
    legal_type: str
    field_code: str | None
    content: str
    conference_id: str | None
    disposition: str | None
    status: str
    agency_code: str | None
    officer_ref: str | None
    escalated_to_level: str | None
    escalated_to_unit_code: str | None
    promised_date: date | None
    promised_extensions: int
    statutory_clock: str | None
    statutory_start: date | None
    statutory_due: date | None
    statutory_days: int | None
    statutory_extensions: int | None
    accepted_on: date | None
    accepted_late: bool | None
    promised_due_soon: bool
    promised_overdue: bool
    statutory_due_soon: bool
    statutory_overdue: bool
    received_on: date
    received_at: datetime
    assigned_at: datetime | None
    answered_at: datetime | None
    answered_on: date | None
    answered_at_conference: bool
    answer_timeliness: str | None
    answer_text: str | None
    answering_agency_code: str | None
    document_number: str | None
    document_date: date | None
    answer_published_on: date | None
    answer_published_channels: tuple[str, ...]
    feedback_satisfied: bool | None
    times_not_satisfied: int
    """"Not satisfied" feedbacks given, on every answer so far: unlike `feedback_satisfied`
    (the feedback on the standing answer), reopening does not clear it."""
    times_reopened: int
    merged_into: str | None
    duplicates_absorbed: int
    last_event_at: datetime
    last_seq: int


def received_row(petition_id: str, event: PetitionReceived, occurred_at: datetime, seq: int) -> PetitionRow:
    return {
        "petition_id": petition_id,
        "code": event.code,
        "province_code": event.province_code,
        "commune_code": event.commune_code,
        "channel": event.channel.value,
        "legal_type": event.legal_type.value,
        "field_code": event.field_code,
        "content": event.content,
        "conference_id": event.conference_id,
        "disposition": None,
        "status": Status.RECEIVED.value,
        "agency_code": None,
        "officer_ref": None,
        "escalated_to_level": None,
        "escalated_to_unit_code": None,
        "promised_date": None,
        "promised_extensions": 0,
        "statutory_clock": None,
        "statutory_start": None,
        "statutory_due": None,
        "statutory_days": None,
        "statutory_extensions": None,
        "accepted_on": None,
        "accepted_late": None,
        "promised_due_soon": False,
        "promised_overdue": False,
        "statutory_due_soon": False,
        "statutory_overdue": False,
        "received_on": event.received_on or vietnam_date(occurred_at),
        "received_at": occurred_at,
        "assigned_at": None,
        "answered_at": None,
        "answered_on": None,
        "answered_at_conference": False,
        "answer_timeliness": None,
        "answer_text": None,
        "answering_agency_code": None,
        "document_number": None,
        "document_date": None,
        "answer_published_on": None,
        "answer_published_channels": (),
        "feedback_satisfied": None,
        "times_not_satisfied": 0,
        "times_reopened": 0,
        "merged_into": None,
        "duplicates_absorbed": 0,
        "last_event_at": occurred_at,
        "last_seq": seq,
    }
