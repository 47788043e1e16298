"""What reporting's HTTP routes answer: the shapes, documented for the OpenAPI page."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from langnghe.contracts.events.conference import PublicationChannel, UnitLevel
from langnghe.contracts.events.petition import Channel, Disposition, LegalType
from langnghe.reporting.domain.petition_row import AnswerTimeliness, Status


class PetitionStatusView(BaseModel):
    """One petition as the MTTQ and the citizen follow it. No personal data: people appear
    only as officials' references."""

    petition_id: str
    code: str = Field(description="The code the citizen looks the petition up with")
    province_code: str
    commune_code: str | None
    channel: Channel
    legal_type: LegalType
    field_code: str | None
    content: str
    conference_id: str | None
    disposition: Disposition | None = Field(description="What the conference did with the opinion")
    status: Status
    agency_code: str | None = Field(description="The agency handling it now")
    officer_ref: str | None
    escalated_to_level: UnitLevel | None
    escalated_to_unit_code: str | None
    promised_date: date | None = Field(description="The date promised for the answer")
    promised_extensions: int = Field(description="How many times the promised date was moved")
    statutory_clock: str | None = Field(description="The statute whose clock runs, e.g. `denunciation`")
    statutory_start: date | None
    statutory_due: date | None = Field(description="The statutory due date")
    statutory_days: int | None
    statutory_extensions: int | None
    accepted_on: date | None = Field(description="Accepted for resolution (thụ lý) on")
    accepted_late: bool | None = Field(description="Accepted after the acceptance clock had run out")
    promised_due_soon: bool
    promised_overdue: bool
    statutory_due_soon: bool
    statutory_overdue: bool
    received_on: date
    received_at: datetime
    assigned_at: datetime | None
    answered_at: datetime | None = Field(description="When the (latest) answer was recorded")
    answered_on: date | None = Field(description="Its day in Vietnam, which the promised date is held to")
    answered_at_conference: bool
    answer_timeliness: AnswerTimeliness | None = Field(
        description="The standing answer against the promised date; null while none stands"
    )
    answer_text: str | None
    answering_agency_code: str | None
    document_number: str | None
    document_date: date | None
    answer_published_on: date | None
    answer_published_channels: list[PublicationChannel]
    feedback_satisfied: bool | None = Field(description="The citizen's feedback on the standing answer")
    times_not_satisfied: int = Field(description='"Not satisfied" feedbacks given, on every answer so far')
    times_reopened: int
    merged_into: str | None = Field(description="The primary petition this duplicate is followed on")
    duplicates_absorbed: int = Field(description="Duplicates merged into this petition")
    last_event_at: datetime
    last_seq: int = Field(description="Stream sequence of the last event applied")


class PerDeadline(BaseModel):
    promised: int
    statutory: int
    any: int = Field(description="Petitions with either mark (each counted once)")


class AnswerFigures(BaseModel):
    standing: int = Field(description="Answered or closed petitions whose answer stands")
    on_time: int = Field(description="… answered on or before the promised date")
    late: int = Field(description="… answered after the promised date")
    no_promised_date: int = Field(description="… with no promised date to hold them to")
    published: int = Field(description="… whose answer was made public (a legal duty)")
    at_conference: int = Field(description="… answered at the conference itself, in public")
    not_public: int = Field(description="… neither published nor given at the conference")


class FeedbackFigures(BaseModel):
    satisfied: int = Field(description="Standing answers the citizen was satisfied with")
    not_satisfied: int = Field(description="Standing answers the citizen was not satisfied with")
    ever_not_satisfied: int = Field(
        description="Petitions whose citizen was not satisfied at least once, even if reopened "
        "and answered again since"
    )
    not_satisfied_times: int = Field(description='"Not satisfied" feedbacks in all, on every answer')


class ReopenedFigures(BaseModel):
    petitions: int = Field(description="Petitions reopened at least once")
    times: int = Field(description="Reopenings in all")


class PetitionStats(BaseModel):
    generation: int = Field(description="The projection generation that answered")
    province_code: str | None
    commune_code: str | None
    total: int
    by_status: dict[str, int]
    by_legal_type: dict[str, int]
    by_channel: dict[str, int]
    open: int = Field(description="Received, assigned or escalated: someone still owes an answer")
    open_overdue: PerDeadline
    open_due_soon: PerDeadline
    answers: AnswerFigures
    feedback: FeedbackFigures
    reopened: ReopenedFigures
    duplicates_absorbed: int
    accepted_late: int
    events_applied: dict[str, int] = Field(
        description="Events applied by type, in the whole projection (never filtered)"
    )
