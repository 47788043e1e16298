"""Events of three aggregates that are not petitions but produce and supervise them.

- **Conference** (subject `conferences.events.<province>.<conference_id>`, aggregate type
  `conference`): a dialogue conference, voter meeting, citizen-reception session or dialogue
  with the MTTQ, from scheduling to the publication of its results.
- **Conference plan** (subject `conferences.plans.<province>.<plan_id>`, aggregate type
  `conference_plan`): how many conferences a unit plans for a year or a quarter ("Kế hoạch tổ
  chức hội nghị tiếp xúc, đối thoại"). A plan is its own aggregate: it is issued by another
  body than the one holding each conference, it exists before any conference is scheduled, it
  counts conferences that may never be scheduled, and nothing about a single conference needs
  it to be decided. Planned-versus-held is a derivation over both.
- **Supervision session** (subject `supervisions.events.<province>.<session_id>`, aggregate
  type `supervision`): one MTTQ supervision (cuộc giám sát), from plan to recommendations.

People appear only as references (`*_ref`), never by name; units and agencies by code.
Dates the facts are about (held on, announced on) are carried by the events themselves: the
day an event is recorded may differ from the day the thing happened.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from langnghe.contracts.events.base import DomainEvent


class ConferenceKind(StrEnum):
    """The meetings where citizens raise opinions before local leaders."""

    DIALOGUE_CONFERENCE = "dialogue_conference"  # hội nghị đối thoại
    VOTER_MEETING = "voter_meeting"  # tiếp xúc cử tri
    CITIZEN_RECEPTION = "citizen_reception"  # tiếp công dân (định kỳ)
    MTTQ_DIALOGUE = "mttq_dialogue"  # đối thoại với MTTQ và các tổ chức chính trị - xã hội


class UnitLevel(StrEnum):
    PROVINCE = "province"
    # Districts were abolished on 1 July 2025; the level stays for the 2020-2025 records
    # (Sa Pa, Sông Lô, Hà Nam's 22 district conferences) and is refused for later dates.
    DISTRICT = "district"
    COMMUNE = "commune"


class ChairRole(StrEnum):
    PARTY_COMMITTEE_HEAD = "party_committee_head"  # bí thư cấp ủy
    GOVERNMENT_HEAD = "government_head"  # chủ tịch UBND
    PEOPLES_COUNCIL = "peoples_council"  # đại diện Thường trực HĐND (co-chair under LGO 2025 Art. 43)
    MTTQ = "mttq"  # chủ tịch Ủy ban MTTQ
    OTHER = "other"


class AttendanceMode(StrEnum):
    """LGO 2025 Art. 43 (as reported): in person, online or through social networks."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class ConvocationReason(StrEnum):
    PERIODIC = "periodic"  # per the unit's plan (quarterly, yearly)
    VOTERS_REQUEST = "voters_request"  # ≥ 10 % of the commune's voters asked (Art. 43, as reported)
    AD_HOC = "ad_hoc"  # a pressing matter ("đột xuất", Đống Đa)


class PublicationChannel(StrEnum):
    """Where a notice or a result was made public (Art. 43 names the first three)."""

    MASS_MEDIA = "mass_media"  # phương tiện thông tin đại chúng
    HEADQUARTERS_NOTICE_BOARD = "headquarters_notice_board"  # niêm yết tại trụ sở
    VILLAGE_HEADS = "village_heads"  # gửi trưởng thôn, tổ trưởng tổ dân phố
    LOUDSPEAKER = "loudspeaker"  # hệ thống truyền thanh cơ sở
    WEB_PORTAL = "web_portal"
    SOCIAL_NETWORK = "social_network"


class Chair(BaseModel):
    """One chair or co-chair: a reference to an official, and the role they chair in."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    ref: str = Field(min_length=1, max_length=128)
    role: ChairRole


# -- conference ----------------------------------------------------------------------------


class ConferenceScheduled(DomainEvent):
    type: Literal["conference.scheduled"] = "conference.scheduled"

    kind: ConferenceKind
    level: UnitLevel
    province_code: str
    unit_code: str = Field(description="The unit whose leaders hold it: province, legacy district or commune")
    chairs: tuple[Chair, ...] = Field(min_length=1)
    mttq_co_organiser_ref: str | None = Field(
        default=None, description="The MTTQ committee co-organising it (required for commune dialogues)"
    )
    planned_on: date
    attendance_mode: AttendanceMode = AttendanceMode.IN_PERSON
    place: str | None = None
    topic: str | None = None
    reason: ConvocationReason = ConvocationReason.PERIODIC


class ConferenceAnnounced(DomainEvent):
    type: Literal["conference.announced"] = "conference.announced"

    announced_on: date
    planned_on: date
    notice_days: int = Field(ge=0, description="Whole days between the announcement and the planned date")
    late_notice: bool = Field(description="The ≥ 7-day notice rule applies and was broken")
    channels: tuple[PublicationChannel, ...] = ()


class ConferenceHeld(DomainEvent):
    type: Literal["conference.held"] = "conference.held"

    held_on: date
    attendance: int = Field(ge=0, description="Number of attendees (lượt đại biểu tham dự)")
    organisations_present: tuple[str, ...] = ()
    minutes_ref: str | None = Field(default=None, description="Reference to the minutes (biên bản) document")


class ConferenceOpinionLinked(DomainEvent):
    """A petition (an opinion, recommendation or reflection) was raised at this conference."""

    type: Literal["conference.opinion_linked"] = "conference.opinion_linked"

    petition_id: str = Field(min_length=1, max_length=128)


class ConferenceConcluded(DomainEvent):
    """The written notice of conclusions (thông báo kết luận) was issued."""

    type: Literal["conference.concluded"] = "conference.concluded"

    conclusion_number: str
    conclusion_date: date
    text: str
    distribution: tuple[str, ...] = Field(min_length=1, description="Recipients: unit or agency codes")


class ConferenceResultsPublished(DomainEvent):
    type: Literal["conference.results_published"] = "conference.results_published"

    published_on: date
    channels: tuple[PublicationChannel, ...] = Field(min_length=1)
    days_after_held: int = Field(ge=0)
    late_publication: bool = Field(description="The ≤ 10-day publication rule applies and was broken")


class ConferencePostponed(DomainEvent):
    type: Literal["conference.postponed"] = "conference.postponed"

    previous_date: date
    new_date: date
    reason: str


class ConferenceCancelled(DomainEvent):
    type: Literal["conference.cancelled"] = "conference.cancelled"

    reason: str


# -- conference plan -----------------------------------------------------------------------


class PlannedConferences(BaseModel):
    """One line of a plan: `count` conferences at `unit_code` in the plan's year, or in `quarter`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    unit_code: str
    level: UnitLevel
    quarter: int | None = Field(default=None, ge=1, le=4)
    count: int = Field(ge=0)


class ConferencePlanSet(DomainEvent):
    """A plan was issued or revised; it replaces the previous version of the same plan."""

    type: Literal["conference.plan_set"] = "conference.plan_set"

    province_code: str
    issuer_unit_code: str
    kind: ConferenceKind = ConferenceKind.DIALOGUE_CONFERENCE
    year: int = Field(ge=2000, le=2100)
    quarter: int | None = Field(default=None, ge=1, le=4)
    lines: tuple[PlannedConferences, ...] = Field(min_length=1)
    document_number: str | None = None
    document_date: date | None = None


# -- MTTQ supervision session --------------------------------------------------------------


class SupervisionForm(StrEnum):
    """Forms of supervision counted separately by Hà Nam (684 / 563 / 578)."""

    MTTQ_DELEGATION = "mttq_delegation"  # đoàn giám sát của MTTQ, tổ chức chính trị - xã hội
    DOCUMENT_REVIEW = "document_review"  # nghiên cứu, xem xét văn bản
    PEOPLES_INSPECTION_BOARD = "peoples_inspection_board"  # ban thanh tra nhân dân
    COMMUNITY_INVESTMENT_BOARD = "community_investment_board"  # ban giám sát đầu tư của cộng đồng


class SupervisionPlanned(DomainEvent):
    type: Literal["supervision.planned"] = "supervision.planned"

    province_code: str
    level: UnitLevel
    lead_body_ref: str = Field(description="The MTTQ committee (or member organisation) leading it")
    form: SupervisionForm = SupervisionForm.MTTQ_DELEGATION
    topic: str
    supervised_agency_codes: tuple[str, ...] = Field(min_length=1)
    conference_ids: tuple[str, ...] = Field(default=(), description="Conferences whose conclusions it covers")
    petition_ids: tuple[str, ...] = ()
    planned_on: date


class SupervisionHeld(DomainEvent):
    type: Literal["supervision.held"] = "supervision.held"

    held_on: date
    member_refs: tuple[str, ...] = Field(min_length=1)
    agencies_present: tuple[str, ...] = ()


class SupervisionFindingsRecorded(DomainEvent):
    type: Literal["supervision.findings_recorded"] = "supervision.findings_recorded"

    report_number: str | None = None
    report_date: date
    findings: str


class SupervisionRecommendationIssued(DomainEvent):
    """A recommendation after supervision (kiến nghị sau giám sát), addressed to one agency.

    Tracking follows it as a petition (channel `mttq_referral`, legal type `recommendation`)
    whose id is derived from the session id and `recommendation_id`.
    """

    type: Literal["supervision.recommendation_issued"] = "supervision.recommendation_issued"

    recommendation_id: str = Field(min_length=1, max_length=64)
    addressee_agency_code: str
    content: str
    field_code: str | None = None
    issued_on: date
    document_number: str | None = None
    response_due: date | None = Field(
        default=None, description="The answer date the MTTQ asks for; no statutory clock is confirmed"
    )
    conference_id: str | None = None
    petition_ids: tuple[str, ...] = ()


CONFERENCE_EVENTS: tuple[type[DomainEvent], ...] = (
    ConferenceScheduled,
    ConferenceAnnounced,
    ConferenceHeld,
    ConferenceOpinionLinked,
    ConferenceConcluded,
    ConferenceResultsPublished,
    ConferencePostponed,
    ConferenceCancelled,
    ConferencePlanSet,
    SupervisionPlanned,
    SupervisionHeld,
    SupervisionFindingsRecorded,
    SupervisionRecommendationIssued,
)
