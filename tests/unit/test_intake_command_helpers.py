"""The pure helpers intake's HTTP wiring rests on: aggregate and command ids, the day in
Vietnam, the Art. 43 reminders on a conference, which conferences take opinions, plan periods
in URLs, and how refusals become HTTP errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from langnghe.contracts.envelope import Actor
from langnghe.contracts.events.conference import ConferenceKind, UnitLevel
from langnghe.contracts.events.petition import Channel, PetitionReceived
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.intake.domain.aggregate_ids import CONFERENCE, SUPERVISION, aggregate_id, province_of
from langnghe.intake.domain.conference import ConferenceRuleBroken, ConferenceState, Status
from langnghe.intake.domain.conference_duties import ConferenceDuties, conference_duties
from langnghe.intake.domain.conference_opinions import (
    check_conference_takes_opinion,
    check_petition_for_conference,
)
from langnghe.intake.domain.plan import Period
from langnghe.intake.domain.submission import SubmissionRefused
from langnghe.intake.entrypoints.plans import parse_period
from langnghe.intake.handlers.context import CommandContext
from langnghe.runtime.commands import MAX_COMMAND_ID, command_id
from langnghe.runtime.http import ApiError

TODAY = date(2026, 11, 22)
CONFERENCE_ID = "conf-15-" + "a" * 32

COMMUNE_DIALOGUE = ConferenceState(
    status=Status.SCHEDULED,
    kind=ConferenceKind.DIALOGUE_CONFERENCE,
    level=UnitLevel.COMMUNE,
    province_code="15",
    unit_code="03006",
    original_planned_on=date(2026, 12, 1),
    planned_on=date(2026, 12, 1),
    version=1,
)
HELD = replace(
    COMMUNE_DIALOGUE,
    status=Status.HELD,
    original_planned_on=date(2026, 11, 10),
    planned_on=date(2026, 11, 10),
    held_on=date(2026, 11, 10),
    version=2,
)


# -- ids -----------------------------------------------------------------------------------


def test_the_same_creation_key_gives_the_same_aggregate() -> None:
    first = aggregate_id(CONFERENCE, "15", "key-1")
    assert first == aggregate_id(CONFERENCE, "15", "key-1")
    assert first != aggregate_id(CONFERENCE, "15", "key-2")
    assert first != aggregate_id(CONFERENCE, "01", "key-1")
    assert aggregate_id(SUPERVISION, "15", "key-1").startswith("supv-15-")
    assert first.startswith("conf-15-")
    assert len(first) == len("conf-15-") + 32


def test_an_id_names_its_province() -> None:
    assert province_of(CONFERENCE, aggregate_id(CONFERENCE, "01", "k")) == "01"
    assert province_of(SUPERVISION, aggregate_id(SUPERVISION, "15", "k")) == "15"
    assert province_of(SUPERVISION, aggregate_id(CONFERENCE, "15", "k")) is None
    for other in ("demo-sapa", "conf-1-" + "a" * 32, "conf-15-" + "A" * 32, "conf-15-abc", ""):
        assert province_of(CONFERENCE, other) is None


def test_command_ids_fit_in_a_causation_id() -> None:
    assert command_id("conference.hold", CONFERENCE_ID, "k1") == f"conference.hold:{CONFERENCE_ID}:k1"
    long = command_id("supervision.issue_recommendation", CONFERENCE_ID, "x" * 128)
    assert len(long) <= MAX_COMMAND_ID
    assert long == command_id("supervision.issue_recommendation", CONFERENCE_ID, "x" * 128)
    assert long != command_id("supervision.issue_recommendation", CONFERENCE_ID, "y" * 128)


def test_without_a_key_every_command_is_new() -> None:
    ctx = CommandContext(Actor(kind="clerk", ref="c"), "corr")
    assert ctx.command_id("conference.hold", CONFERENCE_ID) != ctx.command_id(
        "conference.hold", CONFERENCE_ID
    )
    keyed = CommandContext(Actor(kind="clerk", ref="c"), "corr", idempotency_key="k")
    assert keyed.command_id("conference.hold", CONFERENCE_ID) == keyed.command_id(
        "conference.hold", CONFERENCE_ID
    )
    assert keyed.creation_key() == "k"
    assert ctx.creation_key() != ctx.creation_key()


def test_today_is_counted_in_vietnam() -> None:
    assert vietnam_date(datetime(2026, 11, 21, 16, 59, tzinfo=UTC)) == date(2026, 11, 21)
    assert vietnam_date(datetime(2026, 11, 21, 17, 0, tzinfo=UTC)) == date(2026, 11, 22)


# -- Art. 43 reminders ---------------------------------------------------------------------


def test_a_notice_is_overdue_once_it_can_no_longer_be_on_time() -> None:
    on_time = conference_duties(COMMUNE_DIALOGUE, date(2026, 11, 24))
    assert (on_time.applies, on_time.announce_by, on_time.notice_overdue) == (True, date(2026, 11, 24), False)
    late = conference_duties(COMMUNE_DIALOGUE, date(2026, 11, 25))
    assert late.notice_overdue is True
    announced = replace(COMMUNE_DIALOGUE, status=Status.ANNOUNCED, announced_on=date(2026, 11, 25))
    assert conference_duties(announced, date(2026, 11, 28)).notice_overdue is False


def test_results_are_overdue_ten_days_after_the_conference() -> None:
    assert conference_duties(HELD, date(2026, 11, 20)) == ConferenceDuties(
        applies=True, announce_by=date(2026, 11, 3), publish_results_by=date(2026, 11, 20)
    )
    assert conference_duties(HELD, date(2026, 11, 21)).publication_overdue is True
    concluded = replace(HELD, status=Status.CONCLUDED, concluded_on=date(2026, 11, 12))
    assert conference_duties(concluded, date(2026, 11, 21)).publication_overdue is True
    published = replace(concluded, status=Status.RESULTS_PUBLISHED, results_published_on=date(2026, 11, 22))
    assert conference_duties(published, date(2026, 12, 30)).publication_overdue is False


def test_conferences_outside_art43_carry_no_reminders() -> None:
    voter_meeting = replace(COMMUNE_DIALOGUE, kind=ConferenceKind.VOTER_MEETING)
    assert conference_duties(voter_meeting, TODAY) == ConferenceDuties()
    province = replace(COMMUNE_DIALOGUE, level=UnitLevel.PROVINCE)
    assert conference_duties(province, TODAY) == ConferenceDuties()
    before_2025 = replace(COMMUNE_DIALOGUE, planned_on=date(2024, 5, 1))
    assert conference_duties(before_2025, TODAY) == ConferenceDuties()
    assert conference_duties(ConferenceState(), TODAY) == ConferenceDuties()


# -- which conferences take opinions -------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "status", "code"),
    [
        (ConferenceState(), 422, "petition.conference_not_found"),
        (replace(COMMUNE_DIALOGUE, status=Status.CANCELLED), 409, "petition.conference_cancelled"),
        (COMMUNE_DIALOGUE, 409, "petition.conference_not_held"),
        (replace(COMMUNE_DIALOGUE, status=Status.ANNOUNCED), 409, "petition.conference_not_held"),
        (replace(HELD, status=Status.RESULTS_PUBLISHED), 409, "petition.conference_results_published"),
    ],
)
def test_a_petition_may_name_only_a_conference_that_would_link_it(
    state: ConferenceState, status: int, code: str
) -> None:
    with pytest.raises(SubmissionRefused) as caught:
        check_conference_takes_opinion(state, CONFERENCE_ID, "p1", TODAY)
    assert (caught.value.status, caught.value.code, caught.value.field) == (status, code, "conference_id")
    assert CONFERENCE_ID in caught.value.message


def test_held_and_concluded_conferences_take_opinions() -> None:
    check_conference_takes_opinion(HELD, CONFERENCE_ID, "p1", TODAY)
    check_conference_takes_opinion(replace(HELD, status=Status.CONCLUDED), CONFERENCE_ID, "p1", TODAY)
    # A retried submission whose petition is already counted is fine even after publication.
    published = replace(HELD, status=Status.RESULTS_PUBLISHED, opinions=("p1",))
    check_conference_takes_opinion(published, CONFERENCE_ID, "p1", TODAY)


def _petition(province: str = "15", conference_id: str | None = None) -> PetitionReceived:
    return PetitionReceived(
        code="KN-15-26-AAAAAAAA",
        province_code=province,
        channel=Channel.DIALOGUE_CONFERENCE,
        content="Đề nghị sửa đường.",
        conference_id=conference_id,
    )


def test_a_petition_linked_by_hand_must_be_of_the_province_and_of_no_other_conference() -> None:
    check_petition_for_conference(_petition(), HELD, CONFERENCE_ID)
    check_petition_for_conference(_petition(conference_id=CONFERENCE_ID), HELD, CONFERENCE_ID)
    for petition, status, code in (
        (None, 422, "conference.petition_not_found"),
        (_petition(province="01"), 422, "conference.petition_outside_province"),
        (_petition(conference_id="conf-15-" + "b" * 32), 409, "conference.petition_of_other_conference"),
    ):
        with pytest.raises(ConferenceRuleBroken) as caught:
            check_petition_for_conference(petition, HELD, CONFERENCE_ID)
        assert (caught.value.status, caught.value.code, caught.value.field) == (status, code, "petition_id")


# -- URLs and errors -----------------------------------------------------------------------


def test_plan_periods_are_a_year_or_a_quarter() -> None:
    assert parse_period("2026") == Period(2026)
    assert parse_period("2026-Q3") == parse_period("2026-q3") == Period(2026, 3)
    for bad in ("2026-Q0", "2026-Q5", "26", "1999", "2101", "2026Q1", "2026-"):
        with pytest.raises(ApiError) as caught:
            parse_period(bad)
        assert (caught.value.status, caught.value.detail.code, caught.value.detail.field) == (
            422,
            "conference.plan_period_invalid",
            "period",
        )
