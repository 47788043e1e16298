"""Events of the petition aggregate (subject `petitions.events.<province>.<petition_id>`).

intake writes `petition.received`; tracking writes every later fact of the petition's life.
People appear only as references (`*_ref`), units and agencies by code. Dates the facts are
about (accepted on, published on) travel in the events: the day an event is recorded may differ
from the day the thing happened.

Deadlines: a petition has a **promised** date (what the answering side committed to) and, where
its legal type has one, a **statutory** date (`StatutoryTerm`). Every event that changes either
carries `deadline_version`, the version of the petition's deadlines after it. Timers are
scheduled with that version; a timer whose version is no longer current is a no-op.

One file on purpose, though over 300 lines: it is the petition stream's published contract,
every event type of the aggregate (seventeen) and the vocabulary they share, which a consumer
reads as a whole. Its length is the contract's size; splitting it would spread one schema over
several modules.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import PublicationChannel, UnitLevel


class Channel(StrEnum):
    """Where the opinion was raised: at a meeting with leaders, or through another channel."""

    DIALOGUE_CONFERENCE = "dialogue_conference"
    VOTER_MEETING = "voter_meeting"
    CITIZEN_RECEPTION = "citizen_reception"
    HOTLINE = "hotline"
    ONLINE = "online"
    MTTQ_REFERRAL = "mttq_referral"
    WORK_VISIT = "work_visit"
    WRITTEN_LETTER = "written_letter"


class LegalType(StrEnum):
    """The legal nature of the matter; it decides which statutory clock applies."""

    RECOMMENDATION = "recommendation"  # ý kiến, kiến nghị
    REFLECTION = "reflection"  # phản ánh
    COMPLAINT = "complaint"  # khiếu nại
    DENUNCIATION = "denunciation"  # tố cáo
    VOTERS_PETITION = "voters_petition"  # kiến nghị cử tri


class Disposition(StrEnum):
    """What the conference did with an opinion (the step after it is raised)."""

    ANSWERED_ON_SPOT = "answered_on_spot"  # giải đáp tại hội nghị
    EXPLAINED = "explained"  # tuyên truyền, giải thích (policy misunderstanding)
    ASSIGNED = "assigned"  # giao cơ quan chức năng, hẹn thời gian cụ thể
    ESCALATED = "escalated"  # báo cáo cấp có thẩm quyền
    RECORDED_ONLY = "recorded_only"  # ghi nhận, tổng hợp


class ComplaintInstance(StrEnum):
    """Which resolution of a complaint this is (Luật Khiếu nại 2011: lần đầu, lần hai)."""

    FIRST = "first_instance"
    SECOND = "second_instance"


class TransferKind(StrEnum):
    ESCALATION = "escalation"  # chuyển cấp có thẩm quyền: to the competent (usually higher) level
    TRANSFER = "transfer"  # chuyển đơn: to another unit that is competent


class DeadlineKind(StrEnum):
    PROMISED = "promised"  # hẹn thời gian giải quyết
    STATUTORY = "statutory"  # thời hạn luật định


class StatutoryTerm(BaseModel):
    """The statutory clock running on the petition, as tracking computed it when it started."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    clock: str = Field(description="Code of the statute, e.g. `denunciation`, `complaint_acceptance`")
    start: date = Field(description="The day the clock counts from; it is not itself counted")
    due: date
    days: int = Field(ge=1, description="The whole period in the statute's day kind, extensions included")
    extensions: int = Field(default=0, ge=0)


# -- received (written by intake) ----------------------------------------------------------


class PetitionReceived(DomainEvent):
    type: Literal["petition.received"] = "petition.received"

    code: str = Field(description="Human-readable code the citizen uses to look the petition up")
    province_code: str
    commune_code: str | None = None
    channel: Channel
    legal_type: LegalType = LegalType.RECOMMENDATION
    field_code: str | None = None
    content: str = Field(description="What was raised; free text, no contact details")
    citizen_ref: str | None = Field(
        default=None, description="Reference into intake's personal-data vault; null if anonymous"
    )
    conference_id: str | None = None
    cosigner_refs: tuple[str, ...] = Field(
        default=(), description="Vault references of the other citizens who signed the same petition"
    )
    origin_ref: str | None = Field(
        default=None,
        description="Where it came from when not raised directly: an MTTQ recommendation, an imported record",
    )
    received_on: date | None = Field(
        default=None,
        description="The day it was actually received, when earlier than the day it was recorded (imports)",
    )


# -- conference, assignment, acceptance ----------------------------------------------------


class PetitionDisposedAtConference(DomainEvent):
    """The conference's decision on the opinion. The consequence (answer, assignment, escalation)
    follows as its own event in the same batch; `recorded_only` has none."""

    type: Literal["petition.disposed_at_conference"] = "petition.disposed_at_conference"

    conference_id: str
    disposition: Disposition
    note: str | None = None


class PetitionAssigned(DomainEvent):
    type: Literal["petition.assigned"] = "petition.assigned"

    agency_code: str
    officer_ref: str | None = None
    promised_date: date
    statutory: StatutoryTerm | None = Field(
        default=None, description="The statutory clock in force after the assignment, if the type has one"
    )
    deadline_version: int | None = Field(default=None, ge=0)


class PetitionAccepted(DomainEvent):
    """The agency accepted the matter for resolution (thụ lý): complaints and denunciations.
    The statutory resolution clock starts from `accepted_on`."""

    type: Literal["petition.accepted"] = "petition.accepted"

    agency_code: str
    accepted_on: date
    decision_number: str | None = None
    complaint_instance: ComplaintInstance | None = None
    complex_case: bool = False
    remote_area: bool = False
    late: bool = Field(description="Accepted after the acceptance clock had run out")
    statutory: StatutoryTerm
    deadline_version: int = Field(ge=0)


class PetitionDeadlineExtended(DomainEvent):
    type: Literal["petition.deadline_extended"] = "petition.deadline_extended"

    which: DeadlineKind
    previous_due: date
    new_due: date
    reason: str
    decision_number: str | None = Field(default=None, description="The written extension decision")
    decision_date: date | None = None
    extensions: int = Field(ge=1, description="Extensions of this deadline so far, this one included")
    after_due: bool = Field(description="Decided after the previous due date had passed")
    statutory: StatutoryTerm | None = Field(default=None, description="The extended term (statutory only)")
    deadline_version: int = Field(ge=0)


class PetitionReassigned(DomainEvent):
    """Handed to another agency or officer of the same handling unit; the clocks keep running."""

    type: Literal["petition.reassigned"] = "petition.reassigned"

    from_agency_code: str
    agency_code: str
    officer_ref: str | None = None
    reason: str
    promised_date: date | None = Field(description="The promised date in force after the reassignment")
    deadline_version: int = Field(ge=0)


class PetitionEscalated(DomainEvent):
    """Sent to another level or unit, which assigns it anew; assignment and clocks stop here."""

    type: Literal["petition.escalated"] = "petition.escalated"

    kind: TransferKind
    to_level: UnitLevel
    to_unit_code: str
    reason: str
    from_agency_code: str | None = None
    deadline_version: int = Field(ge=0)


# -- answer and after ----------------------------------------------------------------------


class PetitionAnswered(DomainEvent):
    type: Literal["petition.answered"] = "petition.answered"

    answer_text: str
    answering_agency_code: str
    document_number: str | None = None
    document_date: date | None = None


class PetitionAnswerPublished(DomainEvent):
    type: Literal["petition.answer_published"] = "petition.answer_published"

    published_on: date
    channels: tuple[PublicationChannel, ...] = Field(min_length=1)
    note: str | None = None


class PetitionFeedbackGiven(DomainEvent):
    type: Literal["petition.feedback_given"] = "petition.feedback_given"

    satisfied: bool
    reason: str | None = Field(default=None, description="Required when not satisfied")


class PetitionReopened(DomainEvent):
    type: Literal["petition.reopened"] = "petition.reopened"

    reason: str
    promised_date: date | None = None
    deadline_version: int = Field(ge=0)


class PetitionClosed(DomainEvent):
    type: Literal["petition.closed"] = "petition.closed"

    note: str | None = None
    citizen_satisfied: bool | None = Field(
        default=None, description="The citizen's latest feedback when it was closed; null if none"
    )


class PetitionWithdrawn(DomainEvent):
    type: Literal["petition.withdrawn"] = "petition.withdrawn"

    reason: str


# -- duplicates ----------------------------------------------------------------------------


class PetitionMergedInto(DomainEvent):
    """This petition duplicates another (the primary) and is followed there from now on."""

    type: Literal["petition.merged_into"] = "petition.merged_into"

    primary_petition_id: str = Field(min_length=1, max_length=128)
    reason: str
    cosigner_refs: tuple[str, ...] = Field(
        default=(), description="This petition's citizen and co-signers, to be added to the primary"
    )


class PetitionAbsorbedDuplicate(DomainEvent):
    """On the primary: a duplicate was merged into it; its citizens become co-signers."""

    type: Literal["petition.absorbed_duplicate"] = "petition.absorbed_duplicate"

    duplicate_petition_id: str = Field(min_length=1, max_length=128)
    cosigner_refs: tuple[str, ...] = Field(default=(), description="Only those not already on the primary")


# -- timers --------------------------------------------------------------------------------


class PetitionBecameDueSoon(DomainEvent):
    type: Literal["petition.became_due_soon"] = "petition.became_due_soon"

    which: DeadlineKind
    due: date
    working_days_left: int = Field(ge=0)
    agency_code: str | None = None
    deadline_version: int = Field(ge=0)


class PetitionBecameOverdue(DomainEvent):
    type: Literal["petition.became_overdue"] = "petition.became_overdue"

    which: DeadlineKind
    due: date
    agency_code: str | None = None
    deadline_version: int = Field(ge=0)


PETITION_EVENTS: tuple[type[DomainEvent], ...] = (
    PetitionReceived,
    PetitionDisposedAtConference,
    PetitionAssigned,
    PetitionAccepted,
    PetitionDeadlineExtended,
    PetitionReassigned,
    PetitionEscalated,
    PetitionAnswered,
    PetitionAnswerPublished,
    PetitionFeedbackGiven,
    PetitionReopened,
    PetitionClosed,
    PetitionWithdrawn,
    PetitionMergedInto,
    PetitionAbsorbedDuplicate,
    PetitionBecameDueSoon,
    PetitionBecameOverdue,
)
