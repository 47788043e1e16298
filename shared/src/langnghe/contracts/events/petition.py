"""Events of the petition aggregate (subject `petitions.events.<province>.<petition_id>`)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field

from langnghe.contracts.events.base import DomainEvent


class Channel(StrEnum):
    """Where the opinion was raised (DOMAIN.md, "Where opinions come from")."""

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


class PetitionAssigned(DomainEvent):
    type: Literal["petition.assigned"] = "petition.assigned"

    agency_code: str
    officer_ref: str | None = None
    promised_date: date


class PetitionAnswered(DomainEvent):
    type: Literal["petition.answered"] = "petition.answered"

    answer_text: str
    answering_agency_code: str
    document_number: str | None = None
    document_date: date | None = None


PETITION_EVENTS: tuple[type[DomainEvent], ...] = (
    PetitionReceived,
    PetitionAssigned,
    PetitionAnswered,
)
