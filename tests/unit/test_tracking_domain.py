"""Tracking's petition lifecycle, given/when/then: given past events, when a command is decided,
then these events (or this refusal)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langnghe.contracts.codec import REGISTRY, Envelope
from langnghe.contracts.envelope import EventMeta, event_id_for
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import PublicationChannel, UnitLevel
from langnghe.contracts.events.petition import (
    PETITION_EVENTS,
    Channel,
    ComplaintInstance,
    DeadlineKind,
    Disposition,
    LegalType,
    PetitionAnswered,
    PetitionAnswerPublished,
    PetitionAssigned,
    PetitionBecameDueSoon,
    PetitionBecameOverdue,
    PetitionClosed,
    PetitionReceived,
    TransferKind,
)
from langnghe.tracking.domain.petition import (
    ACCEPTANCE_REQUIRED,
    DEADLINES_STOPPED,
    AbsorbDuplicate,
    AcceptPetition,
    AnswerPetition,
    AssignPetition,
    ClosePetition,
    DisposeAtConference,
    EscalatePetition,
    ExtendDeadline,
    GiveFeedback,
    MarkDueSoon,
    MarkOverdue,
    MergeAsDuplicate,
    PetitionCommand,
    PetitionRuleBroken,
    PetitionState,
    PublishAnswer,
    ReassignPetition,
    ReopenPetition,
    Status,
    WithdrawPetition,
    decide,
    decide_answer,
    decide_assign,
    evolve,
    fold,
)
from langnghe.tracking.entrypoints.petition_bodies import AnswerIn

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


class PetitionTranslated(DomainEvent):
    """An event type tracking does not act on (yet)."""

    type: str = "petition.translated"


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
        status=Status.RECEIVED,
        province_code="01",
        received_on=date(2026, 3, 2),
        legal_type=LegalType.RECOMMENDATION,
        citizen_ref="citizen-1",
        version=1,
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
    events: list[DomainEvent] = [RECEIVED, PetitionTranslated(), ASSIGNED, PetitionTranslated(), ANSWERED]
    state = PetitionState()
    for n, event in enumerate(events, start=1):
        state = evolve(state, event, at(RECEIVED_ON))
        assert state.version == n
    assert state.status is Status.ANSWERED
    assert given_events(RECEIVED, PetitionTranslated()) == replace(given_events(RECEIVED), version=2)


# -- assign --------------------------------------------------------------------------------


def test_received_petition_can_be_assigned() -> None:
    cmd = AssignPetition("SO-XAY-DUNG-HN", date(2026, 4, 1), officer_ref="chuyen-vien-0412")
    assert decide_assign(given_events(RECEIVED), cmd, TODAY) == [
        PetitionAssigned(
            agency_code="SO-XAY-DUNG-HN",
            officer_ref="chuyen-vien-0412",
            promised_date=date(2026, 4, 1),
            deadline_version=1,
        )
    ]


def test_promised_date_may_be_the_receipt_day_and_today() -> None:
    cmd = AssignPetition("UBND-PHUONG-BA-DINH", RECEIVED_ON)
    assert decide_assign(given_events(RECEIVED), cmd, RECEIVED_ON) == [
        PetitionAssigned(agency_code="UBND-PHUONG-BA-DINH", promised_date=RECEIVED_ON, deadline_version=1)
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


@pytest.mark.parametrize(
    "cmd",
    [AssignPetition("SO-GTVT-HN", date(2026, 4, 1)), AssignPetition("SO-XAY-DUNG-HN", date(2026, 4, 15))],
    ids=["another agency", "another promised date"],
)
def test_assigning_an_assigned_petition_differently_is_refused(cmd: AssignPetition) -> None:
    """Assigning again used to hand the case on (or move its date) without the reason that
    reassign (or extend) requires."""
    state = given_events(RECEIVED, ASSIGNED)
    error = refused(lambda: decide_assign(state, cmd, TODAY))
    assert (error.code, error.status, error.field) == ("petition.already_assigned", 409, None)


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


def answered(text: str) -> AnswerPetition:
    """The command as the request model hands it on: the text cleaned (NFC, stripped)."""
    cmd = AnswerIn(answer_text=text, answering_agency_code="SO-XD").command()
    assert isinstance(cmd, AnswerPetition)
    return cmd


def test_answer_text_is_nfc_normalised_and_stripped() -> None:
    events = decide_answer(given_events(RECEIVED), answered(f"  {unicodedata.normalize('NFD', ANSWER)}\n"))
    assert isinstance(events[0], PetitionAnswered)
    assert events[0].answer_text == ANSWER


@pytest.mark.parametrize("text", ["", "Đã xử lý", "   Đã xong.   ", "\n\n"])
def test_too_short_answer_is_refused(text: str) -> None:
    cmd = AnswerPetition(text, "SO-XD") if not text else answered(text)
    error = refused(lambda: decide_answer(given_events(RECEIVED, ASSIGNED), cmd))
    assert (error.code, error.field, error.status) == ("petition.answer_too_short", "answer_text", 422)
    assert "ít nhất 10 ký tự" in error.message


def test_answering_twice_is_refused() -> None:
    state = given_events(RECEIVED, ASSIGNED, ANSWERED)
    error = refused(lambda: decide_answer(state, AnswerPetition(ANSWER, "SO-XAY-DUNG-HN")))
    assert (error.code, error.status) == ("petition.already_answered", 409)
    assert error.message.startswith("Kiến nghị đã được trả lời")


# -- property: any command sequence keeps the invariants -----------------------------------
#
# A petition (any legal type, raised at a conference or not, anonymous or not), then up to 30
# steps: some days pass, and a command is decided. Most commands are drawn among those that fit
# the petition's status, with values near what the rules accept, so sequences reach every
# status and every event; the rest are drawn from every command, so refusals are exercised
# too. Timers fire for the current deadline version, or a stale one.

AGENCIES = st.sampled_from(["SO-XAY-DUNG-HN", "SO-GTVT-HN", "UBND-PHUONG-BA-DINH", " "])
REASONS = st.sampled_from(["Chờ kết quả khảo sát hiện trạng", "Vượt thẩm quyền cấp xã", "Trùng nội dung", ""])
TEXTS = st.sampled_from([ANSWER, "Đã giao phường kiểm tra và khắc phục xong.", "Đã xử lý"])
OFFSETS = st.integers(min_value=-3, max_value=70)  # days from today
MAYBE = st.one_of(st.none(), OFFSETS)
WHICH = st.sampled_from(list(DeadlineKind))
LEVELS = st.sampled_from([UnitLevel.PROVINCE, UnitLevel.COMMUNE, UnitLevel.DISTRICT])
DAYS_PASSING = st.sampled_from([0, 0, 1, 2, 3, 5, 8, 13, 21, 34])
Recipe = Callable[[date, PetitionState], PetitionCommand]


def _day(today: date, offset: int | None) -> date | None:
    return None if offset is None else today + timedelta(days=offset)


def _later(today: date, state: PetitionState, offset: int | None) -> date | None:
    """A date after the promised one, when there is one: what an extension asks for."""
    if offset is None:
        return None
    return max(today, state.promised_date or today) + timedelta(days=abs(offset) % 30 + 1)


RECIPES: dict[str, st.SearchStrategy[Recipe]] = {
    "dispose": st.builds(
        lambda d, text, agency, o, lv, note: (
            lambda t, s: DisposeAtConference(d, note, text, agency, agency, _day(t, o), None, lv, "01")
        ),
        st.sampled_from(list(Disposition)),
        TEXTS,
        AGENCIES,
        MAYBE,
        st.one_of(st.none(), LEVELS),
        REASONS,
    ),
    "assign": st.builds(
        lambda a, o: lambda t, s: AssignPetition(a, t + timedelta(days=o)), AGENCIES, OFFSETS
    ),
    "accept": st.builds(
        lambda o, inst, cx: lambda t, s: AcceptPetition(t - timedelta(days=o), None, inst, cx, False),
        st.integers(min_value=-1, max_value=3),
        st.sampled_from([None, None, ComplaintInstance.FIRST, ComplaintInstance.SECOND]),
        st.booleans(),
    ),
    "extend": st.builds(
        lambda w, r, o, n: lambda t, s: ExtendDeadline(w, r, _later(t, s, o), n),
        WHICH,
        REASONS,
        MAYBE,
        st.sampled_from([None, "45/QĐ-TTr", "46/QĐ-TTr"]),
    ),
    "reassign": st.builds(
        lambda a, r, o: lambda t, s: ReassignPetition(a, r, None, _day(t, o)), AGENCIES, REASONS, MAYBE
    ),
    "escalate": st.builds(
        lambda k, lv, r: lambda t, s: EscalatePetition(k, lv, "01", r),
        st.sampled_from(list(TransferKind)),
        LEVELS,
        REASONS,
    ),
    "answer": st.builds(
        lambda text, a, o: lambda t, s: AnswerPetition(text, a, None, _day(t, o)),
        TEXTS,
        AGENCIES,
        st.one_of(st.none(), st.integers(min_value=-3, max_value=1)),
    ),
    "publish": st.builds(
        lambda o, c: lambda t, s: PublishAnswer(t - timedelta(days=o), c),
        st.integers(min_value=-1, max_value=2),
        st.lists(st.sampled_from(list(PublicationChannel)), max_size=3).map(tuple),
    ),
    "feedback": st.builds(lambda ok, r: lambda t, s: GiveFeedback(ok, r), st.booleans(), REASONS),
    "reopen": st.builds(lambda r, o: lambda t, s: ReopenPetition(r, _day(t, o)), REASONS, MAYBE),
    "close": st.builds(
        lambda n: lambda t, s: ClosePetition(n), st.sampled_from([None, "Đã trả lời đúng luật"])
    ),
    "withdraw": st.builds(lambda r: lambda t, s: WithdrawPetition(r), REASONS),
    "merge": st.builds(
        lambda p, r: lambda t, s: MergeAsDuplicate("p-self", p, r),
        st.sampled_from(["p-primary", "p-primary", "p-self"]),
        REASONS,
    ),
    "absorb": st.builds(
        lambda d, c: lambda t, s: AbsorbDuplicate(d, c),
        st.sampled_from(["p-dup-1", "p-dup-2"]),
        st.lists(st.sampled_from(["citizen-1", "citizen-5", "citizen-6"]), max_size=3).map(tuple),
    ),
    "due_soon": st.builds(
        lambda w, k: lambda t, s: MarkDueSoon(w, s.deadline_version - k), WHICH, st.sampled_from([0, 0, 0, 1])
    ),
    "overdue": st.builds(
        lambda w, k: lambda t, s: MarkOverdue(w, s.deadline_version - k), WHICH, st.sampled_from([0, 0, 0, 1])
    ),
}

#: What usually happens next, by status (names repeat to weigh them).
LIKELY: dict[Status, list[str]] = {
    Status.NONE: list(RECIPES),
    Status.RECEIVED: [*["dispose", "assign", "merge"] * 2, "answer", "escalate", "withdraw", "close"],
    Status.ASSIGNED: [
        *["accept", "extend", "due_soon", "overdue"] * 3,
        *["answer", "reassign"] * 2,
        *["escalate", "withdraw", "merge", "absorb"],
    ],
    Status.ESCALATED: ["assign", "assign", "answer", "escalate"],
    Status.ANSWERED: [*["publish", "close"] * 3, "feedback", "feedback", "reopen", "absorb", "overdue"],
    Status.CLOSED: ["reopen", *RECIPES],
    Status.WITHDRAWN: list(RECIPES),
    Status.MERGED: list(RECIPES),
}


PETITIONS = [None] + [
    PetitionReceived(
        code="KN-01-26-FMHC97K1",
        province_code="01",
        channel=Channel.DIALOGUE_CONFERENCE if conference else Channel.CITIZEN_RECEPTION,
        legal_type=legal_type,
        content="Đề nghị sửa chữa mặt đường Hoàng Hoa Thám, nhiều ổ gà sâu.",
        citizen_ref="citizen-1" if citizen else None,
        conference_id="hoi-nghi-1" if conference else None,
        cosigner_refs=() if citizen else ("citizen-2",),
    )
    for legal_type in LegalType
    for conference in (True, False)
    for citizen in (True, False)
]


def _primary(duplicate: PetitionReceived | None, choice: int) -> PetitionState:
    """The petition a duplicate would be merged into: missing, elsewhere, open, answered, closed."""
    if duplicate is None or choice == 0:
        return PetitionState()
    same = duplicate.model_copy(
        update={"citizen_ref": "citizen-9", "province_code": "15" if choice == 1 else "01"}
    )
    answered: list[DomainEvent] = [
        PetitionAnswered(answer_text=ANSWER, answering_agency_code="SO-XAY-DUNG-HN")
    ]
    published = PetitionAnswerPublished(published_on=RECEIVED_ON, channels=(PublicationChannel.MASS_MEDIA,))
    tail = {3: answered, 4: [*answered, published, PetitionClosed()]}.get(choice, [])
    return given_events(same, *tail)


STATES_REACHED: set[Status] = set()
EVENTS_DECIDED: set[str] = set()


@settings(max_examples=300, deadline=None)
@given(
    petition=st.sampled_from(PETITIONS),
    primary_choice=st.sampled_from([0, 1, 2, 2, 2, 3, 4]),
    steps=st.integers(min_value=1, max_value=30),
    data=st.data(),
)
def test_any_command_sequence_keeps_the_invariants(
    petition: PetitionReceived | None, primary_choice: int, steps: int, data: st.DataObject
) -> None:
    history: list[tuple[DomainEvent, datetime]] = []
    state = PetitionState()
    if petition is not None:
        history.append((petition, at(RECEIVED_ON)))
        state = fold(history)
    primary = _primary(petition, primary_choice)
    today = RECEIVED_ON
    for _ in range(steps):
        today += timedelta(days=data.draw(DAYS_PASSING))
        likely = data.draw(st.sampled_from([True, True, True, False]))
        name = data.draw(st.sampled_from(LIKELY[state.status] if likely else list(RECIPES)))
        cmd = data.draw(RECIPES[name])(today, state)
        due = state.due(cmd.which) if isinstance(cmd, MarkDueSoon | MarkOverdue) else None
        if due is not None and data.draw(st.booleans()):
            # The timer fires when it was scheduled: a few days before the date, or just after it.
            lead = data.draw(st.integers(min_value=-2, max_value=5))
            today = max(today, due - timedelta(days=lead if isinstance(cmd, MarkDueSoon) else -abs(lead) - 1))
        before = state
        try:
            events = decide(before, cmd, today, primary=primary)
        except PetitionRuleBroken as error:
            assert error.status in (404, 409, 422)
            assert error.code.startswith("petition.") and error.code.isascii()
            assert error.message and unicodedata.is_normalized("NFC", error.message)
            assert error.status != 404 or not before.exists or not primary.exists
            events = []
        for event in events:
            version = state.version
            state = evolve(state, event, at(today))
            history.append((event, at(today)))
            assert state.version == version + 1  # strictly increasing, one per event
            assert getattr(event, "deadline_version", None) in (None, state.deadline_version)
            decoded = REGISTRY.decode(REGISTRY.encode(_meta(len(history)), event)[0])
            assert isinstance(decoded, Envelope) and decoded.event == event
        EVENTS_DECIDED.update(event.type for event in events)
        STATES_REACHED.add(state.status)

        assert state.deadline_version >= before.deadline_version
        # Never overdue (nor due soon) once answered, closed, withdrawn or merged.
        if state.status in DEADLINES_STOPPED:
            assert state.overdue == state.due_soon == frozenset()
        if before.status in DEADLINES_STOPPED or not before.exists:
            assert not any(isinstance(e, PetitionBecameOverdue | PetitionBecameDueSoon) for e in events)
        for event in events:
            if isinstance(event, PetitionBecameOverdue):
                assert event.due < today
        for which in state.overdue | state.due_soon:
            assert state.due(which) is not None
        # The promised date is never before receipt.
        if state.promised_date is not None:
            assert state.received_on is not None and state.promised_date >= state.received_on
        # A closed petition accepts only reopening; withdrawn, merged and unknown ones nothing.
        if before.status is Status.CLOSED:
            reopened = isinstance(cmd, ReopenPetition) and [e.type for e in events] == ["petition.reopened"]
            assert events == [] or reopened
        if before.status in (Status.WITHDRAWN, Status.MERGED, Status.NONE):
            assert events == []
        if any(isinstance(e, PetitionAnswered) for e in events) and before.legal_type in ACCEPTANCE_REQUIRED:
            assert before.accepted_on is not None
    assert fold(history) == state  # the state is exactly the fold of what was decided
    assert state.exists is (petition is not None)


def _meta(n: int) -> EventMeta:
    return EventMeta(
        event_id=event_id_for("property", n),
        aggregate_type="petition",
        aggregate_id="p-self",
        occurred_at=at(RECEIVED_ON),
        schema_version=1,
        correlation_id="property",
    )


def test_the_property_reaches_every_status_and_every_event() -> None:
    """Runs after the property test in this module: its sequences must have reached everything."""
    if not EVENTS_DECIDED:
        pytest.skip("run together with test_any_command_sequence_keeps_the_invariants")
    assert set(Status) == STATES_REACHED
    decided_by_tracking = {model.model_fields["type"].default for model in PETITION_EVENTS}
    assert decided_by_tracking - EVENTS_DECIDED == {"petition.received"}
