"""Internal event -> oversight feed message: every internal event type (from its golden wire
sample) maps to a message of its kind that validates against the published schema and
carries no contact reference and no free text; denunciations carry no content; an answer's
text appears only when it is published."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from langnghe.contracts.codec import REGISTRY, Envelope
from langnghe.contracts.envelope import EventMeta
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import CONFERENCE_EVENTS, PublicationChannel, UnitLevel
from langnghe.contracts.events.petition import (
    PETITION_EVENTS,
    Channel,
    LegalType,
    PetitionAnswered,
    PetitionAnswerPublished,
    PetitionAssigned,
    PetitionEscalated,
    PetitionReceived,
    TransferKind,
)
from langnghe.contracts.oversight_feed import (
    FeedKind,
    PetitionFeedMessage,
    PetitionTransition,
    decode,
    encode,
    feed_id_for,
    kind_of,
)
from langnghe.contracts.oversight_feed_docs import feed_schemas, schema_name
from langnghe.reporting.domain.oversight_feed import PetitionFacts, feed_message, petition_message, remember

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
VALIDATORS = {kind: Draft202012Validator(feed_schemas()[schema_name(kind)]) for kind in FeedKind}
ALL_TYPES = sorted(m.type_name() for m in (*PETITION_EVENTS, *CONFERENCE_EVENTS))
KIND_OF_AGGREGATE = {
    "petition": FeedKind.PETITION,
    "conference": FeedKind.CONFERENCE,
    "conference_plan": FeedKind.CONFERENCE,
    "supervision": FeedKind.SUPERVISION,
}
#: Fields of internal events the feed must never carry (contact references, free text).
NEVER = ("content", "citizen_ref", "cosigner_refs", "officer_ref", "origin_ref", "reason", "note",
         "findings", "text", "topic", "place", "chairs", "member_refs", "lead_body_ref",
         "mttq_co_organiser_ref", "minutes_ref", "organisations_present")  # fmt: skip


def golden(type_name: str) -> Envelope[DomainEvent]:
    raw = (GOLDEN / f"{type_name}.v1.json").read_text(encoding="utf-8")
    env = REGISTRY.decode(raw.encode())
    assert isinstance(env, Envelope)
    return env


def facts_for(legal_type: LegalType = LegalType.COMPLAINT, answer: str | None = None) -> PetitionFacts:
    return PetitionFacts(
        code="KN-01-26-ABCDEFGH",
        province_code="01",
        commune_code="00004",
        legal_type=legal_type,
        channel=Channel.CITIZEN_RECEPTION,
        field_code="dat-dai",
        agency_code="UBND-PHUONG-BA-DINH",
        answer_text=answer,
    )


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings_in(v)]
    return []


def meta(aggregate_type: str = "petition", aggregate_id: str = "p-1") -> EventMeta:
    return EventMeta(
        event_id=uuid.uuid4(),
        aggregate_type=aggregate_type,  # type: ignore[arg-type]
        aggregate_id=aggregate_id,
        occurred_at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
        schema_version=1,
        correlation_id="c",
    )


def test_every_internal_event_type_has_a_golden_sample() -> None:
    assert sorted(
        p.name.removesuffix(".v1.json") for p in GOLDEN.glob("*.v1.json") if "timer" not in p.name
    ) == (ALL_TYPES)


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_every_internal_event_maps_to_a_valid_message_without_personal_data_or_free_text(
    type_name: str,
) -> None:
    env = golden(type_name)
    facts = None if type_name == "petition.received" else facts_for(answer="Phường đã sửa xong mặt đường.")
    message = feed_message(env.meta, env.event, "01", facts)
    assert message is not None, f"{type_name} has no feed message"
    kind = KIND_OF_AGGREGATE[env.meta.aggregate_type]
    assert kind_of(message) is kind
    wire = json.loads(encode(message))
    assert wire["feed_version"] == 1
    assert wire["feed_id"] == str(feed_id_for(env.meta.event_id)) != str(env.meta.event_id)
    assert wire["province_code"] == "01"
    errors = [e.message for e in VALIDATORS[kind].iter_errors(wire)]
    assert errors == [], errors
    assert decode(kind, encode(message)) == message
    # Nothing free-text or personal from the event: no field of that name, and none of its values.
    data = env.event.model_dump(mode="json")
    forbidden = {name: data[name] for name in NEVER if data.get(name)}
    carried = set(strings_in(wire))
    for name, value in forbidden.items():
        assert name not in wire, name
        for s in strings_in(value):
            assert s not in carried, (name, s)
    if type_name != "petition.answer_published":
        assert "answer_text" not in wire
        assert not any("Phường đã sửa" in s for s in carried)


def test_the_transitions_cover_every_petition_event_type() -> None:
    assert sorted(f"petition.{t.value}" for t in PetitionTransition) == sorted(
        m.type_name() for m in PETITION_EVENTS
    )


def test_a_denunciation_shows_its_kind_and_nothing_of_what_it_denounces() -> None:
    received = PetitionReceived(
        code="KN-01-26-TOCAO001",
        province_code="01",
        commune_code="00004",
        channel=Channel.WRITTEN_LETTER,
        legal_type=LegalType.DENUNCIATION,
        content="Tố cáo ông Trần Văn B, cán bộ địa chính, nhận tiền của người dân.",
        citizen_ref="vault-ref-of-the-denouncer",
        cosigner_refs=("vault-ref-of-a-cosigner",),
    )
    message = petition_message(meta(), received, None)
    assert isinstance(message, PetitionFeedMessage)
    wire = encode(message).decode()
    assert json.loads(wire)["legal_type"] == "denunciation"
    assert "Trần Văn B" not in wire and "vault-ref" not in wire and "content" not in wire


def test_an_answer_is_announced_without_its_text_and_published_with_it() -> None:
    facts = facts_for()
    answered = PetitionAnswered(
        answer_text="Đã xử lý kỷ luật cán bộ vi phạm.", answering_agency_code="UBND-01"
    )
    first = petition_message(meta(), answered, facts)
    assert first is not None and first.transition is PetitionTransition.ANSWERED
    assert first.answer_text is None and "Đã xử lý" not in encode(first).decode()
    assert first.answering_agency_code == "UBND-01"
    after = remember(facts, answered)
    assert after is not None and after.answer_text == "Đã xử lý kỷ luật cán bộ vi phạm."
    published = PetitionAnswerPublished(
        published_on=date(2026, 3, 20), channels=(PublicationChannel.HEADQUARTERS_NOTICE_BOARD,)
    )
    second = petition_message(meta(), published, after)
    assert second is not None and second.transition is PetitionTransition.ANSWER_PUBLISHED
    assert second.answer_text == "Đã xử lý kỷ luật cán bộ vi phạm."
    assert second.published_on == date(2026, 3, 20)


def test_the_agency_follows_assignment_and_escalation() -> None:
    facts = replace(facts_for(), agency_code=None)
    assigned = PetitionAssigned(agency_code="SO-TNMT-01", promised_date=date(2026, 4, 1), deadline_version=1)
    message = petition_message(meta(), assigned, facts)
    assert message is not None and message.agency_code == "SO-TNMT-01"
    assert message.promised_date == date(2026, 4, 1)
    after = remember(facts, assigned)
    escalated = PetitionEscalated(
        kind=TransferKind.ESCALATION,
        to_level=UnitLevel.PROVINCE,
        to_unit_code="01",
        reason="Vượt thẩm quyền cấp xã, có tên người liên quan",
        from_agency_code="SO-TNMT-01",
        deadline_version=2,
    )
    moved = petition_message(meta(), escalated, after)
    assert moved is not None and moved.agency_code is None and moved.to_unit_code == "01"
    assert "reason" not in json.loads(encode(moved)) and "Vượt" not in encode(moved).decode()


def test_a_petition_whose_receipt_was_never_seen_has_no_message() -> None:
    answered = PetitionAnswered(answer_text="x", answering_agency_code="A")
    assert petition_message(meta(), answered, None) is None
    assert remember(None, answered) is None


def test_the_feed_id_is_derived_from_the_event_id_alone() -> None:
    event_id = uuid.UUID("963ab4bc-0dbb-56ae-9d2a-c509eca6c269")
    assert feed_id_for(event_id) == feed_id_for(uuid.UUID(str(event_id)))
    assert feed_id_for(event_id) != feed_id_for(uuid.uuid4())
    assert feed_id_for(event_id).version == 5
