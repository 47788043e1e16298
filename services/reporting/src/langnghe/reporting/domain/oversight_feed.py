"""Internal event -> oversight feed message (or nothing): the entitlement rules, as pure
functions (the contract and the rules are described in `langnghe.contracts.oversight_feed`).

A petition's later events do not repeat its identity (code, commune, legal type) and the
publication of an answer does not repeat the answer's text, so the mapping is given what the
projector remembers of the petition (`PetitionFacts`) and returns what it must remember next
(`remember`). Every field of a feed message is set here by name, from the event or the facts:
nothing is copied wholesale, so a field added to an internal event never reaches the feed by
accident.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from langnghe.contracts.envelope import EventMeta
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import (
    ConferenceAnnounced,
    ConferenceCancelled,
    ConferenceConcluded,
    ConferenceHeld,
    ConferenceOpinionLinked,
    ConferencePlanSet,
    ConferencePostponed,
    ConferenceResultsPublished,
    ConferenceScheduled,
    SupervisionFindingsRecorded,
    SupervisionHeld,
    SupervisionPlanned,
    SupervisionRecommendationIssued,
)
from langnghe.contracts.events.petition import (
    Channel,
    DeadlineKind,
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
)
from langnghe.contracts.oversight_feed import (
    ConferenceFeedMessage,
    ConferenceTransition,
    FeedMessage,
    PetitionFeedMessage,
    PetitionTransition,
    PlannedCount,
    SupervisionFeedMessage,
    SupervisionTransition,
    feed_id_for,
)


@dataclass(frozen=True)
class PetitionFacts:
    """What the projector remembers of a petition between its events."""

    code: str
    province_code: str
    commune_code: str | None
    legal_type: LegalType
    channel: Channel
    field_code: str | None
    agency_code: str | None = None
    #: The text of the latest answer, kept until it is published (never put on the feed before).
    answer_text: str | None = None


def remember(facts: PetitionFacts | None, event: DomainEvent) -> PetitionFacts | None:
    """The facts after `event` (None while the petition's receipt has not been seen)."""
    if isinstance(event, PetitionReceived):
        return PetitionFacts(
            code=event.code,
            province_code=event.province_code,
            commune_code=event.commune_code,
            legal_type=event.legal_type,
            channel=event.channel,
            field_code=event.field_code,
        )
    if facts is None:
        return None
    if isinstance(event, PetitionAssigned | PetitionReassigned | PetitionAccepted):
        return replace(facts, agency_code=event.agency_code)
    if isinstance(event, PetitionEscalated):
        return replace(facts, agency_code=None)
    if isinstance(event, PetitionAnswered):
        return replace(facts, answer_text=event.answer_text)
    return facts


def petition_message(
    meta: EventMeta, event: DomainEvent, facts: PetitionFacts | None
) -> PetitionFeedMessage | None:
    """The feed message of one petition event, given the facts remembered before it; None for
    a petition whose receipt was never seen (parked, or older than the projector)."""
    after = remember(facts, event)
    if after is None:
        return None
    base = {
        "feed_id": feed_id_for(meta.event_id),
        "province_code": after.province_code,
        "occurred_at": meta.occurred_at,
        "petition_id": meta.aggregate_id,
        "petition_code": after.code,
        "commune_code": after.commune_code,
        "legal_type": after.legal_type,
        "channel": after.channel,
        "field_code": after.field_code,
        "agency_code": after.agency_code,
    }
    facts_of = _petition_fields(event, facts)
    if facts_of is None:
        return None
    transition, fields = facts_of
    return PetitionFeedMessage(transition=transition, **base, **fields)


def _petition_fields(
    event: DomainEvent, before: PetitionFacts | None
) -> tuple[PetitionTransition, dict[str, object]] | None:
    T = PetitionTransition
    match event:
        case PetitionReceived():
            # Not the content, not the citizen or co-signers' references, not the origin.
            return T.RECEIVED, {"conference_id": event.conference_id}
        case PetitionDisposedAtConference():
            return T.DISPOSED_AT_CONFERENCE, {
                "conference_id": event.conference_id,
                "disposition": event.disposition,
            }
        case PetitionAssigned():
            statutory = event.statutory
            return T.ASSIGNED, {
                "promised_date": event.promised_date,
                "statutory_clock": statutory.clock if statutory else None,
                "statutory_due": statutory.due if statutory else None,
                "deadline_version": event.deadline_version,
            }
        case PetitionAccepted():
            return T.ACCEPTED, {
                "accepted_on": event.accepted_on,
                "accepted_late": event.late,
                "decision_number": event.decision_number,
                "statutory_clock": event.statutory.clock,
                "statutory_due": event.statutory.due,
                "deadline_version": event.deadline_version,
            }
        case PetitionDeadlineExtended():
            return T.DEADLINE_EXTENDED, {
                "deadline": event.which,
                "previous_due": event.previous_due,
                "due": event.new_due,
                "extensions": event.extensions,
                "after_due": event.after_due,
                "decision_number": event.decision_number,
                "statutory_due": event.statutory.due if event.statutory else None,
                "promised_date": event.new_due if event.which is DeadlineKind.PROMISED else None,
                "deadline_version": event.deadline_version,
            }
        case PetitionReassigned():
            return T.REASSIGNED, {
                "from_agency_code": event.from_agency_code,
                "promised_date": event.promised_date,
                "deadline_version": event.deadline_version,
            }
        case PetitionEscalated():
            return T.ESCALATED, {
                "transfer": event.kind,
                "to_level": event.to_level,
                "to_unit_code": event.to_unit_code,
                "from_agency_code": event.from_agency_code,
                "deadline_version": event.deadline_version,
            }
        case PetitionAnswered():
            # That it was answered, by whom and by which document; the text waits for publication.
            return T.ANSWERED, {
                "answering_agency_code": event.answering_agency_code,
                "document_number": event.document_number,
                "document_date": event.document_date,
            }
        case PetitionAnswerPublished():
            return T.ANSWER_PUBLISHED, {
                "published_on": event.published_on,
                "publication_channels": event.channels,
                "answer_text": before.answer_text if before else None,
            }
        case PetitionFeedbackGiven():
            return T.FEEDBACK_GIVEN, {"citizen_satisfied": event.satisfied}
        case PetitionReopened():
            return T.REOPENED, {
                "promised_date": event.promised_date,
                "deadline_version": event.deadline_version,
            }
        case PetitionClosed():
            return T.CLOSED, {"citizen_satisfied": event.citizen_satisfied}
        case PetitionWithdrawn():
            return T.WITHDRAWN, {}
        case PetitionMergedInto():
            return T.MERGED_INTO, {"primary_petition_id": event.primary_petition_id}
        case PetitionAbsorbedDuplicate():
            return T.ABSORBED_DUPLICATE, {"duplicate_petition_id": event.duplicate_petition_id}
        case PetitionBecameDueSoon():
            return T.BECAME_DUE_SOON, {
                "deadline": event.which,
                "due": event.due,
                "working_days_left": event.working_days_left,
                "deadline_version": event.deadline_version,
            }
        case PetitionBecameOverdue():
            return T.BECAME_OVERDUE, {
                "deadline": event.which,
                "due": event.due,
                "deadline_version": event.deadline_version,
            }
    return None


def conference_message(
    meta: EventMeta, event: DomainEvent, province_code: str
) -> ConferenceFeedMessage | None:
    """A conference's or a conference plan's event (the province is its subject's token)."""
    T = ConferenceTransition
    base: dict[str, object] = {
        "feed_id": feed_id_for(meta.event_id),
        "province_code": province_code,
        "occurred_at": meta.occurred_at,
    }
    if meta.aggregate_type == "conference_plan":
        if not isinstance(event, ConferencePlanSet):
            return None
        return ConferenceFeedMessage(
            transition=T.PLAN_SET,
            plan_id=meta.aggregate_id,
            conference_kind=event.kind,
            issuer_unit_code=event.issuer_unit_code,
            year=event.year,
            quarter=event.quarter,
            planned=tuple(
                PlannedCount(
                    unit_code=line.unit_code, level=line.level, quarter=line.quarter, count=line.count
                )
                for line in event.lines
            ),
            document_number=event.document_number,
            document_date=event.document_date,
            **base,
        )
    base["conference_id"] = meta.aggregate_id
    fields: dict[str, object]
    match event:
        case ConferenceScheduled():
            # Not the chairs' or the co-organiser's references, the place or the topic.
            transition, fields = (
                T.SCHEDULED,
                {
                    "conference_kind": event.kind,
                    "level": event.level,
                    "unit_code": event.unit_code,
                    "planned_on": event.planned_on,
                },
            )
        case ConferenceAnnounced():
            transition, fields = (
                T.ANNOUNCED,
                {
                    "announced_on": event.announced_on,
                    "planned_on": event.planned_on,
                    "notice_days": event.notice_days,
                    "late_notice": event.late_notice,
                    "publication_channels": event.channels,
                },
            )
        case ConferenceHeld():
            transition, fields = T.HELD, {"held_on": event.held_on, "attendance": event.attendance}
        case ConferenceOpinionLinked():
            transition, fields = T.OPINION_LINKED, {"petition_id": event.petition_id}
        case ConferenceConcluded():
            transition, fields = (
                T.CONCLUDED,
                {
                    "conclusion_number": event.conclusion_number,
                    "conclusion_date": event.conclusion_date,
                    "distribution": event.distribution,
                },
            )
        case ConferenceResultsPublished():
            transition, fields = (
                T.RESULTS_PUBLISHED,
                {
                    "published_on": event.published_on,
                    "publication_channels": event.channels,
                    "days_after_held": event.days_after_held,
                    "late_publication": event.late_publication,
                },
            )
        case ConferencePostponed():
            transition, fields = (
                T.POSTPONED,
                {"previous_date": event.previous_date, "new_date": event.new_date},
            )
        case ConferenceCancelled():
            transition, fields = T.CANCELLED, {}
        case _:
            return None
    return ConferenceFeedMessage(transition=transition, **base, **fields)


def supervision_message(
    meta: EventMeta, event: DomainEvent, province_code: str
) -> SupervisionFeedMessage | None:
    T = SupervisionTransition
    base: dict[str, object] = {
        "feed_id": feed_id_for(meta.event_id),
        "province_code": province_code,
        "occurred_at": meta.occurred_at,
        "supervision_id": meta.aggregate_id,
    }
    fields: dict[str, object]
    match event:
        case SupervisionPlanned():
            # Not the lead body's reference or the topic's wording.
            transition, fields = (
                T.PLANNED,
                {
                    "level": event.level,
                    "form": event.form,
                    "supervised_agency_codes": event.supervised_agency_codes,
                    "conference_ids": event.conference_ids,
                    "petition_ids": event.petition_ids,
                    "planned_on": event.planned_on,
                },
            )
        case SupervisionHeld():
            transition, fields = (
                T.HELD,
                {
                    "held_on": event.held_on,
                    "members": len(event.member_refs),
                    "agencies_present": event.agencies_present,
                },
            )
        case SupervisionFindingsRecorded():
            transition, fields = (
                T.FINDINGS_RECORDED,
                {
                    "report_number": event.report_number,
                    "report_date": event.report_date,
                },
            )
        case SupervisionRecommendationIssued():
            transition, fields = (
                T.RECOMMENDATION_ISSUED,
                {
                    "recommendation_id": event.recommendation_id,
                    "addressee_agency_code": event.addressee_agency_code,
                    "field_code": event.field_code,
                    "issued_on": event.issued_on,
                    "document_number": event.document_number,
                    "response_due": event.response_due,
                    "conference_id": event.conference_id,
                    "petition_ids": event.petition_ids,
                },
            )
        case _:
            return None
    return SupervisionFeedMessage(transition=transition, **base, **fields)


def feed_message(
    meta: EventMeta, event: DomainEvent, subject_province: str, facts: PetitionFacts | None
) -> FeedMessage | None:
    """The feed message of any internal event, or None when the event has none."""
    if meta.aggregate_type == "petition":
        return petition_message(meta, event, facts)
    if meta.aggregate_type == "supervision":
        return supervision_message(meta, event, subject_province)
    return conference_message(meta, event, subject_province)
