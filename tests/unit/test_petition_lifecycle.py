"""The whole life of a petition in tracking, given/when/then: given past events, when a command
is decided, then these events (or this refusal). Every transition, allowed and refused. Also the
golden wire samples of the petition events, replayed as one set of stories."""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from langnghe.contracts.codec import REGISTRY, Envelope
from langnghe.contracts.envelope import event_id_for
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import PublicationChannel, UnitLevel
from langnghe.contracts.events.petition import (
    PETITION_EVENTS,
    Channel,
    ComplaintInstance,
    DeadlineKind,
    Disposition,
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
    StatutoryTerm,
    TransferKind,
)
from langnghe.domain.clocks import DueState
from langnghe.tracking.domain.petition import (
    STATUTE_CLOCK,
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
    evolve,
    fold,
    vietnam_date,
)
from langnghe.tracking.domain.timers import timers_for

RECEIVED_ON = date(2026, 3, 2)  # a Monday
TODAY = date(2026, 3, 3)
PROMISED = date(2026, 4, 1)
AGENCY = "SO-XAY-DUNG-HN"
ANSWER = "Sở Xây dựng đã thảm lại mặt đường Hoàng Hoa Thám, hoàn thành ngày 25/3/2026."
CONFERENCE = "019c8f2a5b3e7c41a2d6e0f9b8c7d6e5"
PROMISED_CLOCK = DeadlineKind.PROMISED
STATUTORY_CLOCK = DeadlineKind.STATUTORY


def received(**changes: Any) -> PetitionReceived:
    fields: dict[str, Any] = {
        "code": "KN-01-26-FMHC97K1",
        "province_code": "01",
        "commune_code": "00004",
        "channel": Channel.CITIZEN_RECEPTION,
        "legal_type": LegalType.RECOMMENDATION,
        "field_code": "giao-thong",
        "content": "Đề nghị sửa chữa mặt đường Hoàng Hoa Thám, nhiều ổ gà sâu.",
        "citizen_ref": "citizen-1",
    }
    return PetitionReceived(**{**fields, **changes})


RECEIVED = received()
AT_CONFERENCE = received(channel=Channel.DIALOGUE_CONFERENCE, conference_id=CONFERENCE)
VOTERS = received(channel=Channel.VOTER_MEETING, legal_type=LegalType.VOTERS_PETITION)
COMPLAINT = received(
    legal_type=LegalType.COMPLAINT, content="Khiếu nại quyết định thu hồi đất của UBND phường."
)
DENUNCIATION = received(
    legal_type=LegalType.DENUNCIATION, content="Tố cáo cán bộ địa chính nhận tiền của dân."
)
ASSIGNED = PetitionAssigned(agency_code=AGENCY, promised_date=PROMISED, deadline_version=1)
ANSWERED = PetitionAnswered(answer_text=ANSWER, answering_agency_code=AGENCY)
PUBLISHED = PetitionAnswerPublished(
    published_on=RECEIVED_ON, channels=(PublicationChannel.HEADQUARTERS_NOTICE_BOARD,)
)
CLOSED = PetitionClosed()
WITHDRAWN = PetitionWithdrawn(reason="Hai bên đã tự hòa giải.")
MERGED = PetitionMergedInto(
    primary_petition_id="p-primary", reason="Trùng nội dung", cosigner_refs=("citizen-1",)
)


def at(day: date, hour: int = 3) -> datetime:
    """03:00 UTC is 10:00 in Vietnam, the same calendar day."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


def given(*events: DomainEvent, on: date = RECEIVED_ON) -> PetitionState:
    return fold((event, at(on)) for event in events)


def then(state: PetitionState, events: list[DomainEvent], on: date = TODAY) -> PetitionState:
    for event in events:
        state = evolve(state, event, at(on))
    return state


def refused(
    decision: Callable[[], object], code: str, status: int = 422, field: str | None = None
) -> PetitionRuleBroken:
    with pytest.raises(PetitionRuleBroken) as caught:
        decision()
    error = caught.value
    assert (error.code, error.status, error.field) == (code, status, field)
    assert unicodedata.is_normalized("NFC", error.message)
    assert not error.message.isascii(), "messages are Vietnamese, with diacritics"
    return error


def accepted_complaint(on: date = date(2026, 3, 9)) -> PetitionState:
    state = given(COMPLAINT)
    state = then(state, decide(state, AssignPetition("THANH-TRA-HN", date(2026, 3, 30)), TODAY))
    return then(state, decide(state, AcceptPetition(on), on), on)


def accepted_denunciation(on: date = date(2026, 3, 9)) -> PetitionState:
    state = given(DENUNCIATION)
    state = then(state, decide(state, AssignPetition("THANH-TRA-HN", date(2026, 3, 30)), TODAY))
    return then(state, decide(state, AcceptPetition(on), on), on)


# -- receipt -------------------------------------------------------------------------------


def test_received_petition_remembers_what_later_rules_need() -> None:
    state = given(
        received(
            legal_type=LegalType.COMPLAINT,
            conference_id=CONFERENCE,
            cosigner_refs=("citizen-2", "citizen-3", "citizen-2"),
        )
    )
    assert state.status is Status.RECEIVED
    assert (state.legal_type, state.conference_id, state.citizen_ref) == (
        LegalType.COMPLAINT,
        CONFERENCE,
        "citizen-1",
    )
    assert state.cosigner_refs == ("citizen-2", "citizen-3")
    assert state.petitioner_refs == ("citizen-1", "citizen-2", "citizen-3")
    assert (state.deadline_version, state.promised_date, state.statutory) == (0, None, None)


def test_receipt_day_is_the_day_in_vietnam_not_in_utc() -> None:
    # 17:30 UTC on 2 March is 00:30 on 3 March in Hà Nội: the legal clocks count from the 3rd.
    assert fold([(RECEIVED, datetime(2026, 3, 2, 17, 30, tzinfo=UTC))]).received_on == date(2026, 3, 3)
    assert fold([(RECEIVED, datetime(2026, 3, 2, 16, 59, tzinfo=UTC))]).received_on == date(2026, 3, 2)
    assert vietnam_date(datetime(2026, 3, 2, 17, 0, tzinfo=UTC)) == date(2026, 3, 3)


def test_an_imported_petition_keeps_the_day_it_was_really_received() -> None:
    state = fold([(received(received_on=date(2023, 6, 12)), at(TODAY))])
    assert state.received_on == date(2023, 6, 12)


def test_every_event_adds_one_version_even_of_a_type_tracking_ignores() -> None:
    class PetitionTranslated(DomainEvent):
        type: str = "petition.translated"

    state = given(RECEIVED, PetitionTranslated(), ASSIGNED)
    assert state.version == 3
    assert state.status is Status.ASSIGNED


# -- disposition at the conference ---------------------------------------------------------


def test_opinion_answered_on_the_spot_is_answered_in_public() -> None:
    cmd = DisposeAtConference(
        Disposition.ANSWERED_ON_SPOT,
        answer_text="Chủ tịch UBND phường trả lời: tuyến đường đã có trong kế hoạch duy tu quý II.",
        answering_agency_code="UBND-PHUONG-BA-DINH",
    )
    events = decide(given(AT_CONFERENCE), cmd, TODAY)
    assert events == [
        PetitionDisposedAtConference(conference_id=CONFERENCE, disposition=Disposition.ANSWERED_ON_SPOT),
        PetitionAnswered(
            answer_text="Chủ tịch UBND phường trả lời: tuyến đường đã có trong kế hoạch duy tu quý II.",
            answering_agency_code="UBND-PHUONG-BA-DINH",
        ),
    ]
    state = then(given(AT_CONFERENCE), events)
    assert state.status is Status.ANSWERED
    assert state.answer_is_public and state.published_on is None


def test_opinion_based_on_a_misunderstanding_is_explained() -> None:
    cmd = DisposeAtConference(
        Disposition.EXPLAINED,
        note="Hiểu chưa đúng chính sách hỗ trợ",
        answer_text="Mức hỗ trợ tái định cư áp dụng theo quyết định của UBND thành phố năm 2024.",
        answering_agency_code="UBND-PHUONG-BA-DINH",
    )
    events = decide(given(AT_CONFERENCE), cmd, TODAY)
    assert [e.type for e in events] == ["petition.disposed_at_conference", "petition.answered"]
    assert isinstance(events[0], PetitionDisposedAtConference)
    assert events[0].note == "Hiểu chưa đúng chính sách hỗ trợ"
    assert then(given(AT_CONFERENCE), events).disposition is Disposition.EXPLAINED


def test_opinion_assigned_at_the_conference_gets_its_promised_date() -> None:
    cmd = DisposeAtConference(
        Disposition.ASSIGNED, agency_code=AGENCY, promised_date=PROMISED, officer_ref="cv-1"
    )
    assert decide(given(AT_CONFERENCE), cmd, TODAY) == [
        PetitionDisposedAtConference(conference_id=CONFERENCE, disposition=Disposition.ASSIGNED),
        PetitionAssigned(agency_code=AGENCY, officer_ref="cv-1", promised_date=PROMISED, deadline_version=1),
    ]


def test_opinion_beyond_this_level_is_escalated() -> None:
    cmd = DisposeAtConference(
        Disposition.ESCALATED,
        note="Thuộc thẩm quyền UBND thành phố",
        to_level=UnitLevel.PROVINCE,
        to_unit_code="01",
    )
    events = decide(given(AT_CONFERENCE), cmd, TODAY)
    assert events[1] == PetitionEscalated(
        kind=TransferKind.ESCALATION,
        to_level=UnitLevel.PROVINCE,
        to_unit_code="01",
        reason="Thuộc thẩm quyền UBND thành phố",
        deadline_version=0,
    )
    assert then(given(AT_CONFERENCE), events).status is Status.ESCALATED


def test_opinion_recorded_only_stays_received() -> None:
    events = decide(
        given(AT_CONFERENCE), DisposeAtConference(Disposition.RECORDED_ONLY, note="Tổng hợp"), TODAY
    )
    assert events == [
        PetitionDisposedAtConference(
            conference_id=CONFERENCE, disposition=Disposition.RECORDED_ONLY, note="Tổng hợp"
        )
    ]
    state = then(given(AT_CONFERENCE), events)
    assert (state.status, state.disposition) == (Status.RECEIVED, Disposition.RECORDED_ONLY)


def test_disposition_of_an_opinion_not_raised_at_a_conference_is_refused() -> None:
    refused(
        lambda: decide(given(RECEIVED), DisposeAtConference(Disposition.RECORDED_ONLY), TODAY),
        "petition.not_raised_at_conference",
        409,
    )


def test_disposing_twice_is_refused() -> None:
    state = given(
        AT_CONFERENCE, PetitionDisposedAtConference(conference_id=CONFERENCE, disposition="recorded_only")
    )
    refused(
        lambda: decide(state, DisposeAtConference(Disposition.RECORDED_ONLY), TODAY),
        "petition.already_disposed",
        409,
    )
    assigned = given(AT_CONFERENCE, ASSIGNED)
    refused(
        lambda: decide(assigned, DisposeAtConference(Disposition.RECORDED_ONLY), TODAY),
        "petition.already_disposed",
        409,
    )


@pytest.mark.parametrize(
    ("cmd", "code", "field"),
    [
        (
            DisposeAtConference(Disposition.ASSIGNED, agency_code=AGENCY),
            "petition.promised_date_required",
            "promised_date",
        ),
        (
            DisposeAtConference(Disposition.ASSIGNED, promised_date=PROMISED),
            "petition.agency_required",
            "agency_code",
        ),
        (
            DisposeAtConference(Disposition.ANSWERED_ON_SPOT, answer_text="Đã rõ"),
            "petition.answer_too_short",
            "answer_text",
        ),
        (
            DisposeAtConference(Disposition.EXPLAINED, answer_text=ANSWER),
            "petition.agency_required",
            "answering_agency_code",
        ),
        (
            DisposeAtConference(Disposition.ESCALATED, note="Vượt thẩm quyền"),
            "petition.level_required",
            "to_level",
        ),
        (
            DisposeAtConference(Disposition.ESCALATED, to_level=UnitLevel.PROVINCE, to_unit_code="01"),
            "petition.reason_required",
            "note",
        ),
        (
            DisposeAtConference(Disposition.ESCALATED, note="Vượt thẩm quyền", to_level=UnitLevel.PROVINCE),
            "petition.unit_required",
            "to_unit_code",
        ),
    ],
)
def test_disposition_without_what_it_needs_is_refused(
    cmd: DisposeAtConference, code: str, field: str
) -> None:
    refused(lambda: decide(given(AT_CONFERENCE), cmd, TODAY), code, 422, field)


def test_disposing_an_unknown_petition_is_not_found() -> None:
    refused(
        lambda: decide(given(), DisposeAtConference(Disposition.RECORDED_ONLY), TODAY),
        "petition.not_found",
        404,
    )


def test_a_complaint_cannot_be_settled_on_the_spot_before_acceptance() -> None:
    state = given(COMPLAINT.model_copy(update={"conference_id": CONFERENCE}))
    cmd = DisposeAtConference(
        Disposition.ANSWERED_ON_SPOT, answer_text=ANSWER, answering_agency_code="UBND-P"
    )
    refused(lambda: decide(state, cmd, TODAY), "petition.acceptance_required", 409)


# -- assignment and the statutory clock ----------------------------------------------------


def test_first_assignment_of_a_voters_petition_starts_its_60_day_clock_from_receipt() -> None:
    [event] = decide(given(VOTERS), AssignPetition(AGENCY, PROMISED), TODAY)
    assert event == PetitionAssigned(
        agency_code=AGENCY,
        promised_date=PROMISED,
        # 60 days from 2 March end on Friday 1 May, a holiday; then the weekend: Monday 4 May.
        statutory=StatutoryTerm(
            clock="voters_petition_answer", start=RECEIVED_ON, due=date(2026, 5, 4), days=60
        ),
        deadline_version=1,
    )
    state = then(given(VOTERS), [event])
    assert (state.statutory, state.deadline_version) == (event.statutory, 1)


def test_promised_date_after_the_statutory_date_is_refused() -> None:
    error = refused(
        lambda: decide(given(VOTERS), AssignPetition(AGENCY, date(2026, 5, 5)), TODAY),
        "petition.promised_after_statutory",
        422,
        "promised_date",
    )
    assert "04/05/2026" in error.message
    assert decide(given(VOTERS), AssignPetition(AGENCY, date(2026, 5, 4)), TODAY) != []


def test_a_complaint_assigned_runs_the_acceptance_clock_which_does_not_bound_the_promise() -> None:
    [event] = decide(given(COMPLAINT), AssignPetition("THANH-TRA-HN", date(2026, 4, 30)), TODAY)
    assert isinstance(event, PetitionAssigned)
    assert event.statutory == StatutoryTerm(
        clock="complaint_acceptance", start=RECEIVED_ON, due=date(2026, 3, 12), days=10
    )


def test_recommendations_and_denunciations_have_no_clock_before_acceptance() -> None:
    for petition in (RECEIVED, received(legal_type=LegalType.REFLECTION), DENUNCIATION):
        [event] = decide(given(petition), AssignPetition(AGENCY, PROMISED), TODAY)
        assert isinstance(event, PetitionAssigned)
        assert event.statutory is None


def test_assigning_an_assigned_petition_again_is_refused_and_points_to_reassign() -> None:
    """Assigning again would hand the case to another agency (or move its date) without the
    reason `reassign` (or `extend`) requires."""
    state = given(VOTERS)
    state = then(state, decide(state, AssignPetition(AGENCY, PROMISED), TODAY))
    for cmd in (AssignPetition("SO-GTVT-HN", PROMISED), AssignPetition(AGENCY, PROMISED + timedelta(days=3))):
        error = refused(lambda cmd=cmd: decide(state, cmd, TODAY), "petition.already_assigned", 409)
        assert "reassign" in error.message and "extend" in error.message
    assert decide(state, AssignPetition(AGENCY, PROMISED), TODAY) == []  # the same one: a no-op


def test_moving_the_assignment_to_another_agency_keeps_the_deadline_version() -> None:
    state = given(VOTERS)
    state = then(state, decide(state, AssignPetition(AGENCY, PROMISED), TODAY))
    [event] = decide(state, ReassignPetition("SO-GTVT-HN", "Đúng thẩm quyền của Sở Giao thông"), TODAY)
    assert isinstance(event, PetitionReassigned)
    assert event.deadline_version == state.deadline_version == 1
    assert then(state, [event]).statutory == state.statutory


def test_a_promised_date_too_far_ahead_is_refused() -> None:
    state = given(RECEIVED)
    refused(
        lambda: decide(state, AssignPetition(AGENCY, date(9999, 12, 31)), TODAY),
        "petition.promised_too_far",
        422,
        "promised_date",
    )
    refused(
        lambda: decide(state, AssignPetition(AGENCY, TODAY + timedelta(days=732)), TODAY),
        "petition.promised_too_far",
        422,
        "promised_date",
    )
    assert decide(state, AssignPetition(AGENCY, TODAY + timedelta(days=731)), TODAY)


def test_extend_repairs_a_promised_date_from_before_the_horizon() -> None:
    """An old log may hold a promise of 9999-12-31: extend brings it back to a real date, and
    the petition's timers can be computed again."""
    far = date(9999, 12, 31)
    state = given(RECEIVED, PetitionAssigned(agency_code=AGENCY, promised_date=far, deadline_version=1))
    assert timers_for(state) == []  # it raised OverflowError, which parked the petition's timers
    [event] = decide(state, ExtendDeadline(PROMISED_CLOCK, "Sửa ngày hẹn nhập nhầm", PROMISED), TODAY)
    assert isinstance(event, PetitionDeadlineExtended) and (event.previous_due, event.new_due) == (
        far,
        PROMISED,
    )
    repaired = then(state, [event])
    assert repaired.promised_date == PROMISED and timers_for(repaired)
    refused(
        lambda: decide(
            repaired, ExtendDeadline(PROMISED_CLOCK, "Dời sớm hơn", PROMISED - timedelta(days=1)), TODAY
        ),
        "petition.extension_not_later",
        field="new_date",
    )


def test_an_escalated_petition_is_assigned_by_the_level_it_was_sent_to() -> None:
    state = given(
        RECEIVED,
        PetitionEscalated(
            kind="escalation", to_level="province", to_unit_code="01", reason="Vượt cấp", deadline_version=0
        ),
    )
    state = then(state, decide(state, AssignPetition("SO-TNMT-HN", PROMISED), TODAY))
    assert (state.status, state.agency_code, state.handling_unit_code) == (
        Status.ASSIGNED,
        "SO-TNMT-HN",
        "01",
    )


def test_assignment_needs_an_agency() -> None:
    refused(
        lambda: decide(given(RECEIVED), AssignPetition("", PROMISED), TODAY),
        "petition.agency_required",
        422,
        "agency_code",
    )


# -- acceptance (thụ lý) -------------------------------------------------------------------


def test_accepting_a_complaint_starts_the_first_instance_clock() -> None:
    state = given(COMPLAINT)
    state = then(state, decide(state, AssignPetition("THANH-TRA-HN", date(2026, 3, 30)), TODAY))
    events = decide(state, AcceptPetition(date(2026, 3, 9), decision_number="12/QĐ-TTr"), date(2026, 3, 9))
    assert events == [
        PetitionAccepted(
            agency_code="THANH-TRA-HN",
            accepted_on=date(2026, 3, 9),
            decision_number="12/QĐ-TTr",
            late=False,
            statutory=StatutoryTerm(
                clock="complaint_first_instance", start=date(2026, 3, 9), due=date(2026, 4, 8), days=30
            ),
            deadline_version=2,
        )
    ]
    after = then(state, events)
    assert (after.accepted_on, after.deadline_version, after.status) == (date(2026, 3, 9), 2, Status.ASSIGNED)


def test_a_complex_second_instance_complaint_in_a_remote_area_gets_70_days() -> None:
    state = given(COMPLAINT)
    state = then(state, decide(state, AssignPetition("THANH-TRA-HN", date(2026, 3, 30)), TODAY))
    cmd = AcceptPetition(
        date(2026, 3, 9), complaint_instance=ComplaintInstance.SECOND, complex_case=True, remote_area=True
    )
    [event] = decide(state, cmd, date(2026, 3, 9))
    assert isinstance(event, PetitionAccepted)
    assert (event.statutory.clock, event.statutory.days, event.statutory.due) == (
        "complaint_second_instance",
        70,
        date(2026, 5, 18),
    )


def test_accepting_a_denunciation_starts_its_30_day_clock() -> None:
    state = accepted_denunciation()
    assert state.statutory == StatutoryTerm(
        clock="denunciation", start=date(2026, 3, 9), due=date(2026, 4, 8), days=30
    )


def test_a_late_acceptance_is_recorded_as_late() -> None:
    state = given(COMPLAINT)
    state = then(state, decide(state, AssignPetition("THANH-TRA-HN", date(2026, 3, 30)), TODAY))
    [event] = decide(
        state, AcceptPetition(date(2026, 3, 13)), date(2026, 3, 13)
    )  # the clock ended on the 12th
    assert isinstance(event, PetitionAccepted)
    assert event.late is True


def test_acceptance_refusals() -> None:
    assigned = given(RECEIVED, ASSIGNED)
    refused(lambda: decide(assigned, AcceptPetition(TODAY), TODAY), "petition.acceptance_not_required", 409)
    voters = then(given(VOTERS), decide(given(VOTERS), AssignPetition(AGENCY, PROMISED), TODAY))
    refused(lambda: decide(voters, AcceptPetition(TODAY), TODAY), "petition.acceptance_not_required", 409)
    refused(lambda: decide(given(COMPLAINT), AcceptPetition(TODAY), TODAY), "petition.not_assigned", 409)
    complaint = then(given(COMPLAINT), decide(given(COMPLAINT), AssignPetition("TT", PROMISED), TODAY))
    refused(
        lambda: decide(complaint, AcceptPetition(date(2026, 3, 1)), TODAY),
        "petition.accepted_before_receipt",
        422,
        "accepted_on",
    )
    refused(
        lambda: decide(complaint, AcceptPetition(date(2026, 3, 4)), TODAY),
        "petition.date_in_future",
        422,
        "accepted_on",
    )
    refused(
        lambda: decide(accepted_complaint(), AcceptPetition(date(2026, 3, 10)), date(2026, 3, 10)),
        "petition.already_accepted",
        409,
    )
    denunciation = then(
        given(DENUNCIATION), decide(given(DENUNCIATION), AssignPetition("TT", PROMISED), TODAY)
    )
    refused(
        lambda: decide(
            denunciation, AcceptPetition(TODAY, complaint_instance=ComplaintInstance.FIRST), TODAY
        ),
        "petition.instance_only_for_complaints",
        422,
        "complaint_instance",
    )
    refused(lambda: decide(given(), AcceptPetition(TODAY), TODAY), "petition.not_found", 404)


# -- extensions ----------------------------------------------------------------------------


def test_moving_the_promised_date_later_is_an_extension_with_a_reason() -> None:
    state = given(RECEIVED, ASSIGNED)
    cmd = ExtendDeadline(PROMISED_CLOCK, "Chờ kết quả khảo sát hiện trạng", new_date=date(2026, 4, 20))
    [event] = decide(state, cmd, TODAY)
    assert event == PetitionDeadlineExtended(
        which=DeadlineKind.PROMISED,
        previous_due=PROMISED,
        new_due=date(2026, 4, 20),
        reason="Chờ kết quả khảo sát hiện trạng",
        extensions=1,
        after_due=False,
        deadline_version=2,
    )
    after = then(state, [event])
    assert (after.promised_date, after.promised_extensions, after.deadline_version) == (
        date(2026, 4, 20),
        1,
        2,
    )


def test_an_extension_decided_after_the_promised_date_is_recorded_as_late() -> None:
    cmd = ExtendDeadline(PROMISED_CLOCK, "Chờ kết quả khảo sát hiện trạng", new_date=date(2026, 4, 20))
    [event] = decide(given(RECEIVED, ASSIGNED), cmd, date(2026, 4, 2))
    assert isinstance(event, PetitionDeadlineExtended)
    assert event.after_due is True


@pytest.mark.parametrize(
    ("cmd", "code", "field"),
    [
        (ExtendDeadline(PROMISED_CLOCK, "Chờ khảo sát"), "petition.new_date_required", "new_date"),
        (
            ExtendDeadline(PROMISED_CLOCK, "Chờ khảo sát", PROMISED),
            "petition.extension_not_later",
            "new_date",
        ),
        (ExtendDeadline(PROMISED_CLOCK, "", date(2026, 4, 20)), "petition.reason_required", "reason"),
        (
            ExtendDeadline(PROMISED_CLOCK, "Chờ khảo sát", date(2026, 4, 20), decision_date=date(2026, 3, 4)),
            "petition.date_in_future",
            "decision_date",
        ),
    ],
)
def test_promised_date_extension_refusals(cmd: ExtendDeadline, code: str, field: str) -> None:
    refused(lambda: decide(given(RECEIVED, ASSIGNED), cmd, TODAY), code, 422, field)


def test_an_extension_cannot_go_past_the_statutory_date() -> None:
    state = then(given(VOTERS), decide(given(VOTERS), AssignPetition(AGENCY, PROMISED), TODAY))
    cmd = ExtendDeadline(PROMISED_CLOCK, "Chờ ý kiến bộ ngành", date(2026, 5, 5))
    refused(lambda: decide(state, cmd, TODAY), "petition.promised_after_statutory", 422, "new_date")


def test_there_is_no_promised_date_to_extend_before_assignment() -> None:
    cmd = ExtendDeadline(PROMISED_CLOCK, "Chờ khảo sát", date(2026, 4, 20))
    refused(lambda: decide(given(RECEIVED), cmd, TODAY), "petition.no_promised_date", 409)


def test_a_denunciation_may_be_extended_twice_by_30_days_and_no_more() -> None:
    state = accepted_denunciation()
    first = ExtendDeadline(
        STATUTORY_CLOCK, "Vụ việc phức tạp, cần xác minh thêm", decision_number="45/QĐ-TTr"
    )
    [event] = decide(state, first, date(2026, 4, 6))
    assert event == PetitionDeadlineExtended(
        which=DeadlineKind.STATUTORY,
        previous_due=date(2026, 4, 8),
        new_due=date(2026, 5, 8),
        reason="Vụ việc phức tạp, cần xác minh thêm",
        decision_number="45/QĐ-TTr",
        extensions=1,
        after_due=False,
        statutory=StatutoryTerm(
            clock="denunciation", start=date(2026, 3, 9), due=date(2026, 5, 8), days=60, extensions=1
        ),
        deadline_version=3,
    )
    state = then(state, [event])
    state = then(state, decide(state, replace(first, decision_number="61/QĐ-TTr"), date(2026, 5, 6)))
    assert state.statutory is not None
    assert (state.statutory.due, state.statutory.extensions) == (date(2026, 6, 8), 2)
    error = refused(
        lambda: decide(state, replace(first, decision_number="77/QĐ-TTr"), date(2026, 6, 5)),
        "petition.extension_limit_reached",
        409,
        "which",
    )
    assert "tối đa 2 lần" in error.message


def test_a_statutory_extension_needs_a_written_decision_and_takes_the_statutory_length() -> None:
    state = accepted_denunciation()
    refused(
        lambda: decide(state, ExtendDeadline(STATUTORY_CLOCK, "Vụ việc phức tạp"), TODAY),
        "petition.extension_decision_required",
        422,
        "decision_number",
    )
    cmd = ExtendDeadline(
        STATUTORY_CLOCK, "Vụ việc phức tạp", new_date=date(2026, 5, 30), decision_number="45/QĐ"
    )
    error = refused(lambda: decide(state, cmd, TODAY), "petition.statutory_extension_fixed", 422, "new_date")
    assert "08/05/2026" in error.message
    assert decide(state, replace(cmd, new_date=date(2026, 5, 8)), TODAY) != []


def test_statutes_without_extensions_refuse_them() -> None:
    cmd = ExtendDeadline(STATUTORY_CLOCK, "Vụ việc phức tạp", decision_number="45/QĐ")
    refused(lambda: decide(accepted_complaint(), cmd, TODAY), "petition.extension_not_allowed", 422, "which")
    voters = then(given(VOTERS), decide(given(VOTERS), AssignPetition(AGENCY, PROMISED), TODAY))
    refused(lambda: decide(voters, cmd, TODAY), "petition.extension_not_allowed", 422, "which")
    refused(lambda: decide(given(RECEIVED, ASSIGNED), cmd, TODAY), "petition.no_statutory_deadline", 409)


# -- reassignment and escalation -----------------------------------------------------------


def test_reassignment_hands_the_case_on_and_the_clocks_keep_running() -> None:
    state = accepted_complaint()
    cmd = ReassignPetition("THANH-TRA-SO-TNMT", "Đúng chuyên môn đất đai", officer_ref="ttv-07")
    [event] = decide(state, cmd, TODAY)
    assert event == PetitionReassigned(
        from_agency_code="THANH-TRA-HN",
        agency_code="THANH-TRA-SO-TNMT",
        officer_ref="ttv-07",
        reason="Đúng chuyên môn đất đai",
        promised_date=date(2026, 3, 30),
        deadline_version=state.deadline_version,
    )
    after = then(state, [event])
    assert (after.statutory, after.accepted_on, after.agency_code) == (
        state.statutory,
        state.accepted_on,
        "THANH-TRA-SO-TNMT",
    )


def test_reassignment_with_a_new_promised_date_is_a_new_deadline_version() -> None:
    state = given(RECEIVED, ASSIGNED)
    [event] = decide(
        state, ReassignPetition("SO-GTVT-HN", "Đúng thẩm quyền", promised_date=date(2026, 4, 15)), TODAY
    )
    assert isinstance(event, PetitionReassigned)
    assert (event.promised_date, event.deadline_version) == (date(2026, 4, 15), 2)


def test_reassignment_refusals() -> None:
    refused(
        lambda: decide(given(RECEIVED), ReassignPetition("SO-GTVT-HN", "Đúng thẩm quyền"), TODAY),
        "petition.not_assigned",
        409,
    )
    state = given(RECEIVED, ASSIGNED)
    refused(
        lambda: decide(state, ReassignPetition("SO-GTVT-HN", "x"), TODAY),
        "petition.reason_required",
        422,
        "reason",
    )
    refused(
        lambda: decide(
            state, ReassignPetition("SO-GTVT-HN", "Đúng thẩm quyền", promised_date=date(2026, 3, 1)), TODAY
        ),
        "petition.promised_before_receipt",
        422,
        "promised_date",
    )
    assert decide(state, ReassignPetition(AGENCY, "Không đổi gì"), TODAY) == []


def test_escalation_stops_this_level_s_clocks_and_assignment() -> None:
    state = accepted_complaint()
    cmd = EscalatePetition(
        TransferKind.ESCALATION, UnitLevel.PROVINCE, "01", "Thuộc thẩm quyền Chủ tịch UBND thành phố"
    )
    [event] = decide(state, cmd, TODAY)
    assert event == PetitionEscalated(
        kind=TransferKind.ESCALATION,
        to_level=UnitLevel.PROVINCE,
        to_unit_code="01",
        reason="Thuộc thẩm quyền Chủ tịch UBND thành phố",
        from_agency_code="THANH-TRA-HN",
        deadline_version=state.deadline_version + 1,
    )
    after = then(state, [event])
    assert after.status is Status.ESCALATED
    assert (after.agency_code, after.promised_date, after.statutory, after.accepted_on) == (
        None,
        None,
        None,
        None,
    )


def test_a_transfer_to_another_unit_is_recorded_as_such() -> None:
    cmd = EscalatePetition(
        TransferKind.TRANSFER, UnitLevel.COMMUNE, "00070", "Địa bàn thuộc phường Hoàn Kiếm"
    )
    [event] = decide(given(RECEIVED), cmd, TODAY)
    assert isinstance(event, PetitionEscalated)
    assert (event.kind, event.from_agency_code, event.deadline_version) == (TransferKind.TRANSFER, None, 0)


def test_districts_exist_for_escalation_only_before_1_july_2025() -> None:
    cmd = EscalatePetition(TransferKind.ESCALATION, UnitLevel.DISTRICT, "080", "Thuộc thẩm quyền UBND huyện")
    legacy = given(received(received_on=date(2024, 5, 6)))
    assert decide(legacy, cmd, date(2024, 5, 8)) != []
    refused(lambda: decide(given(RECEIVED), cmd, TODAY), "petition.district_level_abolished", 422, "to_level")


def test_escalation_refusals_and_repeats() -> None:
    cmd = EscalatePetition(TransferKind.ESCALATION, UnitLevel.PROVINCE, "01", "Thuộc thẩm quyền thành phố")
    refused(
        lambda: decide(given(RECEIVED), replace(cmd, to_unit_code=""), TODAY),
        "petition.unit_required",
        422,
        "to_unit_code",
    )
    refused(
        lambda: decide(given(RECEIVED), replace(cmd, reason=""), TODAY),
        "petition.reason_required",
        422,
        "reason",
    )
    refused(lambda: decide(given(RECEIVED, ANSWERED), cmd, TODAY), "petition.already_answered", 409)
    escalated = then(given(RECEIVED), decide(given(RECEIVED), cmd, TODAY))
    assert decide(escalated, cmd, TODAY) == []


# -- answer, publication, feedback ---------------------------------------------------------


def test_an_answer_stops_the_deadlines() -> None:
    state = given(
        RECEIVED,
        ASSIGNED,
        PetitionBecameOverdue(which="promised", due=PROMISED, deadline_version=1),
    )
    assert state.overdue == {DeadlineKind.PROMISED}
    after = then(
        state,
        decide(state, AnswerPetition(ANSWER, AGENCY, "12/SXD", date(2026, 4, 2)), date(2026, 4, 3)),
        date(2026, 4, 3),
    )
    assert (after.status, after.overdue, after.due_soon, after.answered_on) == (
        Status.ANSWERED,
        frozenset(),
        frozenset(),
        date(2026, 4, 3),
    )


def test_complaints_and_denunciations_are_answered_only_once_accepted() -> None:
    complaint = then(given(COMPLAINT), decide(given(COMPLAINT), AssignPetition("TT", PROMISED), TODAY))
    refused(
        lambda: decide(complaint, AnswerPetition(ANSWER, "TT"), TODAY), "petition.acceptance_required", 409
    )
    assert [e.type for e in decide(accepted_complaint(), AnswerPetition(ANSWER, "TT"), TODAY)] == [
        "petition.answered"
    ]


def test_an_escalated_petition_can_be_answered_by_the_level_it_was_sent_to() -> None:
    state = given(
        RECEIVED,
        PetitionEscalated(
            kind="transfer", to_level="commune", to_unit_code="00070", reason="Địa bàn", deadline_version=0
        ),
    )
    assert [e.type for e in decide(state, AnswerPetition(ANSWER, "UBND-PHUONG-HOAN-KIEM"), TODAY)] == [
        "petition.answered"
    ]


@pytest.mark.parametrize(
    ("cmd", "code", "field"),
    [
        (AnswerPetition(ANSWER, ""), "petition.agency_required", "answering_agency_code"),
        (
            AnswerPetition(ANSWER, AGENCY, document_date=date(2026, 3, 4)),
            "petition.date_in_future",
            "document_date",
        ),
        (
            AnswerPetition(ANSWER, AGENCY, document_date=date(2026, 2, 27)),
            "petition.document_before_receipt",
            "document_date",
        ),
    ],
)
def test_answer_refusals(cmd: AnswerPetition, code: str, field: str) -> None:
    refused(lambda: decide(given(RECEIVED, ASSIGNED), cmd, TODAY), code, 422, field)


def test_publishing_the_answer() -> None:
    state = given(RECEIVED, ASSIGNED, ANSWERED)
    channels = (
        PublicationChannel.MASS_MEDIA,
        PublicationChannel.VILLAGE_HEADS,
        PublicationChannel.MASS_MEDIA,
    )
    [event] = decide(state, PublishAnswer(TODAY, channels, note="Bản tin phường số 12"), TODAY)
    assert event == PetitionAnswerPublished(
        published_on=TODAY,
        channels=(PublicationChannel.MASS_MEDIA, PublicationChannel.VILLAGE_HEADS),
        note="Bản tin phường số 12",
    )
    after = then(state, [event])
    assert after.answer_is_public and after.published_on == TODAY
    assert decide(after, PublishAnswer(TODAY, (PublicationChannel.VILLAGE_HEADS,)), TODAY) == []
    more = decide(after, PublishAnswer(TODAY, (PublicationChannel.HEADQUARTERS_NOTICE_BOARD,)), TODAY)
    assert [e.type for e in more] == ["petition.answer_published"]
    assert then(after, more).published_channels == {
        PublicationChannel.MASS_MEDIA,
        PublicationChannel.VILLAGE_HEADS,
        PublicationChannel.HEADQUARTERS_NOTICE_BOARD,
    }


def test_publication_refusals() -> None:
    answered = given(RECEIVED, ASSIGNED, ANSWERED)
    board = (PublicationChannel.HEADQUARTERS_NOTICE_BOARD,)
    refused(
        lambda: decide(given(RECEIVED, ASSIGNED), PublishAnswer(TODAY, board), TODAY),
        "petition.not_answered",
        409,
    )
    refused(
        lambda: decide(answered, PublishAnswer(TODAY, ()), TODAY),
        "petition.publication_channel_required",
        422,
        "channels",
    )
    refused(
        lambda: decide(answered, PublishAnswer(date(2026, 3, 1), board), TODAY),
        "petition.published_before_answer",
        422,
        "published_on",
    )
    refused(
        lambda: decide(answered, PublishAnswer(date(2026, 3, 4), board), TODAY),
        "petition.date_in_future",
        422,
        "published_on",
    )


def test_citizen_feedback() -> None:
    answered = given(RECEIVED, ASSIGNED, ANSWERED)
    assert decide(answered, GiveFeedback(True), TODAY) == [PetitionFeedbackGiven(satisfied=True)]
    [unhappy] = decide(answered, GiveFeedback(False, "Mới vá tạm, chưa thảm lại mặt đường"), TODAY)
    assert unhappy == PetitionFeedbackGiven(satisfied=False, reason="Mới vá tạm, chưa thảm lại mặt đường")
    assert then(answered, [unhappy]).feedback_satisfied is False
    refused(lambda: decide(answered, GiveFeedback(False), TODAY), "petition.reason_required", 422, "reason")
    refused(
        lambda: decide(given(RECEIVED, ASSIGNED), GiveFeedback(True), TODAY), "petition.not_answered", 409
    )


# -- reopen, close, withdraw ---------------------------------------------------------------


def test_an_unsatisfied_citizen_s_petition_is_reopened_with_a_new_promised_date() -> None:
    state = given(
        VOTERS,
        PetitionAssigned(
            agency_code=AGENCY,
            promised_date=PROMISED,
            statutory=StatutoryTerm(
                clock="voters_petition_answer", start=RECEIVED_ON, due=date(2026, 5, 4), days=60
            ),
        ),
        ANSWERED,
        PUBLISHED,
        PetitionFeedbackGiven(satisfied=False, reason="Chưa thảm lại mặt đường"),
    )
    [event] = decide(
        state, ReopenPetition("Người dân phản ánh chưa khắc phục xong", date(2026, 4, 20)), TODAY
    )
    assert event == PetitionReopened(
        reason="Người dân phản ánh chưa khắc phục xong", promised_date=date(2026, 4, 20), deadline_version=2
    )
    after = then(state, [event])
    assert (after.status, after.agency_code, after.promised_date, after.statutory, after.reopened) == (
        Status.ASSIGNED,
        AGENCY,
        date(2026, 4, 20),
        None,
        1,
    )
    assert (after.published_on, after.feedback_satisfied, after.answer_is_public) == (None, None, False)


def test_a_closed_petition_can_be_reopened_and_goes_back_to_be_assigned_if_it_had_no_agency() -> None:
    explained = given(
        AT_CONFERENCE,
        PetitionDisposedAtConference(conference_id=CONFERENCE, disposition="explained"),
        ANSWERED,
        CLOSED,
    )
    [event] = decide(explained, ReopenPetition("Giám sát của MTTQ: giải thích chưa đúng"), TODAY)
    after = then(explained, [event])
    assert (after.status, after.promised_date, after.deadline_version) == (Status.RECEIVED, None, 0)


def test_reopen_refusals() -> None:
    refused(
        lambda: decide(given(RECEIVED, ASSIGNED), ReopenPetition("Chưa xong việc"), TODAY),
        "petition.not_answered",
        409,
    )
    refused(
        lambda: decide(given(RECEIVED, WITHDRAWN), ReopenPetition("Chưa xong việc"), TODAY),
        "petition.withdrawn",
        409,
    )
    refused(
        lambda: decide(given(RECEIVED, MERGED), ReopenPetition("Chưa xong việc"), TODAY),
        "petition.merged",
        409,
    )
    refused(lambda: decide(given(), ReopenPetition("Chưa xong việc"), TODAY), "petition.not_found", 404)
    answered = given(RECEIVED, ASSIGNED, ANSWERED)
    refused(lambda: decide(answered, ReopenPetition(""), TODAY), "petition.reason_required", 422, "reason")
    refused(
        lambda: decide(answered, ReopenPetition("Chưa xong việc", date(2026, 3, 2)), TODAY),
        "petition.promised_in_past",
        422,
        "promised_date",
    )


def test_a_published_answer_closes_the_petition() -> None:
    state = given(RECEIVED, ASSIGNED, ANSWERED, PUBLISHED, PetitionFeedbackGiven(satisfied=True))
    assert decide(state, ClosePetition(), TODAY) == [PetitionClosed(citizen_satisfied=True)]
    assert then(state, [PetitionClosed()]).status is Status.CLOSED


def test_an_answer_given_at_the_conference_is_already_public() -> None:
    state = given(
        AT_CONFERENCE,
        PetitionDisposedAtConference(conference_id=CONFERENCE, disposition="answered_on_spot"),
        ANSWERED,
    )
    assert decide(state, ClosePetition(), TODAY) == [PetitionClosed()]


def test_an_opinion_only_recorded_can_be_closed_as_it_is() -> None:
    state = given(
        AT_CONFERENCE, PetitionDisposedAtConference(conference_id=CONFERENCE, disposition="recorded_only")
    )
    assert decide(state, ClosePetition("Đã tổng hợp báo cáo"), TODAY) == [
        PetitionClosed(note="Đã tổng hợp báo cáo")
    ]


def test_close_refusals() -> None:
    refused(
        lambda: decide(given(RECEIVED, ASSIGNED, ANSWERED), ClosePetition(), TODAY),
        "petition.answer_not_published",
        409,
    )
    refused(lambda: decide(given(RECEIVED, ASSIGNED), ClosePetition(), TODAY), "petition.not_answered", 409)
    unhappy = given(
        RECEIVED, ASSIGNED, ANSWERED, PUBLISHED, PetitionFeedbackGiven(satisfied=False, reason="Chưa xong")
    )
    refused(lambda: decide(unhappy, ClosePetition(), TODAY), "petition.close_note_required", 422, "note")
    assert decide(unhappy, ClosePetition("Đã trả lời đúng quy định; hướng dẫn khiếu nại lần hai"), TODAY) == [
        PetitionClosed(note="Đã trả lời đúng quy định; hướng dẫn khiếu nại lần hai", citizen_satisfied=False)
    ]
    refused(
        lambda: decide(given(RECEIVED, ANSWERED, PUBLISHED, CLOSED), ClosePetition(), TODAY),
        "petition.closed",
        409,
    )


def test_the_citizen_may_withdraw_an_open_petition() -> None:
    state = given(RECEIVED, ASSIGNED)
    assert decide(state, WithdrawPetition("Hai bên đã tự hòa giải."), TODAY) == [WITHDRAWN]
    after = then(state, [WITHDRAWN])
    assert after.status is Status.WITHDRAWN
    assert decide(after, MarkOverdue(PROMISED_CLOCK, 1), date(2026, 5, 1)) == []


def test_withdrawal_refusals() -> None:
    refused(
        lambda: decide(given(received(citizen_ref=None)), WithdrawPetition("Không cần nữa"), TODAY),
        "petition.anonymous_cannot_withdraw",
        409,
    )
    refused(
        lambda: decide(given(RECEIVED), WithdrawPetition(""), TODAY),
        "petition.reason_required",
        422,
        "reason",
    )
    refused(
        lambda: decide(given(RECEIVED, ANSWERED), WithdrawPetition("Không cần nữa"), TODAY),
        "petition.already_answered",
        409,
    )
    refused(
        lambda: decide(given(RECEIVED, WITHDRAWN), WithdrawPetition("Không cần nữa"), TODAY),
        "petition.withdrawn",
        409,
    )


# -- duplicates ----------------------------------------------------------------------------


def test_a_duplicate_is_merged_into_its_primary_with_its_citizens() -> None:
    duplicate = given(received(cosigner_refs=("citizen-2",)))
    primary = given(received(citizen_ref="citizen-9"), ASSIGNED)
    cmd = MergeAsDuplicate("p-dup", "p-primary", "Cùng phản ánh ổ gà đường Hoàng Hoa Thám")
    [event] = decide(duplicate, cmd, TODAY, primary=primary)
    assert event == PetitionMergedInto(
        primary_petition_id="p-primary",
        reason="Cùng phản ánh ổ gà đường Hoàng Hoa Thám",
        cosigner_refs=("citizen-1", "citizen-2"),
    )
    after = then(duplicate, [event])
    assert (after.status, after.merged_into) == (Status.MERGED, "p-primary")
    refused(lambda: decide(after, AssignPetition(AGENCY, PROMISED), TODAY), "petition.merged", 409)


def test_the_primary_absorbs_the_duplicate_s_citizens_once() -> None:
    primary = given(received(citizen_ref="citizen-9", cosigner_refs=("citizen-2",)), ASSIGNED, ANSWERED)
    cmd = AbsorbDuplicate("p-dup", ("citizen-1", "citizen-2", "citizen-9", "citizen-1"))
    [event] = decide(primary, cmd, TODAY)
    assert event == PetitionAbsorbedDuplicate(duplicate_petition_id="p-dup", cosigner_refs=("citizen-1",))
    after = then(primary, [event])
    assert (after.duplicates, after.cosigner_refs) == (("p-dup",), ("citizen-2", "citizen-1"))
    assert decide(after, cmd, TODAY) == []


@pytest.mark.parametrize(
    ("duplicate", "primary", "primary_id", "code", "status", "field"),
    [
        (RECEIVED, RECEIVED, "p-dup", "petition.merge_into_self", 422, "primary_petition_id"),
        (RECEIVED, None, "p-primary", "petition.not_found", 404, "primary_petition_id"),
        (RECEIVED, MERGED, "p-primary", "petition.primary_merged", 409, "primary_petition_id"),
        (RECEIVED, CLOSED, "p-primary", "petition.primary_ended", 409, "primary_petition_id"),
        (RECEIVED, WITHDRAWN, "p-primary", "petition.primary_ended", 409, "primary_petition_id"),
        (
            DENUNCIATION,
            DENUNCIATION,
            "p-primary",
            "petition.denunciation_cannot_merge",
            422,
            "primary_petition_id",
        ),
        (VOTERS, RECEIVED, "p-primary", "petition.merge_legal_type_mismatch", 422, "primary_petition_id"),
        (
            received(province_code="15"),
            RECEIVED,
            "p-primary",
            "petition.merge_across_provinces",
            422,
            "primary_petition_id",
        ),
        (ANSWERED, RECEIVED, "p-primary", "petition.already_answered", 409, None),
    ],
)
def test_merge_refusals(
    duplicate: DomainEvent,
    primary: DomainEvent | None,
    primary_id: str,
    code: str,
    status: int,
    field: str | None,
) -> None:
    dup_state = given(duplicate) if isinstance(duplicate, PetitionReceived) else given(RECEIVED, duplicate)
    if primary is None:
        primary_state = PetitionState()
    elif isinstance(primary, PetitionReceived):
        primary_state = given(primary)
    else:
        primary_state = given(RECEIVED, ANSWERED, primary) if primary is CLOSED else given(RECEIVED, primary)
    cmd = MergeAsDuplicate("p-dup", primary_id, "Trùng nội dung")
    refused(lambda: decide(dup_state, cmd, TODAY, primary=primary_state), code, status, field)


def test_merge_needs_a_reason_and_the_primary_s_state() -> None:
    refused(
        lambda: decide(given(RECEIVED), MergeAsDuplicate("a", "b", ""), TODAY, primary=given(RECEIVED)),
        "petition.reason_required",
        422,
        "reason",
    )
    with pytest.raises(ValueError, match="primary"):
        decide(given(RECEIVED), MergeAsDuplicate("a", "b", "Trùng nội dung"), TODAY)


def test_a_closed_primary_absorbs_nothing() -> None:
    closed = given(RECEIVED, ANSWERED, PUBLISHED, CLOSED)
    refused(lambda: decide(closed, AbsorbDuplicate("p-dup"), TODAY), "petition.closed", 409)
    refused(
        lambda: decide(given(RECEIVED), AbsorbDuplicate(""), TODAY),
        "petition.duplicate_required",
        422,
        "duplicate_petition_id",
    )


# -- timers: due soon and overdue ----------------------------------------------------------


def test_promised_date_becomes_due_soon_three_working_days_before() -> None:
    state = given(RECEIVED, ASSIGNED)  # promised Wednesday 1 April
    assert (
        decide(state, MarkDueSoon(PROMISED_CLOCK, 1), date(2026, 3, 26)) == []
    )  # 4 working days left: early
    [event] = decide(state, MarkDueSoon(PROMISED_CLOCK, 1), date(2026, 3, 27))
    assert event == PetitionBecameDueSoon(
        which=DeadlineKind.PROMISED, due=PROMISED, working_days_left=3, agency_code=AGENCY, deadline_version=1
    )
    after = then(state, [event])
    assert after.due_soon == {DeadlineKind.PROMISED}
    assert decide(after, MarkDueSoon(PROMISED_CLOCK, 1), date(2026, 3, 30)) == []  # a duplicate firing


def test_promised_date_becomes_overdue_the_day_after() -> None:
    state = given(
        RECEIVED,
        ASSIGNED,
        PetitionBecameDueSoon(which="promised", due=PROMISED, working_days_left=3, deadline_version=1),
    )
    assert decide(state, MarkOverdue(PROMISED_CLOCK, 1), PROMISED) == []  # the due date itself is in time
    [event] = decide(state, MarkOverdue(PROMISED_CLOCK, 1), date(2026, 4, 2))
    assert event == PetitionBecameOverdue(
        which=DeadlineKind.PROMISED, due=PROMISED, agency_code=AGENCY, deadline_version=1
    )
    after = then(state, [event])
    assert (after.overdue, after.due_soon) == ({DeadlineKind.PROMISED}, frozenset())
    assert decide(after, MarkOverdue(PROMISED_CLOCK, 1), date(2026, 4, 3)) == []
    assert decide(after, MarkDueSoon(PROMISED_CLOCK, 1), date(2026, 4, 3)) == []


def test_statutory_and_promised_dates_become_overdue_separately() -> None:
    state = accepted_denunciation()  # promised 30 March, statutory 8 April
    version = state.deadline_version
    assert decide(state, MarkOverdue(STATUTORY_CLOCK, version), date(2026, 4, 1)) == []
    promised = decide(state, MarkOverdue(PROMISED_CLOCK, version), date(2026, 4, 1))
    state = then(state, promised)
    [statutory] = decide(state, MarkOverdue(STATUTORY_CLOCK, version), date(2026, 4, 9))
    assert statutory == PetitionBecameOverdue(
        which=DeadlineKind.STATUTORY,
        due=date(2026, 4, 8),
        agency_code="THANH-TRA-HN",
        deadline_version=version,
    )
    assert then(state, [statutory]).overdue == {DeadlineKind.PROMISED, DeadlineKind.STATUTORY}


def test_a_timer_for_an_earlier_deadline_version_does_nothing() -> None:
    state = given(RECEIVED, ASSIGNED)
    state = then(
        state, decide(state, ExtendDeadline(PROMISED_CLOCK, "Chờ khảo sát", date(2026, 4, 20)), TODAY)
    )
    assert state.deadline_version == 2
    assert decide(state, MarkOverdue(PROMISED_CLOCK, 1), date(2026, 4, 2)) == []  # scheduled for 1 April
    assert decide(state, MarkOverdue(PROMISED_CLOCK, 3), date(2026, 4, 21)) == []  # from no known version
    assert decide(state, MarkOverdue(PROMISED_CLOCK, 2), date(2026, 4, 21)) != []


def test_a_new_deadline_clears_its_own_marks_only() -> None:
    state = given(
        RECEIVED,
        PetitionAssigned(
            agency_code=AGENCY,
            promised_date=PROMISED,
            statutory=StatutoryTerm(
                clock="complaint_acceptance", start=RECEIVED_ON, due=date(2026, 3, 12), days=10
            ),
        ),
        PetitionBecameOverdue(which="statutory", due=date(2026, 3, 12), deadline_version=1),
        PetitionBecameOverdue(which="promised", due=PROMISED, deadline_version=1),
    )
    cmd = ExtendDeadline(PROMISED_CLOCK, "Chờ khảo sát", date(2026, 4, 20))
    after = then(state, decide(state, cmd, date(2026, 4, 3)))
    assert after.overdue == {DeadlineKind.STATUTORY}
    # The statutory mark survives the new version: its timer, fired again, repeats nothing.
    assert decide(after, MarkOverdue(STATUTORY_CLOCK, after.deadline_version), date(2026, 4, 3)) == []


@pytest.mark.parametrize(
    "history",
    [
        (RECEIVED, ASSIGNED, ANSWERED),
        (RECEIVED, ASSIGNED, ANSWERED, PUBLISHED, CLOSED),
        (RECEIVED, ASSIGNED, WITHDRAWN),
        (RECEIVED, ASSIGNED, MERGED),
        (),
    ],
    ids=["answered", "closed", "withdrawn", "merged", "unknown"],
)
def test_timers_do_nothing_once_no_answer_is_owed(history: tuple[DomainEvent, ...]) -> None:
    state = given(*history)
    for which in DeadlineKind:
        assert decide(state, MarkOverdue(which, 1), date(2026, 6, 1)) == []
        assert decide(state, MarkDueSoon(which, 1), date(2026, 3, 30)) == []


def test_timers_without_a_deadline_do_nothing() -> None:
    assert decide(given(RECEIVED), MarkOverdue(PROMISED_CLOCK, 0), date(2026, 6, 1)) == []
    assert decide(given(RECEIVED, ASSIGNED), MarkOverdue(STATUTORY_CLOCK, 1), date(2026, 6, 1)) == []


class CalendarClock:
    """A test clock: due soon within `threshold` calendar days, no statute at all."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold

    def on_receipt(self, legal_type: LegalType, received_on: date) -> StatutoryTerm | None:
        return StatutoryTerm(clock="test", start=received_on, due=received_on + timedelta(days=5), days=5)

    def on_acceptance(self, legal_type: LegalType, accepted_on: date, **_: object) -> StatutoryTerm | None:
        return None

    def extend(self, term: StatutoryTerm) -> StatutoryTerm:
        raise AssertionError("not used")

    def due_state(self, due: date, today: date) -> DueState:
        left = (due - today).days
        return DueState(
            overdue=left < 0, due_soon=0 <= left <= self.threshold, working_days_left=max(left, 0)
        )


def test_the_clock_is_a_parameter() -> None:
    clock = CalendarClock(threshold=10)
    [assigned] = decide(given(RECEIVED), AssignPetition(AGENCY, date(2026, 3, 6)), TODAY, clock=clock)
    assert isinstance(assigned, PetitionAssigned)
    assert assigned.statutory is not None and assigned.statutory.due == date(2026, 3, 7)
    state = then(given(RECEIVED), [assigned])
    assert decide(state, MarkDueSoon(STATUTORY_CLOCK, 1), TODAY, clock=clock) != []
    assert decide(state, MarkDueSoon(STATUTORY_CLOCK, 1), TODAY, clock=STATUTE_CLOCK) != []
    assert decide(given(RECEIVED, ASSIGNED), MarkDueSoon(PROMISED_CLOCK, 1), TODAY, clock=clock) == []


# -- closed accepts only reopening; withdrawn and merged accept nothing --------------------

EVERY_COMMAND: list[PetitionCommand] = [
    DisposeAtConference(Disposition.RECORDED_ONLY),
    AssignPetition("SO-GTVT-HN", date(2026, 4, 10)),
    AcceptPetition(TODAY),
    ExtendDeadline(PROMISED_CLOCK, "Chờ khảo sát", date(2026, 4, 20)),
    ReassignPetition("SO-GTVT-HN", "Đúng thẩm quyền"),
    EscalatePetition(TransferKind.ESCALATION, UnitLevel.PROVINCE, "01", "Vượt thẩm quyền"),
    AnswerPetition(ANSWER, AGENCY),
    PublishAnswer(TODAY, (PublicationChannel.MASS_MEDIA,)),
    GiveFeedback(True),
    ClosePetition("Đã xong"),
    WithdrawPetition("Không còn nhu cầu"),
    MergeAsDuplicate("p-dup", "p-primary", "Trùng nội dung"),
    AbsorbDuplicate("p-other", ("citizen-7",)),
    MarkDueSoon(PROMISED_CLOCK, 1),
    MarkOverdue(PROMISED_CLOCK, 1),
    ReopenPetition("Giám sát phát hiện chưa khắc phục"),
]


@pytest.mark.parametrize(
    ("history", "code"),
    [
        ((AT_CONFERENCE, ASSIGNED, ANSWERED, PUBLISHED, CLOSED), "petition.closed"),
        ((AT_CONFERENCE, ASSIGNED, WITHDRAWN), "petition.withdrawn"),
        ((AT_CONFERENCE, ASSIGNED, MERGED), "petition.merged"),
    ],
    ids=["closed", "withdrawn", "merged"],
)
def test_ended_petitions_refuse_everything_but_reopening_a_closed_one(
    history: tuple[DomainEvent, ...], code: str
) -> None:
    state = given(*history)
    assert {type(cmd) for cmd in EVERY_COMMAND} == set(PetitionCommand.__args__)
    for cmd in EVERY_COMMAND:
        if isinstance(cmd, ReopenPetition) and code == "petition.closed":
            assert [e.type for e in decide(state, cmd, TODAY)] == ["petition.reopened"]
        elif isinstance(cmd, MarkDueSoon | MarkOverdue):
            assert decide(state, cmd, date(2026, 4, 2)) == []
        else:
            refused(lambda cmd=cmd: decide(state, cmd, TODAY, primary=given(RECEIVED)), code, 409)


# -- golden wire samples: the petition stories ---------------------------------------------

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
MODELS = {model.model_fields["type"].default: model for model in PETITION_EVENTS}

BA_DINH = "019cac54476c73a99e1f0b7d22c49e61"  # voters' petition: road repair, Ba Đình (Hà Nội)
BA_DINH_DUPLICATE = "019cb2f4a6c84e0d9b1f3a5c7e9d1b3f"
SA_PA_DENUNCIATION = "019b9a1e3c5d47f0a2b4c6d8e0f1a3b5"
CONFERENCE_OPINION = "019ceb1c3e5a47b9a1c3e5f7b9d1f3a5"  # raised at the Ba Đình dialogue conference
CONFERENCE_EXPLAINED = "019ceb1c3e5a47b9a1c3e5f7b9d1f3a6"
HOTLINE = "019cc0a8e2f44b6d8a0c2e4f6a8b0c2d"


@dataclass(frozen=True)
class Step:
    petition_id: str
    occurred_at: str  # UTC, as on the wire
    actor: tuple[str, str]
    act: PetitionCommand | PetitionReceived
    verb: str  # the HTTP route's last segment, or the timer's name
    primary_id: str | None = None


def _received(path: str) -> PetitionReceived:
    body = json.loads((GOLDEN / path).read_text(encoding="utf-8"))
    return PetitionReceived.model_validate({**body["data"], "type": body["type"]})


def golden_story() -> list[Step]:
    """The steps behind every petition golden sample, in time order across six petitions."""
    denunciation = PetitionReceived(
        code="KN-15-26-9QH4TZ2B",
        province_code="15",
        commune_code="03006",
        channel=Channel.WRITTEN_LETTER,
        legal_type=LegalType.DENUNCIATION,
        field_code="dat-dai",
        content=(
            "Tố cáo cán bộ địa chính phường Sa Pa nhận tiền để hợp thức hóa việc san lấp đất nông nghiệp "
            "xây nhà nghỉ tại tổ dân phố số 5."
        ),
        citizen_ref="a3c5e7f9b1d34f6a8c0e2b4d6f8a0c2e",
    )
    opinion = PetitionReceived(
        code="KN-01-26-C8M2VQ5N",
        province_code="01",
        commune_code="00004",
        channel=Channel.DIALOGUE_CONFERENCE,
        legal_type=LegalType.RECOMMENDATION,
        field_code="dat-dai",
        content=(
            "Các hộ dân ngõ 12 Đội Cấn đề nghị làm rõ phương án bồi thường, hỗ trợ khi mở rộng ngõ; "
            "nhiều hộ chưa được cấp giấy chứng nhận quyền sử dụng đất."
        ),
        citizen_ref="c1e3a5b7d9f14b2c8e0a2c4e6b8d0f1a",
        conference_id=CONFERENCE,
        cosigner_refs=("d2f4b6c8e0a24c3d9f1b3d5f7c9e1a2b", "e3a5c7d9f1b34d4e8a2c4e6a8d0f2b3c"),
    )
    explained = opinion.model_copy(
        update={
            "code": "KN-01-26-C8M2VQ5P",
            "field_code": "chinh-sach-xa-hoi",
            "content": (
                "Cử tri hỏi vì sao gia đình có người hưởng trợ cấp bảo trợ xã hội bị cắt trợ cấp "
                "từ tháng 1/2026."
            ),
            "citizen_ref": "f4b6d8e0a2c44e5f9b3d5f7b9e1a3c4d",
            "cosigner_refs": (),
        }
    )
    duplicate = PetitionReceived(
        code="KN-01-26-D5R7WX3K",
        province_code="01",
        commune_code="00004",
        channel=Channel.VOTER_MEETING,
        legal_type=LegalType.VOTERS_PETITION,
        field_code="giao-thong",
        content="Cử tri tổ dân phố 18 phường Ba Đình phản ánh đường Hoàng Hoa Thám xuống cấp, nhiều ổ gà.",
        citizen_ref="0a2c4e6f8b1d43e5a7c9e1b3d5f7a9c1",
    )
    hotline = PetitionReceived(
        code="KN-01-26-H2J6MN8T",
        province_code="01",
        commune_code="00070",
        channel=Channel.HOTLINE,
        legal_type=LegalType.REFLECTION,
        field_code="moi-truong",
        content="Phản ánh quán karaoke trên phố Hàng Bạc hát đến 1 giờ sáng, ảnh hưởng các hộ xung quanh.",
        citizen_ref="1b3d5f7a9c2e44f6b8d0a2c4e6f8b0d2",
    )
    clerk_sa_pa = ("clerk", "can-bo-tiep-dan-sa-pa-02")
    inspector = ("agency", "thanh-tra-tinh-lao-cai")
    office = ("agency", "van-phong-ubnd-tp-ha-noi")
    ward = ("clerk", "van-phong-ubnd-phuong-ba-dinh-02")
    timer = ("system", "langnghe")
    board = PublicationChannel.HEADQUARTERS_NOTICE_BOARD
    return [
        Step(SA_PA_DENUNCIATION, "2026-01-05T02:30:00Z", clerk_sa_pa, denunciation, "receive"),
        Step(
            SA_PA_DENUNCIATION,
            "2026-01-06T03:00:00Z",
            inspector,
            AssignPetition("THANH-TRA-TINH-LAO-CAI", date(2026, 2, 10), "thanh-tra-vien-0311"),
            "assign",
        ),
        Step(
            SA_PA_DENUNCIATION,
            "2026-01-12T02:10:00Z",
            inspector,
            AcceptPetition(date(2026, 1, 12), decision_number="08/QĐ-TTr"),
            "accept",
        ),
        Step(
            SA_PA_DENUNCIATION,
            "2026-01-20T07:45:00Z",
            inspector,
            ReassignPetition(
                "THANH-TRA-TINH-LAO-CAI",
                "Thanh tra viên được giao trước đây có quan hệ họ hàng với người bị tố cáo.",
                officer_ref="thanh-tra-vien-0517",
            ),
            "reassign",
        ),
        Step(
            SA_PA_DENUNCIATION,
            "2026-02-09T08:20:00Z",
            inspector,
            ExtendDeadline(
                STATUTORY_CLOCK,
                "Vụ việc phức tạp: cần trưng cầu đo đạc hiện trạng và xác minh dòng tiền.",
                decision_number="21/QĐ-TTr",
                decision_date=date(2026, 2, 9),
            ),
            "extend",
        ),
        Step(SA_PA_DENUNCIATION, "2026-02-10T17:00:30Z", timer, MarkOverdue(PROMISED_CLOCK, 3), "overdue"),
        Step(
            BA_DINH,
            "2026-03-02T02:15:30.412000Z",
            ("clerk", "can-bo-tiep-dan-ba-dinh-07"),
            _received("petition.received.v1.json"),
            "receive",
        ),
        Step(
            BA_DINH,
            "2026-03-03T01:40:05Z",
            office,
            AssignPetition(AGENCY, PROMISED, "chuyen-vien-htkt-0412"),
            "assign",
        ),
        Step(
            BA_DINH_DUPLICATE,
            "2026-03-05T09:12:00Z",
            ("clerk", "can-bo-tiep-dan-ba-dinh-07"),
            duplicate,
            "receive",
        ),
        Step(
            BA_DINH_DUPLICATE,
            "2026-03-06T02:00:00Z",
            office,
            MergeAsDuplicate(BA_DINH_DUPLICATE, BA_DINH, "Cùng kiến nghị sửa mặt đường Hoàng Hoa Thám."),
            "merge",
            primary_id=BA_DINH,
        ),
        Step(
            BA_DINH,
            "2026-03-06T02:00:01Z",
            timer,
            AbsorbDuplicate(BA_DINH_DUPLICATE, ("0a2c4e6f8b1d43e5a7c9e1b3d5f7a9c1",)),
            "absorb",
        ),
        Step(HOTLINE, "2026-03-10T14:05:00Z", ("clerk", "tong-dai-1022-ha-noi"), hotline, "receive"),
        Step(
            HOTLINE,
            "2026-03-12T03:30:00Z",
            ("citizen", "1b3d5f7a9c2e44f6b8d0a2c4e6f8b0d2"),
            WithdrawPetition("Quán đã cam kết đóng cửa trước 23 giờ."),
            "withdraw",
        ),
        Step(CONFERENCE_OPINION, "2026-03-14T03:20:00Z", ward, opinion, "receive"),
        Step(CONFERENCE_EXPLAINED, "2026-03-14T03:40:00Z", ward, explained, "receive"),
        Step(
            CONFERENCE_OPINION,
            "2026-03-16T02:00:00Z",
            ward,
            DisposeAtConference(
                Disposition.ESCALATED,
                note="Bồi thường, hỗ trợ khi mở rộng ngõ thuộc thẩm quyền UBND thành phố.",
                to_level=UnitLevel.PROVINCE,
                to_unit_code="01",
            ),
            "dispose",
        ),
        Step(
            CONFERENCE_EXPLAINED,
            "2026-03-16T02:05:00Z",
            ward,
            DisposeAtConference(
                Disposition.EXPLAINED,
                note="Cử tri hiểu chưa đúng điều kiện hưởng trợ cấp.",
                answer_text=(
                    "Trợ cấp được điều chỉnh vì thu nhập bình quân của hộ đã vượt chuẩn cận nghèo theo kết "
                    "quả rà soát cuối năm 2025; gia đình có thể đề nghị rà soát lại tại UBND phường."
                ),
                answering_agency_code="UBND-PHUONG-BA-DINH",
            ),
            "dispose",
        ),
        Step(CONFERENCE_EXPLAINED, "2026-03-20T03:15:00Z", ward, ClosePetition(), "close"),
        Step(BA_DINH, "2026-03-26T17:00:00Z", timer, MarkDueSoon(PROMISED_CLOCK, 1), "due-soon"),
        Step(
            BA_DINH,
            "2026-03-28T08:05:47.120000Z",
            ("agency", "chuyen-vien-htkt-0412"),
            AnswerPetition(
                _answer_text(),
                AGENCY,
                "1254/SXD-HTKT",
                date(2026, 3, 27),
            ),
            "answer",
        ),
        Step(
            BA_DINH,
            "2026-03-30T02:00:00Z",
            ward,
            PublishAnswer(
                date(2026, 3, 30), (PublicationChannel.MASS_MEDIA, board), "Bản tin phường Ba Đình số 13/2026"
            ),
            "publish",
        ),
        Step(
            BA_DINH,
            "2026-04-06T04:30:00Z",
            ("citizen", "5f0d2c8e7a1b4e39b6c2d8a40e7f1c93"),
            GiveFeedback(False, "Mới vá ổ gà, đoạn gần dốc Bưởi vẫn đọng nước khi mưa."),
            "feedback",
        ),
        Step(
            BA_DINH,
            "2026-04-07T02:45:00Z",
            ("mttq", "uy-ban-mttq-phuong-ba-dinh"),
            ReopenPetition("MTTQ phường giám sát: đoạn gần dốc Bưởi chưa được khắc phục.", date(2026, 4, 29)),
            "reopen",
        ),
    ]


def _answer_text() -> str:
    body = json.loads((GOLDEN / "petition.answered.v1.json").read_text(encoding="utf-8"))
    text: str = body["data"]["answer_text"]
    return text


def decided_story() -> list[tuple[Step, list[DomainEvent]]]:
    states: dict[str, PetitionState] = {}
    out = []
    for step in golden_story():
        occurred_at = datetime.fromisoformat(step.occurred_at)
        state = states.get(step.petition_id, PetitionState())
        if isinstance(step.act, PetitionReceived):
            events: list[DomainEvent] = [step.act]
        else:
            primary = states[step.primary_id] if step.primary_id else None
            events = decide(state, step.act, vietnam_date(occurred_at), primary=primary)
        for event in events:
            state = evolve(state, event, occurred_at)
        states[step.petition_id] = state
        out.append((step, events))
    return out


def causation_id(step: Step) -> str:
    """What caused the step: an HTTP command (route and Idempotency-Key), a timer, a reaction."""
    if isinstance(step.act, PetitionReceived):
        return f"petition.received:{step.petition_id}"
    if isinstance(step.act, MarkDueSoon | MarkOverdue):
        return f"timer:{step.petition_id}:{step.verb}:{step.act.which}:v{step.act.deadline_version}"
    if isinstance(step.act, AbsorbDuplicate):
        return f"reaction:absorb-duplicate:{step.act.duplicate_petition_id}"
    key = uuid.uuid5(uuid.NAMESPACE_URL, f"langnghe-golden:{step.petition_id}:{step.verb}:{step.occurred_at}")
    return f"/v1/petitions/{step.petition_id}/{step.verb}:{key}"


def test_every_petition_event_has_a_golden_sample_from_the_stories() -> None:
    stems = sorted(f"{name}.v{model.SCHEMA_VERSION}" for name, model in MODELS.items())
    assert len(stems) == 17
    decided = {event.type for _, events in decided_story() for event in events}
    assert decided == set(MODELS)
    assert [stem for stem in stems if not (GOLDEN / f"{stem}.json").is_file()] == []


@pytest.mark.parametrize("type_name", sorted(MODELS))
def test_golden_sample_is_what_the_domain_decides_in_its_story(type_name: str) -> None:
    body = json.loads((GOLDEN / f"{type_name}.v1.json").read_text(encoding="utf-8"))
    decoded = REGISTRY.decode((GOLDEN / f"{type_name}.v1.json").read_bytes())
    assert isinstance(decoded, Envelope)
    matches = [
        (step, index, event)
        for step, events in decided_story()
        for index, event in enumerate(events)
        if step.petition_id == body["aggregate_id"] and event == decoded.event
    ]
    assert len(matches) == 1, f"{type_name}: the sample is not a decision of its story"
    step, index, _ = matches[0]
    assert decoded.meta.occurred_at == datetime.fromisoformat(step.occurred_at)
    assert (decoded.meta.actor.kind, decoded.meta.actor.ref) == step.actor
    if type_name not in ("petition.received", "petition.assigned", "petition.answered"):
        # The three walking-skeleton samples keep the ids they were first written with.
        assert decoded.meta.causation_id == causation_id(step)
        assert decoded.meta.event_id == event_id_for(causation_id(step), index)


def test_the_stories_end_where_they_should() -> None:
    final: dict[str, PetitionState] = {}
    for step, events in decided_story():
        state = final.get(step.petition_id, PetitionState())
        for event in events:
            state = evolve(state, event, datetime.fromisoformat(step.occurred_at))
        final[step.petition_id] = state
    assert {pid: s.status for pid, s in final.items()} == {
        SA_PA_DENUNCIATION: Status.ASSIGNED,
        BA_DINH: Status.ASSIGNED,
        BA_DINH_DUPLICATE: Status.MERGED,
        HOTLINE: Status.WITHDRAWN,
        CONFERENCE_OPINION: Status.ESCALATED,
        CONFERENCE_EXPLAINED: Status.CLOSED,
    }
    sa_pa = final[SA_PA_DENUNCIATION]
    assert sa_pa.statutory is not None
    assert (sa_pa.statutory.due, sa_pa.statutory.extensions, sa_pa.overdue) == (
        date(2026, 3, 13),
        1,
        {DeadlineKind.PROMISED},
    )
    assert final[BA_DINH].cosigner_refs[-1] == "0a2c4e6f8b1d43e5a7c9e1b3d5f7a9c1"
