"""What agencies, clerks, citizens, the MTTQ and the timers ask of a petition. Plain data: the
rules that allow or refuse each one are in the decision modules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from langnghe.contracts.events.conference import PublicationChannel, UnitLevel
from langnghe.contracts.events.petition import ComplaintInstance, DeadlineKind, Disposition, TransferKind


@dataclass(frozen=True)
class DisposeAtConference:
    """The conference's decision on an opinion raised there. Which other fields are needed
    depends on the disposition: the answer for `answered_on_spot` and `explained`, the agency and
    promised date for `assigned`, the level, unit and reason (`note`) for `escalated`."""

    disposition: Disposition
    note: str | None = None
    answer_text: str | None = None
    answering_agency_code: str | None = None
    agency_code: str | None = None
    promised_date: date | None = None
    officer_ref: str | None = None
    to_level: UnitLevel | None = None
    to_unit_code: str | None = None


@dataclass(frozen=True)
class AssignPetition:
    agency_code: str
    promised_date: date
    officer_ref: str | None = None


@dataclass(frozen=True)
class AcceptPetition:
    """Thụ lý: the agency takes the complaint or denunciation up for resolution."""

    accepted_on: date
    decision_number: str | None = None
    complaint_instance: ComplaintInstance | None = None
    complex_case: bool = False
    remote_area: bool = False


@dataclass(frozen=True)
class ExtendDeadline:
    """Move the promised date to `new_date`, or extend the statutory term by the period the
    statute allows (a written decision: `decision_number`); `new_date` is then not used."""

    which: DeadlineKind
    reason: str
    new_date: date | None = None
    decision_number: str | None = None
    decision_date: date | None = None


@dataclass(frozen=True)
class ReassignPetition:
    agency_code: str
    reason: str
    officer_ref: str | None = None
    promised_date: date | None = None  # None keeps the promised date in force


@dataclass(frozen=True)
class EscalatePetition:
    kind: TransferKind
    to_level: UnitLevel
    to_unit_code: str
    reason: str


@dataclass(frozen=True)
class AnswerPetition:
    answer_text: str
    answering_agency_code: str
    document_number: str | None = None
    document_date: date | None = None


@dataclass(frozen=True)
class PublishAnswer:
    published_on: date
    channels: tuple[PublicationChannel, ...]
    note: str | None = None


@dataclass(frozen=True)
class GiveFeedback:
    satisfied: bool
    reason: str | None = None


@dataclass(frozen=True)
class ReopenPetition:
    reason: str
    promised_date: date | None = None


@dataclass(frozen=True)
class ClosePetition:
    note: str | None = None


@dataclass(frozen=True)
class WithdrawPetition:
    reason: str


@dataclass(frozen=True)
class MergeAsDuplicate:
    """Decided on the duplicate, with the primary's state at hand (`decide_merge(..., primary=)`)."""

    petition_id: str
    primary_petition_id: str
    reason: str


@dataclass(frozen=True)
class AbsorbDuplicate:
    """Decided on the primary, in reaction to `petition.merged_into` on the duplicate."""

    duplicate_petition_id: str
    cosigner_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class MarkDueSoon:
    """A timer firing: `deadline_version` is the version it was scheduled for."""

    which: DeadlineKind
    deadline_version: int


@dataclass(frozen=True)
class MarkOverdue:
    which: DeadlineKind
    deadline_version: int


PetitionCommand = (
    DisposeAtConference
    | AssignPetition
    | AcceptPetition
    | ExtendDeadline
    | ReassignPetition
    | EscalatePetition
    | AnswerPetition
    | PublishAnswer
    | GiveFeedback
    | ReopenPetition
    | ClosePetition
    | WithdrawPetition
    | MergeAsDuplicate
    | AbsorbDuplicate
    | MarkDueSoon
    | MarkOverdue
)
