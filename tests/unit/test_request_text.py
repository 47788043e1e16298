"""Free text is cleaned once, at the edge: the request models hand the domain NFC text without
surrounding whitespace, after the field's limits have applied to what the client sent."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from langnghe.intake.entrypoints.conference_bodies import ConcludeIn, HoldIn, PostponeIn, ScheduleIn
from langnghe.intake.entrypoints.petitions import PetitionIn
from langnghe.intake.entrypoints.supervisions import FindingsIn, PlanSupervisionIn, RecommendationIn
from langnghe.runtime.clean_text import clean_text
from langnghe.tracking.entrypoints.petition_bodies import (
    AnswerIn,
    AssignIn,
    CloseIn,
    DispositionIn,
    WithdrawIn,
)

TEXT = "Đường ngõ 12 bị ngập"
SENT = f" \n{unicodedata.normalize('NFD', TEXT)}\t "
DAY = "2026-04-01"

SCHEDULE = {"level": "commune", "province_code": "15", "unit_code": "03006", "chairs": [], "planned_on": DAY}
PLAN = {
    "province_code": "15",
    "level": "commune",
    "lead_body_ref": "MTTQ",
    "topic": "Giám sát",
    "supervised_agency_codes": [],
    "planned_on": DAY,
}
RECOMMEND = {
    "recommendation_id": "kn-1",
    "addressee_agency_code": "UBND",
    "content": "Đề nghị",
    "issued_on": DAY,
}

#: (model, the other fields it needs, a free-text field, its limit)
FIELDS: list[tuple[type[BaseModel], dict[str, Any], str, int]] = [
    (PetitionIn, {"province_code": "15", "channel": "online"}, "content", 20_000),
    (ScheduleIn, SCHEDULE, "place", 500),
    (ScheduleIn, SCHEDULE, "topic", 1000),
    (ScheduleIn, SCHEDULE, "mttq_co_organiser_ref", 128),
    (PostponeIn, {"new_date": DAY}, "reason", 2000),
    (HoldIn, {"held_on": DAY, "attendance": 1}, "minutes_ref", 200),
    (ConcludeIn, {"conclusion_date": DAY, "text": "t", "distribution": []}, "conclusion_number", 64),
    (ConcludeIn, {"conclusion_number": "1", "conclusion_date": DAY, "distribution": []}, "text", 20_000),
    (PlanSupervisionIn, PLAN, "lead_body_ref", 128),
    (PlanSupervisionIn, PLAN, "topic", 2000),
    (FindingsIn, {"report_date": DAY}, "findings", 20_000),
    (FindingsIn, {"report_date": DAY, "findings": "f"}, "report_number", 64),
    (RecommendationIn, RECOMMEND, "addressee_agency_code", 64),
    (RecommendationIn, RECOMMEND, "content", 20_000),
    (RecommendationIn, RECOMMEND, "document_number", 64),
    (AnswerIn, {"answering_agency_code": "SO-XD"}, "answer_text", 20_000),
    (AnswerIn, {"answer_text": "a", "answering_agency_code": "SO-XD"}, "document_number", 64),
    (AssignIn, {"agency_code": "SO-XD", "promised_date": DAY}, "officer_ref", 128),
    (DispositionIn, {"disposition": "explained"}, "note", 2000),
    (DispositionIn, {"disposition": "explained"}, "answer_text", 20_000),
    (CloseIn, {}, "note", 2000),
    (WithdrawIn, {}, "reason", 2000),
]
IDS = [f"{model.__name__}.{field}" for model, _, field, _ in FIELDS]


@pytest.mark.parametrize(("model", "others", "field", "limit"), FIELDS, ids=IDS)
def test_free_text_arrives_nfc_and_stripped(
    model: type[BaseModel], others: dict[str, Any], field: str, limit: int
) -> None:
    assert getattr(model(**{**others, field: SENT}), field) == TEXT == clean_text(SENT)


@pytest.mark.parametrize(("model", "others", "field", "limit"), FIELDS, ids=IDS)
def test_limits_apply_to_what_was_sent(
    model: type[BaseModel], others: dict[str, Any], field: str, limit: int
) -> None:
    assert getattr(model(**{**others, field: "x" * limit}), field) == "x" * limit
    with pytest.raises(ValidationError) as caught:
        model(**{**others, field: "x" * limit + " "})
    assert [e["type"] for e in caught.value.errors()] == ["string_too_long"]


def test_blank_text_reaches_the_domain_empty_so_its_rule_refuses_it() -> None:
    # "   " passes min_length=1 as sent; the domain then refuses "" with its own code.
    assert WithdrawIn(reason="   ").reason == ""
    assert PetitionIn(province_code="15", channel="online", content=" \n ").content == ""


def test_lists_of_text_are_cleaned_item_by_item() -> None:
    held = HoldIn(held_on=DAY, attendance=1, organisations_present=[SENT, " mttq "])
    assert held.organisations_present == [TEXT, "mttq"]
    plan = PlanSupervisionIn(**{**PLAN, "supervised_agency_codes": [" UBND-XA-03006 "]})
    assert plan.supervised_agency_codes == ["UBND-XA-03006"]


# -- control characters --------------------------------------------------------------------

#: Long text (limit of 2,000 characters or more) keeps tab and line breaks; shorter text is one line.
LONG = 2000


@pytest.mark.parametrize(("model", "others", "field", "limit"), FIELDS, ids=IDS)
@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused_in_every_text_field(
    model: type[BaseModel], others: dict[str, Any], field: str, limit: int, control: str
) -> None:
    """NUL used to be stored (PostgreSQL's text refuses it); the others are not text either."""
    with pytest.raises(ValidationError) as caught:
        model(**{**others, field: f"Đường{control} ngõ 12"})
    [error] = caught.value.errors()
    assert error["type"] == "control_character" and error["loc"] == (field,)
    assert not error["ctx"]["vi"].isascii()


@pytest.mark.parametrize(("model", "others", "field", "limit"), FIELDS, ids=IDS)
def test_long_text_keeps_tabs_and_line_breaks_and_one_line_text_refuses_them(
    model: type[BaseModel], others: dict[str, Any], field: str, limit: int
) -> None:
    pasted = "Thôn 3:\n\t- đường ngập\r\n\t- cống tắc"
    if limit >= LONG:
        assert getattr(model(**{**others, field: pasted}), field) == pasted
    else:
        with pytest.raises(ValidationError) as caught:
            model(**{**others, field: pasted})
        assert [e["type"] for e in caught.value.errors()] == ["control_character"]


def test_a_citizens_contact_is_cleaned_and_refuses_control_characters() -> None:
    body = {"province_code": "15", "channel": "online", "content": "Đường ngập"}
    petition = PetitionIn(**body, citizen={"full_name": " Nguyễn Văn A ", "address": "Thôn 3"})
    assert petition.citizen is not None and petition.citizen.full_name == "Nguyễn Văn A"
    for field in ("full_name", "email", "address"):
        with pytest.raises(ValidationError):
            PetitionIn(**body, citizen={field: "A\x00B"})
