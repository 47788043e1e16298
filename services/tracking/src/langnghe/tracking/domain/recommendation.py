"""An MTTQ recommendation after supervision, followed as a petition. Pure.

The MTTQ addresses a recommendation to one agency; tracking opens a petition for it (channel
`mttq_referral`, legal type `recommendation`) already assigned to that agency, with the answer
date the MTTQ asked for, or the default below. From then on it lives the petition's life:
extended, answered, overdue, published, so "supervision after dialogue is not regular" and
"recommendations left unanswered" become figures anyone can read.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import Channel, LegalType, PetitionReceived
from langnghe.domain.clocks import DayKind, PromisedDateRule, deadline_after
from langnghe.domain.codes import petition_code
from langnghe.domain.vietnam_time import VIETNAM_TIME
from langnghe.tracking.domain.assignment import decide_assign
from langnghe.tracking.domain.clock import STATUTE_CLOCK, LegalClock
from langnghe.tracking.domain.commands import AssignPetition
from langnghe.tracking.domain.state import PetitionState, evolve

#: UNCONFIRMED: no statute found so far fixes how long an agency has to answer the MTTQ's
#: recommendation after supervision; 30 calendar days is a placeholder a province can replace.
DEFAULT_RESPONSE: Final = PromisedDateRule(days=30, day_kind=DayKind.CALENDAR)


@dataclass(frozen=True)
class OpenRecommendation:
    petition_id: uuid.UUID
    session_id: str
    recommendation_id: str
    province_code: str
    addressee_agency_code: str
    content: str
    issued_on: date
    field_code: str | None = None
    response_due: date | None = None
    conference_id: str | None = None


def decide_open_recommendation(
    state: PetitionState, cmd: OpenRecommendation, *, clock: LegalClock = STATUTE_CLOCK
) -> list[DomainEvent]:
    """Decided as of the day the recommendation was issued: that is when the agency was asked,
    so a reaction that runs late still records the MTTQ's date (and the timers catch up)."""
    if state.exists:
        return []  # already opened: the reaction ran before
    received = PetitionReceived(
        code=petition_code(cmd.province_code, cmd.petition_id, cmd.issued_on),
        province_code=cmd.province_code,
        channel=Channel.MTTQ_REFERRAL,
        legal_type=LegalType.RECOMMENDATION,
        field_code=cmd.field_code,
        content=cmd.content,
        conference_id=cmd.conference_id,
        origin_ref=f"supervision:{cmd.session_id}:{cmd.recommendation_id}",
        received_on=cmd.issued_on,
    )
    opened = evolve(state, received, datetime.combine(cmd.issued_on, time(), VIETNAM_TIME))
    promised = cmd.response_due or deadline_after(
        cmd.issued_on, DEFAULT_RESPONSE.days, DEFAULT_RESPONSE.day_kind
    )
    assign = AssignPetition(cmd.addressee_agency_code, promised)
    return [received, *decide_assign(opened, assign, cmd.issued_on, clock=clock)]
