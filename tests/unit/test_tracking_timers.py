"""Which timers a petition needs, when they fire, and what a firing asks for; the MTTQ
recommendation opened as a petition; the case inbox row folded from events."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from langnghe.contracts.events.conference import UnitLevel
from langnghe.contracts.events.petition import (
    Channel,
    DeadlineKind,
    LegalType,
    PetitionAnswered,
    PetitionAssigned,
    PetitionBecameDueSoon,
    PetitionBecameOverdue,
    PetitionDeadlineExtended,
    PetitionEscalated,
    PetitionReceived,
    PetitionReopened,
    StatutoryTerm,
    TransferKind,
)
from langnghe.contracts.events.timer import TimerFired, TimerKind
from langnghe.domain.codes import recommendation_petition_id
from langnghe.tracking.domain.petition import MarkDueSoon, MarkOverdue, PetitionState, Status, fold
from langnghe.tracking.domain.recommendation import (
    DEFAULT_RESPONSE,
    OpenRecommendation,
    decide_open_recommendation,
)
from langnghe.tracking.domain.timers import FIRE_AFTER_MIDNIGHT, command_for, first_due_soon_day, timers_for
from langnghe.tracking.projections.case_inbox import evolve_case, opened_case

AT = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
RECEIVED = PetitionReceived(
    code="KN-15-26-AAAAAAAA",
    province_code="15",
    channel=Channel.ONLINE,
    content="Đề nghị sửa đường liên thôn.",
)


def state(*events: object) -> PetitionState:
    return fold((e, AT) for e in (RECEIVED, *events))  # type: ignore[misc]


def assigned(promised: date, version: int = 1, statutory: StatutoryTerm | None = None) -> PetitionAssigned:
    return PetitionAssigned(
        agency_code="UBND-XA", promised_date=promised, statutory=statutory, deadline_version=version
    )


# -- timers ---------------------------------------------------------------------------------


def test_an_unassigned_or_ended_petition_needs_no_timer() -> None:
    assert timers_for(PetitionState()) == []
    assert timers_for(state()) == []
    answered = state(
        assigned(date(2026, 3, 20)),
        PetitionAnswered(answer_text="Đã xử lý xong.", answering_agency_code="UBND-XA"),
    )
    assert answered.status is Status.ANSWERED and timers_for(answered) == []


def test_a_promised_date_gets_a_due_soon_and_an_overdue_timer_at_its_version() -> None:
    due = date(2026, 3, 20)  # a Friday
    timers = timers_for(state(assigned(due)))
    assert [(t.name, t.due, t.deadline_version) for t in timers] == [
        ("promised-due_soon", due, 1),
        ("promised-overdue", due, 1),
    ]
    overdue = timers[1]
    assert overdue.fire_on == date(2026, 3, 21)
    # A minute after midnight in Vietnam (UTC+7) is 17:01 UTC the day before.
    assert overdue.fire_at == datetime(2026, 3, 20, 17, 0, tzinfo=UTC) + FIRE_AFTER_MIDNIGHT


def test_due_soon_fires_on_the_first_day_within_three_working_days() -> None:
    # Friday 20 March 2026: Tuesday 17 has Wed, Thu, Fri left (3 working days); Monday 16 has 4.
    assert first_due_soon_day(date(2026, 3, 20)) == date(2026, 3, 17)
    # Across a weekend: Tuesday 24 March is due; Thursday 19 leaves Fri, Mon, Tue.
    assert first_due_soon_day(date(2026, 3, 24)) == date(2026, 3, 19)


def test_a_statutory_term_gets_its_own_timers_and_recorded_marks_need_none() -> None:
    term = StatutoryTerm(clock="voters_petition", start=date(2026, 3, 2), due=date(2026, 5, 1), days=60)
    s = state(assigned(date(2026, 3, 20), statutory=term))
    assert {t.name for t in timers_for(s)} == {
        "promised-due_soon",
        "promised-overdue",
        "statutory-due_soon",
        "statutory-overdue",
    }
    marked = state(
        assigned(date(2026, 3, 20), statutory=term),
        PetitionBecameDueSoon(
            which=DeadlineKind.PROMISED, due=date(2026, 3, 20), working_days_left=3, deadline_version=1
        ),
    )
    assert "promised-due_soon" not in {t.name for t in timers_for(marked)}
    overdue = state(
        assigned(date(2026, 3, 20), statutory=term),
        PetitionBecameOverdue(which=DeadlineKind.PROMISED, due=date(2026, 3, 20), deadline_version=1),
    )
    assert {t.name for t in timers_for(overdue)} == {"statutory-due_soon", "statutory-overdue"}


def test_moving_the_date_gives_timers_of_the_new_version() -> None:
    s = state(
        assigned(date(2026, 3, 20)),
        PetitionDeadlineExtended(
            which=DeadlineKind.PROMISED,
            previous_due=date(2026, 3, 20),
            new_due=date(2026, 4, 10),
            reason="Chờ khảo sát",
            extensions=1,
            after_due=False,
            deadline_version=2,
        ),
    )
    assert {(t.due, t.deadline_version) for t in timers_for(s)} == {(date(2026, 4, 10), 2)}


def test_a_firing_becomes_the_mark_command_of_its_version() -> None:
    fired = TimerFired(
        province_code="15",
        which=DeadlineKind.STATUTORY,
        kind=TimerKind.OVERDUE,
        due=date(2026, 5, 1),
        deadline_version=4,
    )
    assert command_for(fired) == MarkOverdue(DeadlineKind.STATUTORY, 4)
    soon = fired.model_copy(update={"kind": TimerKind.DUE_SOON})
    assert command_for(soon) == MarkDueSoon(DeadlineKind.STATUTORY, 4)


# -- MTTQ recommendations -------------------------------------------------------------------


def recommendation(response_due: date | None) -> OpenRecommendation:
    return OpenRecommendation(
        petition_id=recommendation_petition_id("gs-1", "kn-1"),
        session_id="gs-1",
        recommendation_id="kn-1",
        province_code="15",
        addressee_agency_code="UBND-XA-SAPA",
        content="Đề nghị công khai kết quả giải quyết kiến nghị sau đối thoại.",
        issued_on=date(2026, 3, 2),
        response_due=response_due,
    )


def test_a_recommendation_opens_an_assigned_petition_from_the_mttq() -> None:
    events = decide_open_recommendation(PetitionState(), recommendation(date(2026, 4, 1)))
    received, assigned_event = events
    assert isinstance(received, PetitionReceived) and isinstance(assigned_event, PetitionAssigned)
    assert (received.channel, received.legal_type, received.received_on) == (
        Channel.MTTQ_REFERRAL,
        LegalType.RECOMMENDATION,
        date(2026, 3, 2),
    )
    assert received.origin_ref == "supervision:gs-1:kn-1" and received.code.startswith("KN-15-26-")
    assert (assigned_event.agency_code, assigned_event.promised_date) == ("UBND-XA-SAPA", date(2026, 4, 1))


def test_without_an_answer_date_the_default_applies_and_opening_twice_does_nothing() -> None:
    events = decide_open_recommendation(PetitionState(), recommendation(None))
    assert events[1].promised_date == date(2026, 3, 2) + timedelta(days=DEFAULT_RESPONSE.days)  # type: ignore[attr-defined]
    opened = fold((e, AT) for e in events)
    assert decide_open_recommendation(opened, recommendation(None)) == []


def test_the_recommendation_petition_id_is_stable() -> None:
    assert recommendation_petition_id("gs-1", "kn-1") == recommendation_petition_id("gs-1", "kn-1")
    assert recommendation_petition_id("gs-1", "kn-1") != recommendation_petition_id("gs-1", "kn-2")
    assert isinstance(recommendation_petition_id("gs-1", "kn-1"), uuid.UUID)


# -- the case inbox row ---------------------------------------------------------------------


def test_the_case_row_follows_deadlines_marks_and_status() -> None:
    row = opened_case("p1", RECEIVED, AT, 1)
    row = evolve_case(row, assigned(date(2026, 3, 20)))
    assert (row["status"], row["promised_date"], row["overdue"]) == ("assigned", date(2026, 3, 20), False)
    row = evolve_case(
        row,
        PetitionBecameDueSoon(
            which=DeadlineKind.PROMISED, due=date(2026, 3, 20), working_days_left=2, deadline_version=1
        ),
    )
    assert (row["due_soon"], row["marks"]) == (True, "promised:due_soon")
    row = evolve_case(
        row, PetitionBecameOverdue(which=DeadlineKind.PROMISED, due=date(2026, 3, 20), deadline_version=1)
    )
    assert (row["overdue"], row["due_soon"], row["marks"]) == (True, False, "promised:overdue")
    extended = evolve_case(
        row,
        PetitionDeadlineExtended(
            which=DeadlineKind.PROMISED,
            previous_due=date(2026, 3, 20),
            new_due=date(2026, 4, 10),
            reason="Chờ khảo sát",
            extensions=1,
            after_due=True,
            deadline_version=2,
        ),
    )
    assert (extended["overdue"], extended["marks"], extended["promised_date"]) == (
        False,
        "",
        date(2026, 4, 10),
    )
    escalated = evolve_case(
        row,
        PetitionEscalated(
            kind=TransferKind.ESCALATION,
            to_level=UnitLevel.PROVINCE,
            to_unit_code="15",
            reason="Vượt thẩm quyền",
            deadline_version=2,
        ),
    )
    assert (
        escalated["status"],
        escalated["agency_code"],
        escalated["handling_unit_code"],
        escalated["overdue"],
    ) == (
        "escalated",
        None,
        "15",
        False,
    )
    answered = evolve_case(row, PetitionAnswered(answer_text="Đã xử lý.", answering_agency_code="UBND-XA"))
    assert (answered["status"], answered["overdue"]) == ("answered", False)
    reopened = evolve_case(
        answered, PetitionReopened(reason="Chưa hài lòng", promised_date=date(2026, 5, 1), deadline_version=3)
    )
    assert (reopened["status"], reopened["promised_date"]) == ("assigned", date(2026, 5, 1))
    assert row["marks"] == "promised:overdue"  # evolve_case never changes its input
