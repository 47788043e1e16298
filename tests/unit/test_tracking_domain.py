"""Tracking's petition lifecycle, given/when/then: given past events, when a command is decided,
then these events (or this refusal)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import (
    Channel,
    PetitionAnswered,
    PetitionAssigned,
    PetitionReceived,
)
from langnghe.tracking.domain.petition import (
    AnswerPetition,
    AssignPetition,
    PetitionRuleBroken,
    PetitionState,
    Status,
    decide_answer,
    decide_assign,
    evolve,
    fold,
)

RECEIVED_ON = date(2026, 3, 2)
TODAY = date(2026, 3, 3)
ANSWER = "Sở Xây dựng đã thảm lại mặt đường Hoàng Hoa Thám, hoàn thành ngày 25/3/2026."

RECEIVED = PetitionReceived(
    code="KN-01-26-FMHC97K1",
    province_code="01",
    channel=Channel.VOTER_MEETING,
    content="Đề nghị sửa chữa mặt đường Hoàng Hoa Thám, nhiều ổ gà sâu.",
    citizen_ref="citizen-1",
)
ASSIGNED = PetitionAssigned(agency_code="SO-XAY-DUNG-HN", promised_date=date(2026, 4, 1))
ANSWERED = PetitionAnswered(answer_text=ANSWER, answering_agency_code="SO-XAY-DUNG-HN")


class PetitionEscalated(DomainEvent):
    """An event type tracking does not act on (yet)."""

    type: str = "petition.escalated"


def at(day: date, hour: int = 3) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def given_events(*events: DomainEvent) -> PetitionState:
    return fold((event, at(RECEIVED_ON)) for event in events)


def refused(decide: Callable[[], object]) -> PetitionRuleBroken:
    with pytest.raises(PetitionRuleBroken) as caught:
        decide()
    return caught.value


# -- fold ----------------------------------------------------------------------------------


def test_nothing_happened_yet() -> None:
    state = given_events()
    assert state == PetitionState()
    assert not state.exists
    assert state.version == 0


def test_received_petition_remembers_province_and_receipt_date() -> None:
    state = fold([(RECEIVED, datetime(2026, 3, 2, 16, 59, tzinfo=UTC))])
    assert state == PetitionState(
        status=Status.RECEIVED, province_code="01", received_on=date(2026, 3, 2), version=1
    )


def test_assigned_petition_remembers_agency_and_promised_date() -> None:
    state = given_events(RECEIVED, ASSIGNED)
    assert (state.status, state.agency_code, state.promised_date) == (
        Status.ASSIGNED,
        "SO-XAY-DUNG-HN",
        date(2026, 4, 1),
    )
    assert state.received_on == RECEIVED_ON
    assert state.version == 2


def test_answered_petition_keeps_its_assignment() -> None:
    state = given_events(RECEIVED, ASSIGNED, ANSWERED)
    assert state.status is Status.ANSWERED
    assert state.agency_code == "SO-XAY-DUNG-HN"
    assert state.version == 3


def test_version_increments_by_one_per_event_including_unknown_types() -> None:
    events: list[DomainEvent] = [RECEIVED, PetitionEscalated(), ASSIGNED, PetitionEscalated(), ANSWERED]
    state = PetitionState()
    for n, event in enumerate(events, start=1):
        state = evolve(state, event, at(RECEIVED_ON))
        assert state.version == n
    assert state.status is Status.ANSWERED
    assert given_events(RECEIVED, PetitionEscalated()) == PetitionState(
        status=Status.RECEIVED, province_code="01", received_on=RECEIVED_ON, version=2
    )


# -- assign --------------------------------------------------------------------------------


def test_received_petition_can_be_assigned() -> None:
    cmd = AssignPetition("SO-XAY-DUNG-HN", date(2026, 4, 1), officer_ref="chuyen-vien-0412")
    assert decide_assign(given_events(RECEIVED), cmd, TODAY) == [
        PetitionAssigned(
            agency_code="SO-XAY-DUNG-HN", officer_ref="chuyen-vien-0412", promised_date=date(2026, 4, 1)
        )
    ]


def test_promised_date_may_be_the_receipt_day_and_today() -> None:
    cmd = AssignPetition("UBND-PHUONG-BA-DINH", RECEIVED_ON)
    assert decide_assign(given_events(RECEIVED), cmd, RECEIVED_ON) == [
        PetitionAssigned(agency_code="UBND-PHUONG-BA-DINH", promised_date=RECEIVED_ON)
    ]


def test_assigning_an_unknown_petition_is_not_found() -> None:
    error = refused(lambda: decide_assign(given_events(), AssignPetition("SO-XD", date(2026, 4, 1)), TODAY))
    assert (error.code, error.status) == ("petition.not_found", 404)
    assert error.message == "Không tìm thấy kiến nghị này."


def test_answering_an_unknown_petition_is_not_found() -> None:
    error = refused(lambda: decide_answer(given_events(), AnswerPetition(ANSWER, "SO-XD")))
    assert (error.code, error.status) == ("petition.not_found", 404)


def test_promised_date_before_receipt_is_refused() -> None:
    cmd = AssignPetition("SO-XAY-DUNG-HN", date(2026, 3, 1))
    error = refused(lambda: decide_assign(given_events(RECEIVED), cmd, date(2026, 2, 28)))
    assert (error.code, error.field, error.status) == (
        "petition.promised_before_receipt",
        "promised_date",
        422,
    )
    assert "trước ngày tiếp nhận" in error.message


def test_promised_date_in_the_past_is_refused() -> None:
    cmd = AssignPetition("SO-XAY-DUNG-HN", date(2026, 3, 5))
    error = refused(lambda: decide_assign(given_events(RECEIVED), cmd, date(2026, 3, 10)))
    assert (error.code, error.field, error.status) == ("petition.promised_in_past", "promised_date", 422)
    assert "ngày đã qua" in error.message


def test_assigning_an_answered_petition_is_a_conflict() -> None:
    state = given_events(RECEIVED, ASSIGNED, ANSWERED)
    error = refused(lambda: decide_assign(state, AssignPetition("SO-GTVT-HN", date(2026, 5, 1)), TODAY))
    assert (error.code, error.status) == ("petition.already_answered", 409)


def test_same_assignment_twice_changes_nothing() -> None:
    state = given_events(RECEIVED, ASSIGNED)
    cmd = AssignPetition("SO-XAY-DUNG-HN", date(2026, 4, 1), officer_ref="someone-else")
    assert decide_assign(state, cmd, TODAY) == []


def test_reassigning_to_another_agency_is_a_new_event() -> None:
    state = given_events(RECEIVED, ASSIGNED)
    cmd = AssignPetition("SO-GTVT-HN", date(2026, 4, 1))
    assert decide_assign(state, cmd, TODAY) == [
        PetitionAssigned(agency_code="SO-GTVT-HN", promised_date=date(2026, 4, 1))
    ]


def test_moving_the_promised_date_is_a_new_event() -> None:
    state = given_events(RECEIVED, ASSIGNED)
    cmd = AssignPetition("SO-XAY-DUNG-HN", date(2026, 4, 15))
    assert decide_assign(state, cmd, TODAY) == [
        PetitionAssigned(agency_code="SO-XAY-DUNG-HN", promised_date=date(2026, 4, 15))
    ]


# -- answer --------------------------------------------------------------------------------


def test_assigned_petition_can_be_answered_once() -> None:
    cmd = AnswerPetition(ANSWER, "SO-XAY-DUNG-HN", "1254/SXD-HTKT", date(2026, 3, 27))
    assert decide_answer(given_events(RECEIVED, ASSIGNED), cmd) == [
        PetitionAnswered(
            answer_text=ANSWER,
            answering_agency_code="SO-XAY-DUNG-HN",
            document_number="1254/SXD-HTKT",
            document_date=date(2026, 3, 27),
        )
    ]


def test_received_petition_can_be_answered_without_assignment() -> None:
    events = decide_answer(given_events(RECEIVED), AnswerPetition(ANSWER, "UBND-PHUONG-BA-DINH"))
    assert events == [PetitionAnswered(answer_text=ANSWER, answering_agency_code="UBND-PHUONG-BA-DINH")]


def test_answer_text_is_nfc_normalised_and_stripped() -> None:
    events = decide_answer(
        given_events(RECEIVED), AnswerPetition(f"  {unicodedata.normalize('NFD', ANSWER)}\n", "SO-XD")
    )
    assert isinstance(events[0], PetitionAnswered)
    assert events[0].answer_text == ANSWER


@pytest.mark.parametrize("text", ["", "Đã xử lý", "   Đã xong.   ", "\n\n"])
def test_too_short_answer_is_refused(text: str) -> None:
    error = refused(lambda: decide_answer(given_events(RECEIVED, ASSIGNED), AnswerPetition(text, "SO-XD")))
    assert (error.code, error.field, error.status) == ("petition.answer_too_short", "answer_text", 422)
    assert "ít nhất 10 ký tự" in error.message


def test_answering_twice_is_refused() -> None:
    state = given_events(RECEIVED, ASSIGNED, ANSWERED)
    error = refused(lambda: decide_answer(state, AnswerPetition(ANSWER, "SO-XAY-DUNG-HN")))
    assert (error.code, error.status) == ("petition.already_answered", 409)
    assert error.message.startswith("Kiến nghị đã được trả lời")


# -- property: any command sequence keeps the invariants -----------------------------------

assign_commands = st.builds(
    lambda agency, offset, day: ("assign", AssignPetition(agency, RECEIVED_ON + timedelta(days=offset)), day),
    st.sampled_from(["SO-XAY-DUNG-HN", "SO-GTVT-HN", "UBND-PHUONG-BA-DINH"]),
    st.integers(min_value=-3, max_value=10),
    st.integers(min_value=-3, max_value=10),
)
answer_commands = st.builds(
    lambda text, day: ("answer", AnswerPetition(text, "SO-XAY-DUNG-HN"), day),
    st.sampled_from([ANSWER, "Đã xử lý", "  ", "Đã giao phường kiểm tra và khắc phục xong."]),
    st.integers(min_value=-3, max_value=10),
)


# Days are offsets from the receipt day; a few fall before it (a skewed clock) so that the
# receipt rule is exercised on its own and not only through the "in the past" rule.
@settings(max_examples=300)
@given(
    received=st.booleans(),
    commands=st.lists(st.one_of(assign_commands, answer_commands), max_size=12),
)
def test_any_command_sequence_keeps_the_invariants(
    received: bool, commands: Sequence[tuple[str, AssignPetition | AnswerPetition, int]]
) -> None:
    state = fold([(RECEIVED, at(RECEIVED_ON))]) if received else PetitionState()
    for kind, cmd, day_offset in commands:
        today = RECEIVED_ON + timedelta(days=day_offset)
        before = state
        try:
            if kind == "assign":
                assert isinstance(cmd, AssignPetition)
                events = decide_assign(state, cmd, today)
            else:
                assert isinstance(cmd, AnswerPetition)
                events = decide_answer(state, cmd)
        except PetitionRuleBroken as error:
            assert error.status in (404, 409, 422)
            events = []
        for event in events:
            state = evolve(state, event, at(today))
        assert state.version == before.version + len(events)
        if events:
            assert state.version > before.version
        if before.status is Status.ANSWERED:
            assert state == before
        if not before.exists:
            assert state == before
        if state.promised_date is not None:
            assert state.received_on is not None
            assert state.promised_date >= state.received_on
    assert state.exists is received
