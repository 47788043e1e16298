"""Conferences, conference plans and MTTQ supervision sessions, given/when/then: given past
events, when a command is decided, then these events (or this refusal). Also the golden wire
samples of their events."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langnghe.contracts.codec import Envelope, EventRegistry
from langnghe.contracts.envelope import AggregateType
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import (
    CONFERENCE_EVENTS,
    AttendanceMode,
    Chair,
    ChairRole,
    ConferenceAnnounced,
    ConferenceCancelled,
    ConferenceConcluded,
    ConferenceHeld,
    ConferenceKind,
    ConferenceOpinionLinked,
    ConferencePlanSet,
    ConferencePostponed,
    ConferenceResultsPublished,
    ConferenceScheduled,
    ConvocationReason,
    PlannedConferences,
    PublicationChannel,
    SupervisionFindingsRecorded,
    SupervisionHeld,
    SupervisionPlanned,
    SupervisionRecommendationIssued,
    UnitLevel,
)
from langnghe.domain.codes import recommendation_petition_id
from langnghe.intake.domain import conference as conf
from langnghe.intake.domain import conference_decisions as decisions
from langnghe.intake.domain import plan as plans
from langnghe.intake.domain import plan_progress as progress_of
from langnghe.intake.domain import supervision as sup
from langnghe.intake.domain import supervision_decisions as sup_decisions
from langnghe.intake.domain.conference import (
    AnnounceConference,
    CancelConference,
    ConcludeConference,
    ConferenceCommand,
    ConferenceRuleBroken,
    ConferenceState,
    HoldConference,
    LinkOpinion,
    PostponeConference,
    PublishResults,
    ScheduleConference,
    Status,
)
from langnghe.intake.domain.plan import Period, SetConferencePlan
from langnghe.intake.domain.plan_progress import PlanProgress
from langnghe.intake.domain.supervision import (
    HoldSupervision,
    IssueRecommendation,
    PlanSupervision,
    RecordFindings,
    SupervisionRuleBroken,
    SupervisionState,
)

TODAY = date(2026, 3, 2)
PLANNED = date(2026, 3, 14)
ANNOUNCED_ON = date(2026, 3, 4)
CONCLUDED_ON = date(2026, 3, 18)
CHAIRS = (
    Chair(ref="chu-tich-ubnd-phuong-ba-dinh", role=ChairRole.GOVERNMENT_HEAD),
    Chair(ref="pho-chu-tich-hdnd-phuong-ba-dinh", role=ChairRole.PEOPLES_COUNCIL),
)
PLACE = "Hội trường UBND phường Ba Đình"
CONCLUSION = "Giao Tổ quản lý trật tự đô thị phường xử lý dứt điểm việc lấn chiếm vỉa hè phố Đội Cấn."
BOARD = (PublicationChannel.HEADQUARTERS_NOTICE_BOARD, PublicationChannel.VILLAGE_HEADS)

SCHEDULE = ScheduleConference(
    kind=ConferenceKind.DIALOGUE_CONFERENCE,
    level=UnitLevel.COMMUNE,
    province_code="01",
    unit_code="00004",
    chairs=CHAIRS,
    planned_on=PLANNED,
    mttq_co_organiser_ref="mttq-phuong-ba-dinh",
    place=PLACE,
)
SCHEDULED = ConferenceScheduled(
    kind=ConferenceKind.DIALOGUE_CONFERENCE,
    level=UnitLevel.COMMUNE,
    province_code="01",
    unit_code="00004",
    chairs=CHAIRS,
    mttq_co_organiser_ref="mttq-phuong-ba-dinh",
    planned_on=PLANNED,
    place=PLACE,
)
ANNOUNCED = ConferenceAnnounced(
    announced_on=ANNOUNCED_ON, planned_on=PLANNED, notice_days=10, late_notice=False, channels=BOARD
)
HELD = ConferenceHeld(held_on=PLANNED, attendance=137)
LINKED = ConferenceOpinionLinked(petition_id="p-1")
CONCLUDED = ConferenceConcluded(
    conclusion_number="45/TB-UBND",
    conclusion_date=CONCLUDED_ON,
    text=CONCLUSION,
    distribution=("mttq-phuong-ba-dinh", "SO-XAY-DUNG-HN"),
)
PUBLISHED = ConferenceResultsPublished(
    published_on=date(2026, 3, 20), channels=BOARD, days_after_held=6, late_publication=False
)
POSTPONED = ConferencePostponed(
    previous_date=PLANNED, new_date=date(2026, 3, 21), reason="Trùng lịch tiếp xúc cử tri."
)
CANCELLED = ConferenceCancelled(reason="Nội dung đã được giải quyết ở cấp thành phố.")


class ConferenceRenamed(DomainEvent):
    """An event type this version does not act on."""

    type: str = "conference.renamed"


def at(day: date, hour: int = 3) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def given_events(*events: DomainEvent) -> ConferenceState:
    return conf.fold((event, at(TODAY)) for event in events)


def refused(decide: Callable[[], object]) -> ConferenceRuleBroken:
    with pytest.raises(ConferenceRuleBroken) as caught:
        decide()
    return caught.value


def refusal(error: ConferenceRuleBroken | SupervisionRuleBroken) -> tuple[str, str | None, int]:
    return error.code, error.field, error.status


# -- fold ----------------------------------------------------------------------------------


def test_nothing_happened_yet() -> None:
    state = given_events()
    assert state == ConferenceState()
    assert not state.exists
    assert not state.is_held


def test_scheduled_conference_remembers_what_the_rules_need() -> None:
    state = given_events(SCHEDULED)
    assert state == ConferenceState(
        status=Status.SCHEDULED,
        kind=ConferenceKind.DIALOGUE_CONFERENCE,
        level=UnitLevel.COMMUNE,
        province_code="01",
        unit_code="00004",
        chair_roles=frozenset({ChairRole.GOVERNMENT_HEAD, ChairRole.PEOPLES_COUNCIL}),
        has_mttq_co_organiser=True,
        original_planned_on=PLANNED,
        planned_on=PLANNED,
        version=1,
    )


def test_postponement_voids_the_notice_and_keeps_the_first_date() -> None:
    state = given_events(SCHEDULED, ANNOUNCED, POSTPONED)
    assert state.status is Status.SCHEDULED
    assert (state.original_planned_on, state.planned_on) == (PLANNED, date(2026, 3, 21))
    assert (state.announced_on, state.late_notice, state.postponements) == (None, False, 1)


def test_a_full_life_ends_with_results_published() -> None:
    state = given_events(SCHEDULED, ANNOUNCED, HELD, LINKED, CONCLUDED, PUBLISHED)
    assert state.status is Status.RESULTS_PUBLISHED
    assert (state.held_on, state.attendance, state.opinions) == (PLANNED, 137, ("p-1",))
    assert (state.concluded_on, state.results_published_on) == (CONCLUDED_ON, date(2026, 3, 20))
    assert state.is_held
    assert state.version == 6


def test_the_same_opinion_linked_twice_is_kept_once() -> None:
    assert given_events(SCHEDULED, HELD, LINKED, LINKED).opinions == ("p-1",)


def test_cancelled_conference_is_cancelled() -> None:
    assert given_events(SCHEDULED, CANCELLED).status is Status.CANCELLED


def test_version_increments_by_one_per_event_including_unknown_types() -> None:
    events: list[DomainEvent] = [SCHEDULED, ConferenceRenamed(), ANNOUNCED, ConferenceRenamed(), HELD]
    state = ConferenceState()
    for n, event in enumerate(events, start=1):
        state = conf.evolve(state, event, at(TODAY))
        assert state.version == n
    assert state.status is Status.HELD


# -- schedule ------------------------------------------------------------------------------


def test_commune_dialogue_co_organised_with_the_mttq_is_scheduled() -> None:
    assert decisions.decide_schedule(given_events(), SCHEDULE, TODAY) == [SCHEDULED]


def test_scheduling_drops_duplicate_chairs_and_a_blank_topic() -> None:
    # Text arrives cleaned (NFC, stripped) from the request model: a blank topic as "".
    cmd = replace(SCHEDULE, chairs=(*CHAIRS, CHAIRS[0]), topic="")
    [event] = decisions.decide_schedule(given_events(), cmd, TODAY)
    assert event == SCHEDULED


def test_conference_may_be_planned_for_today() -> None:
    [event] = decisions.decide_schedule(given_events(), replace(SCHEDULE, planned_on=TODAY), TODAY)
    assert isinstance(event, ConferenceScheduled)
    assert event.planned_on == TODAY


def test_online_conference_needs_no_place() -> None:
    cmd = replace(SCHEDULE, attendance_mode=AttendanceMode.ONLINE, place=None)
    [event] = decisions.decide_schedule(given_events(), cmd, TODAY)
    assert isinstance(event, ConferenceScheduled)
    assert (event.attendance_mode, event.place) == (AttendanceMode.ONLINE, None)


@pytest.mark.parametrize(
    ("cmd", "expected"),
    [
        (replace(SCHEDULE, chairs=()), ("conference.chair_required", "chairs", 422)),
        (replace(SCHEDULE, unit_code=""), ("conference.unit_required", "unit_code", 422)),
        (
            replace(SCHEDULE, planned_on=TODAY - timedelta(days=1)),
            ("conference.planned_in_past", "planned_on", 422),
        ),
        (replace(SCHEDULE, place=None), ("conference.place_required", "place", 422)),
        (
            replace(SCHEDULE, attendance_mode=AttendanceMode.HYBRID, place=""),
            ("conference.place_required", "place", 422),
        ),
        (
            replace(SCHEDULE, mttq_co_organiser_ref=None),
            ("conference.mttq_co_organiser_required", "mttq_co_organiser_ref", 422),
        ),
        (
            replace(SCHEDULE, mttq_co_organiser_ref=""),
            ("conference.mttq_co_organiser_required", "mttq_co_organiser_ref", 422),
        ),
        (
            replace(SCHEDULE, level=UnitLevel.DISTRICT),
            ("conference.district_level_abolished", "level", 422),
        ),
    ],
    ids=[
        "no-chair",
        "no-unit",
        "in-the-past",
        "no-place",
        "blank-place",
        "no-mttq",
        "blank-mttq",
        "district-after-2025",
    ],
)
def test_invalid_schedule_is_refused(cmd: ScheduleConference, expected: tuple[str, str, int]) -> None:
    error = refused(lambda: decisions.decide_schedule(given_events(), cmd, TODAY))
    assert refusal(error) == expected
    assert error.message and unicodedata.is_normalized("NFC", error.message)


def test_commune_dialogue_needs_the_mttq_and_says_so_in_vietnamese() -> None:
    error = refused(
        lambda: decisions.decide_schedule(
            given_events(), replace(SCHEDULE, mttq_co_organiser_ref=None), TODAY
        )
    )
    assert "Ủy ban MTTQ Việt Nam cấp xã" in error.message


@pytest.mark.parametrize(
    "cmd",
    [
        replace(SCHEDULE, mttq_co_organiser_ref=None, level=UnitLevel.PROVINCE, unit_code="01"),
        replace(SCHEDULE, mttq_co_organiser_ref=None, kind=ConferenceKind.VOTER_MEETING),
        replace(SCHEDULE, mttq_co_organiser_ref=None, kind=ConferenceKind.CITIZEN_RECEPTION),
    ],
    ids=["province-dialogue", "commune-voter-meeting", "commune-citizen-reception"],
)
def test_only_commune_dialogues_need_the_mttq_co_organiser(cmd: ScheduleConference) -> None:
    [event] = decisions.decide_schedule(given_events(), cmd, TODAY)
    assert isinstance(event, ConferenceScheduled)
    assert event.mttq_co_organiser_ref is None


def test_records_before_two_level_government_keep_the_district_and_need_no_mttq() -> None:
    day = date(2022, 5, 10)
    cmd = replace(SCHEDULE, level=UnitLevel.DISTRICT, unit_code="088", planned_on=day)
    assert decisions.decide_schedule(given_events(), cmd, day) != []
    commune_2022 = replace(SCHEDULE, mttq_co_organiser_ref=None, planned_on=day)
    assert decisions.decide_schedule(given_events(), commune_2022, day) != []


def test_scheduling_twice_is_a_conflict() -> None:
    error = refused(lambda: decisions.decide_schedule(given_events(SCHEDULED), SCHEDULE, TODAY))
    assert refusal(error) == ("conference.already_scheduled", None, 409)


# -- announce ------------------------------------------------------------------------------


def test_announcement_ten_days_ahead_is_on_time() -> None:
    cmd = AnnounceConference(ANNOUNCED_ON, channels=(*BOARD, BOARD[0]))
    assert decisions.decide_announce(given_events(SCHEDULED), cmd, ANNOUNCED_ON) == [ANNOUNCED]


@pytest.mark.parametrize(
    ("days_before", "late"),
    [(30, False), (7, False), (6, True), (1, True), (0, True)],
)
def test_commune_dialogue_announced_less_than_seven_days_ahead_is_flagged(
    days_before: int, late: bool
) -> None:
    announced_on = PLANNED - timedelta(days=days_before)
    [event] = decisions.decide_announce(
        given_events(SCHEDULED), AnnounceConference(announced_on), announced_on
    )
    assert isinstance(event, ConferenceAnnounced)
    assert (event.notice_days, event.late_notice) == (days_before, late)


def test_short_notice_is_not_flagged_where_article_43_does_not_apply() -> None:
    province = SCHEDULED.model_copy(update={"level": UnitLevel.PROVINCE, "unit_code": "01"})
    old_commune = SCHEDULED.model_copy(update={"planned_on": date(2024, 6, 10)})
    for scheduled, day in ((province, PLANNED), (old_commune, date(2024, 6, 10))):
        [event] = decisions.decide_announce(given_events(scheduled), AnnounceConference(day), day)
        assert isinstance(event, ConferenceAnnounced)
        assert (event.notice_days, event.late_notice) == (0, False)


def test_announcing_again_changes_nothing() -> None:
    assert (
        decisions.decide_announce(given_events(SCHEDULED, ANNOUNCED), AnnounceConference(TODAY), TODAY) == []
    )


def test_postponed_conference_is_announced_again_for_its_new_date() -> None:
    state = given_events(SCHEDULED, ANNOUNCED, POSTPONED)
    [event] = decisions.decide_announce(state, AnnounceConference(date(2026, 3, 16)), date(2026, 3, 16))
    assert event == ConferenceAnnounced(
        announced_on=date(2026, 3, 16), planned_on=date(2026, 3, 21), notice_days=5, late_notice=True
    )


@pytest.mark.parametrize(
    ("events", "announced_on", "today", "expected"),
    [
        ((), TODAY, TODAY, ("conference.not_found", None, 404)),
        ((SCHEDULED, CANCELLED), TODAY, TODAY, ("conference.cancelled", None, 409)),
        ((SCHEDULED, HELD), TODAY, PLANNED, ("conference.already_held", None, 409)),
        (
            (SCHEDULED,),
            TODAY + timedelta(days=1),
            TODAY,
            ("conference.announced_in_future", "announced_on", 422),
        ),
        (
            (SCHEDULED,),
            PLANNED + timedelta(days=1),
            PLANNED + timedelta(days=1),
            ("conference.announced_after_date", "announced_on", 422),
        ),
    ],
    ids=["unknown", "cancelled", "held", "in-the-future", "after-the-date"],
)
def test_invalid_announcement_is_refused(
    events: tuple[DomainEvent, ...], announced_on: date, today: date, expected: tuple[str, str | None, int]
) -> None:
    error = refused(
        lambda: decisions.decide_announce(given_events(*events), AnnounceConference(announced_on), today)
    )
    assert refusal(error) == expected


# -- postpone ------------------------------------------------------------------------------


@pytest.mark.parametrize("events", [(SCHEDULED,), (SCHEDULED, ANNOUNCED)], ids=["scheduled", "announced"])
def test_conference_not_yet_held_can_be_postponed(events: tuple[DomainEvent, ...]) -> None:
    cmd = PostponeConference(date(2026, 3, 21), "Trùng lịch tiếp xúc cử tri.")
    assert decisions.decide_postpone(given_events(*events), cmd, TODAY) == [POSTPONED]


def test_postponed_conference_can_be_postponed_again() -> None:
    state = given_events(SCHEDULED, POSTPONED)
    [event] = decisions.decide_postpone(state, PostponeConference(date(2026, 4, 4), "Mưa bão lớn."), TODAY)
    assert event == ConferencePostponed(
        previous_date=date(2026, 3, 21), new_date=date(2026, 4, 4), reason="Mưa bão lớn."
    )


@pytest.mark.parametrize(
    ("events", "cmd", "expected"),
    [
        ((), PostponeConference(date(2026, 4, 1), "Mưa bão lớn."), ("conference.not_found", None, 404)),
        (
            (SCHEDULED, CANCELLED),
            PostponeConference(date(2026, 4, 1), "Mưa bão lớn."),
            ("conference.cancelled", None, 409),
        ),
        (
            (SCHEDULED, HELD),
            PostponeConference(date(2026, 4, 1), "Mưa bão lớn."),
            ("conference.already_held", None, 409),
        ),
        (
            (SCHEDULED,),
            PostponeConference(TODAY, "Mưa bão lớn."),
            ("conference.postponed_to_past", "new_date", 422),
        ),
        (
            (SCHEDULED,),
            PostponeConference(TODAY - timedelta(days=3), "Mưa bão lớn."),
            ("conference.postponed_to_past", "new_date", 422),
        ),
        (
            (SCHEDULED,),
            PostponeConference(PLANNED, "Mưa bão lớn."),
            ("conference.postponed_to_same_date", "new_date", 422),
        ),
        (
            (SCHEDULED,),
            PostponeConference(date(2026, 4, 1), "bão"),
            ("conference.reason_required", "reason", 422),
        ),
    ],
    ids=["unknown", "cancelled", "held", "to-today", "to-the-past", "same-date", "no-reason"],
)
def test_invalid_postponement_is_refused(
    events: tuple[DomainEvent, ...], cmd: PostponeConference, expected: tuple[str, str | None, int]
) -> None:
    assert refusal(refused(lambda: decisions.decide_postpone(given_events(*events), cmd, TODAY))) == expected


def test_a_district_conference_cannot_be_postponed_past_the_abolition_of_districts() -> None:
    scheduled = SCHEDULED.model_copy(update={"level": UnitLevel.DISTRICT, "planned_on": date(2025, 6, 20)})
    cmd = PostponeConference(date(2025, 7, 3), "Chờ sắp xếp đơn vị hành chính.")
    error = refused(lambda: decisions.decide_postpone(given_events(scheduled), cmd, date(2025, 6, 15)))
    assert refusal(error) == ("conference.district_level_abolished", "new_date", 422)


def test_a_commune_dialogue_postponed_into_article_43_needs_the_mttq() -> None:
    scheduled = SCHEDULED.model_copy(update={"mttq_co_organiser_ref": None, "planned_on": date(2025, 6, 20)})
    cmd = PostponeConference(date(2025, 7, 3), "Chờ sắp xếp đơn vị hành chính.")
    error = refused(lambda: decisions.decide_postpone(given_events(scheduled), cmd, date(2025, 6, 15)))
    assert refusal(error) == ("conference.mttq_co_organiser_required", "mttq_co_organiser_ref", 422)


# -- cancel --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "events",
    [(SCHEDULED,), (SCHEDULED, ANNOUNCED), (SCHEDULED, POSTPONED)],
    ids=["scheduled", "announced", "postponed"],
)
def test_conference_not_yet_held_can_be_cancelled(events: tuple[DomainEvent, ...]) -> None:
    cmd = CancelConference("Nội dung đã được giải quyết ở cấp thành phố.")
    assert decisions.decide_cancel(given_events(*events), cmd, TODAY) == [CANCELLED]


def test_cancelling_twice_changes_nothing() -> None:
    assert (
        decisions.decide_cancel(
            given_events(SCHEDULED, CANCELLED), CancelConference("Lý do khác hẳn."), TODAY
        )
        == []
    )


@pytest.mark.parametrize(
    ("events", "reason", "expected"),
    [
        ((), "Lý do đầy đủ.", ("conference.not_found", None, 404)),
        ((SCHEDULED, HELD), "Lý do đầy đủ.", ("conference.already_held", None, 409)),
        ((SCHEDULED, HELD, CONCLUDED), "Lý do đầy đủ.", ("conference.already_held", None, 409)),
        ((SCHEDULED,), "hủy", ("conference.reason_required", "reason", 422)),
    ],
    ids=["unknown", "held", "concluded", "no-reason"],
)
def test_invalid_cancellation_is_refused(
    events: tuple[DomainEvent, ...], reason: str, expected: tuple[str, str | None, int]
) -> None:
    assert (
        refusal(
            refused(lambda: decisions.decide_cancel(given_events(*events), CancelConference(reason), TODAY))
        )
        == expected
    )


# -- hold ----------------------------------------------------------------------------------


@pytest.mark.parametrize("events", [(SCHEDULED,), (SCHEDULED, ANNOUNCED)], ids=["scheduled", "announced"])
def test_conference_is_held(events: tuple[DomainEvent, ...]) -> None:
    cmd = HoldConference(PLANNED, 137)
    assert decisions.decide_hold(given_events(*events), cmd, PLANNED) == [HELD]


def test_held_conference_records_organisations_once_and_its_minutes() -> None:
    cmd = HoldConference(
        PLANNED,
        0,
        organisations_present=("mttq-phuong-ba-dinh", "mttq-phuong-ba-dinh", ""),
        minutes_ref="bb-1",
    )
    assert decisions.decide_hold(given_events(SCHEDULED), cmd, PLANNED) == [
        ConferenceHeld(
            held_on=PLANNED, attendance=0, organisations_present=("mttq-phuong-ba-dinh",), minutes_ref="bb-1"
        )
    ]


@pytest.mark.parametrize(
    ("events", "cmd", "expected"),
    [
        ((), HoldConference(PLANNED, 100), ("conference.not_found", None, 404)),
        ((SCHEDULED, CANCELLED), HoldConference(PLANNED, 100), ("conference.cancelled", None, 409)),
        ((SCHEDULED, HELD), HoldConference(PLANNED, 100), ("conference.already_held", None, 409)),
        ((SCHEDULED, HELD, CONCLUDED), HoldConference(PLANNED, 100), ("conference.already_held", None, 409)),
        ((SCHEDULED,), HoldConference(PLANNED, -1), ("conference.attendance_negative", "attendance", 422)),
        (
            (SCHEDULED,),
            HoldConference(PLANNED + timedelta(days=1), 100),
            ("conference.held_in_future", "held_on", 422),
        ),
        (
            (SCHEDULED, ANNOUNCED),
            HoldConference(ANNOUNCED_ON - timedelta(days=1), 100),
            ("conference.held_before_announcement", "held_on", 422),
        ),
    ],
    ids=[
        "unknown",
        "cancelled",
        "held-twice",
        "concluded",
        "negative",
        "in-the-future",
        "before-announcement",
    ],
)
def test_invalid_holding_is_refused(
    events: tuple[DomainEvent, ...], cmd: HoldConference, expected: tuple[str, str | None, int]
) -> None:
    assert refusal(refused(lambda: decisions.decide_hold(given_events(*events), cmd, PLANNED))) == expected


def test_a_cancelled_conference_cannot_be_held_and_the_clerk_is_told_why() -> None:
    error = refused(
        lambda: decisions.decide_hold(given_events(SCHEDULED, CANCELLED), HoldConference(PLANNED, 9), PLANNED)
    )
    assert error.message == "Hội nghị đã bị hủy; không thể thay đổi nữa."


# -- link opinions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "events", [(SCHEDULED, HELD), (SCHEDULED, HELD, CONCLUDED)], ids=["held", "concluded"]
)
def test_opinion_raised_at_a_held_conference_is_linked(events: tuple[DomainEvent, ...]) -> None:
    assert decisions.decide_link_opinion(given_events(*events), LinkOpinion("p-1"), PLANNED) == [LINKED]


def test_linking_the_same_opinion_again_changes_nothing() -> None:
    assert (
        decisions.decide_link_opinion(given_events(SCHEDULED, HELD, LINKED), LinkOpinion("p-1"), PLANNED)
        == []
    )
    published = given_events(SCHEDULED, HELD, LINKED, CONCLUDED, PUBLISHED)
    assert decisions.decide_link_opinion(published, LinkOpinion("p-1"), PLANNED) == []


@pytest.mark.parametrize(
    ("events", "petition_id", "expected"),
    [
        ((), "p-1", ("conference.not_found", None, 404)),
        ((SCHEDULED,), "p-1", ("conference.not_held", None, 409)),
        ((SCHEDULED, ANNOUNCED), "p-1", ("conference.not_held", None, 409)),
        ((SCHEDULED, CANCELLED), "p-1", ("conference.cancelled", None, 409)),
        ((SCHEDULED, HELD, CONCLUDED, PUBLISHED), "p-2", ("conference.results_already_published", None, 409)),
        ((SCHEDULED, HELD), "", ("conference.petition_required", "petition_id", 422)),
    ],
    ids=["unknown", "scheduled", "announced", "cancelled", "published", "blank"],
)
def test_invalid_link_is_refused(
    events: tuple[DomainEvent, ...], petition_id: str, expected: tuple[str, str | None, int]
) -> None:
    error = refused(
        lambda: decisions.decide_link_opinion(given_events(*events), LinkOpinion(petition_id), PLANNED)
    )
    assert refusal(error) == expected


# -- conclude ------------------------------------------------------------------------------

CONCLUDE = ConcludeConference(
    "45/TB-UBND", CONCLUDED_ON, CONCLUSION, ("mttq-phuong-ba-dinh", "SO-XAY-DUNG-HN")
)


def test_held_conference_is_concluded_in_writing() -> None:
    assert decisions.decide_conclude(given_events(SCHEDULED, HELD, LINKED), CONCLUDE, CONCLUDED_ON) == [
        CONCLUDED
    ]


def test_conclusion_recipients_are_kept_once() -> None:
    cmd = replace(CONCLUDE, distribution=("mttq-phuong-ba-dinh", "SO-XAY-DUNG-HN", "mttq-phuong-ba-dinh", ""))
    assert decisions.decide_conclude(given_events(SCHEDULED, HELD), cmd, CONCLUDED_ON) == [CONCLUDED]


def test_conclusion_may_be_issued_on_the_day_of_the_conference() -> None:
    assert decisions.decide_conclude(
        given_events(SCHEDULED, HELD), replace(CONCLUDE, conclusion_date=PLANNED), PLANNED
    )


@pytest.mark.parametrize(
    ("events", "cmd", "expected"),
    [
        ((), CONCLUDE, ("conference.not_found", None, 404)),
        ((SCHEDULED,), CONCLUDE, ("conference.not_held", None, 409)),
        ((SCHEDULED, ANNOUNCED), CONCLUDE, ("conference.not_held", None, 409)),
        ((SCHEDULED, CANCELLED), CONCLUDE, ("conference.cancelled", None, 409)),
        ((SCHEDULED, HELD, CONCLUDED), CONCLUDE, ("conference.already_concluded", None, 409)),
        ((SCHEDULED, HELD, CONCLUDED, PUBLISHED), CONCLUDE, ("conference.already_concluded", None, 409)),
        (
            (SCHEDULED, HELD),
            replace(CONCLUDE, conclusion_number=""),
            ("conference.conclusion_number_required", "conclusion_number", 422),
        ),
        (
            (SCHEDULED, HELD),
            replace(CONCLUDE, conclusion_date=PLANNED - timedelta(days=1)),
            ("conference.conclusion_before_holding", "conclusion_date", 422),
        ),
        (
            (SCHEDULED, HELD),
            replace(CONCLUDE, conclusion_date=CONCLUDED_ON + timedelta(days=1)),
            ("conference.conclusion_in_future", "conclusion_date", 422),
        ),
        (
            (SCHEDULED, HELD),
            replace(CONCLUDE, text="Đã ghi nhận."),
            ("conference.conclusion_too_short", "text", 422),
        ),
        (
            (SCHEDULED, HELD),
            replace(CONCLUDE, distribution=("",)),
            ("conference.distribution_required", "distribution", 422),
        ),
    ],
    ids=[
        "unknown",
        "scheduled",
        "announced",
        "cancelled",
        "twice",
        "published",
        "no-number",
        "before-holding",
        "in-the-future",
        "too-short",
        "no-recipient",
    ],
)
def test_invalid_conclusion_is_refused(
    events: tuple[DomainEvent, ...], cmd: ConcludeConference, expected: tuple[str, str | None, int]
) -> None:
    assert (
        refusal(refused(lambda: decisions.decide_conclude(given_events(*events), cmd, CONCLUDED_ON)))
        == expected
    )


# -- publish results -----------------------------------------------------------------------


def test_concluded_conference_publishes_its_results() -> None:
    cmd = PublishResults(date(2026, 3, 20), BOARD)
    assert decisions.decide_publish_results(
        given_events(SCHEDULED, HELD, CONCLUDED), cmd, date(2026, 3, 20)
    ) == [PUBLISHED]


@pytest.mark.parametrize(("days_after", "late"), [(4, False), (10, False), (11, True), (40, True)])
def test_commune_results_published_more_than_ten_days_after_are_flagged(days_after: int, late: bool) -> None:
    day = PLANNED + timedelta(days=days_after)
    [event] = decisions.decide_publish_results(
        given_events(SCHEDULED, HELD, CONCLUDED), PublishResults(day, BOARD), day
    )
    assert isinstance(event, ConferenceResultsPublished)
    assert (event.days_after_held, event.late_publication) == (days_after, late)


def test_late_results_are_not_flagged_where_article_43_does_not_apply() -> None:
    province = SCHEDULED.model_copy(update={"level": UnitLevel.PROVINCE, "unit_code": "01"})
    day = PLANNED + timedelta(days=30)
    [event] = decisions.decide_publish_results(
        given_events(province, HELD, CONCLUDED), PublishResults(day, BOARD), day
    )
    assert isinstance(event, ConferenceResultsPublished)
    assert (event.days_after_held, event.late_publication) == (30, False)


PUBLISH = PublishResults(date(2026, 3, 20), BOARD)


@pytest.mark.parametrize(
    ("events", "cmd", "expected"),
    [
        ((), PUBLISH, ("conference.not_found", None, 404)),
        ((SCHEDULED, ANNOUNCED), PUBLISH, ("conference.not_held", None, 409)),
        ((SCHEDULED, CANCELLED), PUBLISH, ("conference.cancelled", None, 409)),
        ((SCHEDULED, HELD), PUBLISH, ("conference.not_concluded", None, 409)),
        ((SCHEDULED, HELD, LINKED), PUBLISH, ("conference.not_concluded", None, 409)),
        (
            (SCHEDULED, HELD, CONCLUDED, PUBLISHED),
            PUBLISH,
            ("conference.results_already_published", None, 409),
        ),
        (
            (SCHEDULED, HELD, CONCLUDED),
            PublishResults(date(2026, 3, 20), ()),
            ("conference.publication_channel_required", "channels", 422),
        ),
        (
            (SCHEDULED, HELD, CONCLUDED),
            PublishResults(CONCLUDED_ON - timedelta(days=1), BOARD),
            ("conference.published_before_conclusion", "published_on", 422),
        ),
        (
            (SCHEDULED, HELD, CONCLUDED),
            PublishResults(date(2026, 3, 21), BOARD),
            ("conference.published_in_future", "published_on", 422),
        ),
    ],
    ids=[
        "unknown",
        "not-held",
        "cancelled",
        "not-concluded",
        "not-concluded-with-opinions",
        "twice",
        "no-channel",
        "before-conclusion",
        "in-the-future",
    ],
)
def test_invalid_publication_is_refused(
    events: tuple[DomainEvent, ...], cmd: PublishResults, expected: tuple[str, str | None, int]
) -> None:
    error = refused(lambda: decisions.decide_publish_results(given_events(*events), cmd, date(2026, 3, 20)))
    assert refusal(error) == expected


# -- property: any command sequence keeps the invariants -----------------------------------

# A step is (command name, day offset from "today", variant 0-2); the builder below turns it
# into a command on the day it is decided. Variant 2 is usually invalid on purpose.
CONFERENCE_STEP_NAMES = ("schedule", "announce", "postpone", "cancel", "hold", "link", "conclude", "publish")
conference_steps = st.tuples(
    st.sampled_from(CONFERENCE_STEP_NAMES),
    st.integers(min_value=-3, max_value=12),
    st.integers(min_value=0, max_value=2),
)


def conference_command(name: str, offset: int, variant: int, today: date) -> ConferenceCommand:
    day = today + timedelta(days=offset)
    if name == "schedule":
        level = (UnitLevel.COMMUNE, UnitLevel.PROVINCE, UnitLevel.COMMUNE)[variant]
        mttq = None if variant == 2 else "mttq-phuong-ba-dinh"
        return replace(SCHEDULE, planned_on=day, level=level, mttq_co_organiser_ref=mttq)
    if name == "announce":
        return AnnounceConference(day, BOARD)
    if name == "postpone":
        return PostponeConference(day, "x" if variant == 2 else "Mưa bão lớn.")
    if name == "cancel":
        return CancelConference("" if variant == 2 else "Đã giải quyết ở cấp trên.")
    if name == "hold":
        return HoldConference(day, -1 if variant == 2 else 40 * variant)
    if name == "link":
        return LinkOpinion(("p-1", "p-2", " ")[variant])
    if name == "conclude":
        return replace(CONCLUDE, conclusion_date=day, text="Ngắn." if variant == 2 else CONCLUSION)
    return PublishResults(day, () if variant == 2 else BOARD)


#: A valid life to start from, so that every state is reached, not only the first few.
CONFERENCE_LIFE: tuple[tuple[ConferenceCommand, date], ...] = (
    (SCHEDULE, TODAY),
    (AnnounceConference(ANNOUNCED_ON, BOARD), ANNOUNCED_ON),
    (HoldConference(PLANNED, 137), PLANNED),
    (LinkOpinion("p-1"), PLANNED),
    (CONCLUDE, CONCLUDED_ON),
    (PublishResults(date(2026, 3, 20), BOARD), date(2026, 3, 20)),
)
CONFERENCE_REGISTRY = EventRegistry(CONFERENCE_EVENTS)


def roundtrip(event: DomainEvent) -> DomainEvent:
    """The payload as the registry writes and reads it (the envelope is tested elsewhere)."""
    data = json.loads(json.dumps(event.model_dump(mode="json")))
    return MODELS[event.type].model_validate(data)


# Time only moves forward: each step comes some days after the previous one.
@settings(max_examples=500, deadline=None)
@given(
    life=st.integers(min_value=0, max_value=len(CONFERENCE_LIFE)),
    steps=st.lists(st.tuples(conference_steps, st.integers(min_value=0, max_value=6)), max_size=12),
)
def test_any_conference_command_sequence_keeps_the_invariants(
    life: int, steps: Sequence[tuple[tuple[str, int, int], int]]
) -> None:
    state = ConferenceState()
    today = TODAY
    log: list[DomainEvent] = []
    commands = [(cmd, day) for cmd, day in CONFERENCE_LIFE[:life]]
    for (name, offset, variant), advance in steps:
        today = max(today, commands[-1][1] if commands else today) + timedelta(days=advance)
        commands.append((conference_command(name, offset, variant, today), today))
    for cmd, today in commands:
        before = state
        try:
            events = decisions.decide(state, cmd, today)
        except ConferenceRuleBroken as error:
            assert error.status in (404, 409, 422)
            assert error.message and error.code.startswith("conference.")
            events = []
        for event in events:
            assert roundtrip(event) == event
            previous = state.version
            state = conf.evolve(state, event, at(today))
            assert state.version == previous + 1  # strictly increasing, one per event
        log.extend(events)
        assert state.version == before.version + len(events)
        if before.status is Status.CANCELLED:
            assert events == [] and state == before  # a cancelled conference accepts nothing
        # results published => concluded => held, at every step and not only at the end
        assert state.results_published_on is None or state.concluded_on is not None
        assert state.concluded_on is None or state.held_on is not None
        assert state.status is not Status.CANCELLED or state.held_on is None
    types = [event.type for event in log]
    assert state.version == len(log)
    if state.results_published_on is not None:
        assert state.concluded_on is not None
        assert types.index("conference.results_published") > types.index("conference.concluded")
    if state.concluded_on is not None:
        assert state.held_on is not None
        assert types.index("conference.concluded") > types.index("conference.held")
        assert state.concluded_on >= state.held_on
    if "conference.cancelled" in types:
        assert "conference.held" not in types
        assert types[-1] == "conference.cancelled"
    assert len(set(state.opinions)) == len(state.opinions)
    if state.is_held:
        assert state.attendance is not None and state.attendance >= 0
    for event in log:
        if isinstance(event, ConferenceAnnounced):
            assert event.notice_days == (event.planned_on - event.announced_on).days >= 0
            assert event.late_notice == (
                event.notice_days < 7
                and state.level is UnitLevel.COMMUNE
                and event.planned_on >= date(2025, 7, 1)
            )
        if isinstance(event, ConferenceResultsPublished):
            assert event.late_publication == (event.days_after_held > 10 and state.level is UnitLevel.COMMUNE)


# -- conference plan -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "start", "end", "label"),
    [
        (Period(2023), date(2023, 1, 1), date(2023, 12, 31), "2023"),
        (Period(2023, 1), date(2023, 1, 1), date(2023, 3, 31), "2023-Q1"),
        (Period(2024, 1), date(2024, 1, 1), date(2024, 3, 31), "2024-Q1"),
        (Period(2023, 2), date(2023, 4, 1), date(2023, 6, 30), "2023-Q2"),
        (Period(2023, 3), date(2023, 7, 1), date(2023, 9, 30), "2023-Q3"),
        (Period(2023, 4), date(2023, 10, 1), date(2023, 12, 31), "2023-Q4"),
    ],
)
def test_period_bounds(period: Period, start: date, end: date, label: str) -> None:
    assert (period.start, period.end, str(period)) == (start, end, label)
    assert period.contains(start) and period.contains(end)
    assert not period.contains(start - timedelta(days=1)) and not period.contains(end + timedelta(days=1))


def test_plan_id_is_one_per_issuer_and_period() -> None:
    assert plans.plan_id("088", 2023) == "plan-088-2023"
    assert plans.plan_id("00004", 2026, 2) == "plan-00004-2026-q2"
    error = refused(lambda: plans.plan_id("thị xã.sa pa", 2023))
    assert refusal(error) == ("conference.plan_issuer_invalid", "issuer_unit_code", 422)


SA_PA_COMMUNES = tuple(f"SP{n:02d}" for n in range(1, 17))


def sa_pa_plan_2023() -> SetConferencePlan:
    """Sa Pa 2023: four town-level conferences and one per quarter in each of 16 communes and
    wards, "at least 68" in all."""
    town = tuple(
        PlannedConferences(unit_code="088", level=UnitLevel.DISTRICT, quarter=q, count=1) for q in range(1, 5)
    )
    communes = tuple(
        PlannedConferences(unit_code=code, level=UnitLevel.COMMUNE, quarter=q, count=1)
        for code in SA_PA_COMMUNES
        for q in range(1, 5)
    )
    return SetConferencePlan(
        province_code="10",
        issuer_unit_code="088",
        year=2023,
        lines=town + communes,
        document_number="KH-TXĐT-2023",
        document_date=date(2023, 1, 10),
    )


def given_plan(*events: DomainEvent) -> plans.PlanState:
    return plans.fold((event, at(TODAY)) for event in events)


def test_sa_pa_plans_at_least_68_conferences() -> None:
    [event] = plans.decide_set_plan(given_plan(), sa_pa_plan_2023(), date(2023, 1, 12))
    assert isinstance(event, ConferencePlanSet)
    state = given_plan(event)
    assert (state.exists, state.period, state.planned_total, state.revisions) == (True, Period(2023), 68, 0)


def test_setting_the_same_plan_again_changes_nothing_and_a_revision_is_recorded() -> None:
    cmd = sa_pa_plan_2023()
    [first] = plans.decide_set_plan(given_plan(), cmd, date(2023, 1, 12))
    assert plans.decide_set_plan(given_plan(first), cmd, date(2023, 2, 1)) == []
    revised = replace(
        cmd, lines=(*cmd.lines[:-1], cmd.lines[-1].model_copy(update={"count": 2})), document_number="KH-2"
    )
    [second] = plans.decide_set_plan(given_plan(first), revised, date(2023, 2, 1))
    state = given_plan(first, second)
    assert (state.planned_total, state.revisions, state.version, state.document_number) == (69, 1, 2, "KH-2")


def line(
    unit: str = "00004", quarter: int | None = None, count: int = 1, level: UnitLevel = UnitLevel.COMMUNE
) -> PlannedConferences:
    return PlannedConferences(unit_code=unit, level=level, quarter=quarter, count=count)


PLAN_2026 = SetConferencePlan(province_code="01", issuer_unit_code="00004", year=2026, lines=(line(),))


@pytest.mark.parametrize(
    ("cmd", "expected"),
    [
        (replace(PLAN_2026, lines=()), ("conference.plan_empty", "lines", 422)),
        (replace(PLAN_2026, quarter=5), ("conference.plan_quarter_invalid", "quarter", 422)),
        (
            replace(PLAN_2026, quarter=1, lines=(line(quarter=2),)),
            ("conference.plan_line_outside_period", "lines[0].quarter", 422),
        ),
        (
            replace(PLAN_2026, lines=(line(quarter=1), line(unit="00007"), line(quarter=1))),
            ("conference.plan_duplicate_line", "lines[2]", 422),
        ),
        (replace(PLAN_2026, lines=(line(), line())), ("conference.plan_duplicate_line", "lines[1]", 422)),
        (
            replace(PLAN_2026, lines=(line(quarter=1), line())),
            ("conference.plan_mixed_periods", "lines[1].quarter", 422),
        ),
        (
            replace(PLAN_2026, lines=(line(), line(quarter=3))),
            ("conference.plan_mixed_periods", "lines[1].quarter", 422),
        ),
        (
            replace(PLAN_2026, year=2025, lines=(line(unit="088", quarter=3, level=UnitLevel.DISTRICT),)),
            ("conference.district_level_abolished", "lines[0].level", 422),
        ),
        (
            replace(PLAN_2026, year=2025, lines=(line(unit="088", level=UnitLevel.DISTRICT),)),
            ("conference.district_level_abolished", "lines[0].level", 422),
        ),
        (
            replace(PLAN_2026, document_date=TODAY + timedelta(days=1)),
            ("conference.plan_document_in_future", "document_date", 422),
        ),
    ],
    ids=[
        "empty",
        "quarter-5",
        "line-outside-quarter",
        "duplicate-quarter",
        "duplicate-year",
        "year-after-quarter",
        "quarter-after-year",
        "district-q3-2025",
        "district-all-2025",
        "document-in-future",
    ],
)
def test_invalid_plan_is_refused(cmd: SetConferencePlan, expected: tuple[str, str, int]) -> None:
    assert refusal(refused(lambda: plans.decide_set_plan(given_plan(), cmd, TODAY))) == expected


def test_a_district_plan_for_the_first_half_of_2025_is_accepted() -> None:
    cmd = replace(PLAN_2026, year=2025, quarter=2, lines=(line(unit="088", level=UnitLevel.DISTRICT),))
    assert plans.decide_set_plan(given_plan(), cmd, TODAY) != []


@pytest.mark.parametrize(
    "other",
    [
        replace(PLAN_2026, year=2027),
        replace(PLAN_2026, quarter=1),
        replace(PLAN_2026, issuer_unit_code="00007"),
    ],
    ids=["year", "quarter", "issuer"],
)
def test_a_plan_keeps_its_issuer_and_period(other: SetConferencePlan) -> None:
    [event] = plans.decide_set_plan(given_plan(), PLAN_2026, TODAY)
    error = refused(lambda: plans.decide_set_plan(given_plan(event), other, TODAY))
    assert refusal(error) == ("conference.plan_identity_changed", "issuer_unit_code", 409)


def conference_state(
    unit: str,
    first_planned: date,
    status: Status = Status.HELD,
    held_on: date | None = None,
    kind: ConferenceKind = ConferenceKind.DIALOGUE_CONFERENCE,
    level: UnitLevel = UnitLevel.COMMUNE,
) -> ConferenceState:
    held = status in conf.HELD_OR_LATER
    return ConferenceState(
        status=status,
        kind=kind,
        level=level,
        province_code="10",
        unit_code=unit,
        original_planned_on=first_planned,
        planned_on=held_on or first_planned,
        held_on=(held_on or first_planned) if held else None,
        attendance=80 if held else None,
    )


def test_planned_versus_held_per_unit_and_quarter() -> None:
    [event] = plans.decide_set_plan(given_plan(), sa_pa_plan_2023(), date(2023, 1, 12))
    plan = given_plan(event)
    conferences = [
        conference_state("088", date(2023, 3, 15), Status.RESULTS_PUBLISHED, level=UnitLevel.DISTRICT),
        conference_state("SP01", date(2023, 2, 10)),  # on time
        conference_state("SP01", date(2023, 3, 28), held_on=date(2023, 4, 4)),  # postponed into Q2: late
        conference_state("SP01", date(2023, 5, 5), Status.CANCELLED),
        conference_state("SP02", date(2023, 6, 1), Status.ANNOUNCED),
        conference_state("SP02", date(2023, 6, 2), kind=ConferenceKind.VOTER_MEETING),  # another kind
        conference_state("SP99", date(2023, 6, 2)),  # not in the plan
        conference_state("SP03", date(2024, 1, 5)),  # another year
    ]
    progress = {(row.unit_code, str(row.period)): row for row in progress_of.plan_progress(plan, conferences)}
    assert len(progress) == 68
    assert progress[("088", "2023-Q1")] == PlanProgress(
        "088", UnitLevel.DISTRICT, Period(2023, 1), 1, 1, 1, 1
    )
    sp01_q1 = progress[("SP01", "2023-Q1")]
    assert (sp01_q1.planned, sp01_q1.scheduled, sp01_q1.held, sp01_q1.held_on_time) == (1, 2, 2, 1)
    assert (sp01_q1.shortfall, sp01_q1.met) == (0, True)
    sp01_q2 = progress[("SP01", "2023-Q2")]
    assert (sp01_q2.scheduled, sp01_q2.held, sp01_q2.cancelled, sp01_q2.shortfall, sp01_q2.met) == (
        1,
        0,
        1,
        1,
        False,
    )
    sp02_q2 = progress[("SP02", "2023-Q2")]
    assert (sp02_q2.scheduled, sp02_q2.held, sp02_q2.pending) == (1, 0, 1)
    totals = progress_of.plan_totals(progress.values())
    assert totals == progress_of.PlanTotals(
        planned=68, scheduled=5, held=3, held_on_time=2, cancelled=1, pending=1, shortfall=66
    )


def test_a_yearly_plan_line_counts_the_whole_year() -> None:
    [event] = plans.decide_set_plan(given_plan(), replace(PLAN_2026, lines=(line(count=2),)), TODAY)
    conferences = [conference_state("00004", date(2026, 3, 14)), conference_state("00004", date(2026, 11, 2))]
    [row] = progress_of.plan_progress(given_plan(event), conferences)
    assert (row.period, row.planned, row.held, row.held_on_time, row.met) == (Period(2026), 2, 2, 2, True)


def test_no_plan_no_progress() -> None:
    assert progress_of.plan_progress(given_plan(), [conference_state("00004", TODAY)]) == ()
    assert progress_of.plan_totals([]) == progress_of.PlanTotals()


def test_communes_that_held_no_dialogue_in_the_year_are_named() -> None:
    conferences = [
        conference_state("00004", date(2026, 3, 14)),
        conference_state("00007", date(2026, 4, 1), Status.CANCELLED),
        conference_state("00010", date(2025, 12, 30)),
        conference_state("00013", date(2026, 5, 5), kind=ConferenceKind.VOTER_MEETING),
    ]
    missed = progress_of.communes_without_annual_dialogue(
        conferences, ["00004", "00007", "00010", "00013", "00004"], 2026
    )
    assert missed == ("00007", "00010", "00013")


# -- supervision ---------------------------------------------------------------------------

S_TODAY = date(2026, 4, 2)
S_HELD_ON = date(2026, 4, 20)
S_REPORT_ON = date(2026, 4, 24)
PLAN_SUPERVISION = PlanSupervision(
    province_code="01",
    level=UnitLevel.COMMUNE,
    lead_body_ref="mttq-phuong-ba-dinh",
    topic="Giám sát thực hiện Thông báo kết luận số 45/TB-UBND",
    supervised_agency_codes=("UBND-PHUONG-BA-DINH", "UBND-PHUONG-BA-DINH", "to-qltt"),
    planned_on=S_HELD_ON,
    conference_ids=("c-1",),
)
S_PLANNED = SupervisionPlanned(
    province_code="01",
    level=UnitLevel.COMMUNE,
    lead_body_ref="mttq-phuong-ba-dinh",
    topic="Giám sát thực hiện Thông báo kết luận số 45/TB-UBND",
    supervised_agency_codes=("UBND-PHUONG-BA-DINH", "to-qltt"),
    conference_ids=("c-1",),
    planned_on=S_HELD_ON,
)
S_HELD = SupervisionHeld(held_on=S_HELD_ON, member_refs=("pho-chu-tich-mttq",))
FINDINGS = "Việc lấn chiếm vỉa hè đã được xử lý ở 9/12 điểm; 3 điểm còn tái lấn chiếm."
S_FINDINGS = SupervisionFindingsRecorded(
    report_number="07/BC-MTTQ", report_date=S_REPORT_ON, findings=FINDINGS
)
RECOMMENDATION = "Đề nghị UBND phường xử lý dứt điểm 3 điểm tái lấn chiếm vỉa hè phố Đội Cấn."
ISSUE = IssueRecommendation(
    recommendation_id="KN-01",
    addressee_agency_code="UBND-PHUONG-BA-DINH",
    content=RECOMMENDATION,
    issued_on=S_REPORT_ON,
    response_due=date(2026, 5, 25),
    conference_id="c-1",
)
S_ISSUED = SupervisionRecommendationIssued(
    recommendation_id="KN-01",
    addressee_agency_code="UBND-PHUONG-BA-DINH",
    content=RECOMMENDATION,
    issued_on=S_REPORT_ON,
    response_due=date(2026, 5, 25),
    conference_id="c-1",
)


def given_session(*events: DomainEvent) -> SupervisionState:
    return sup.fold((event, at(S_TODAY)) for event in events)


def sup_refused(decide: Callable[[], object]) -> SupervisionRuleBroken:
    with pytest.raises(SupervisionRuleBroken) as caught:
        decide()
    return caught.value


def test_supervision_session_life() -> None:
    assert sup_decisions.decide_plan(given_session(), PLAN_SUPERVISION, S_TODAY) == [S_PLANNED]
    assert sup_decisions.decide_hold(
        given_session(S_PLANNED), HoldSupervision(S_HELD_ON, ("pho-chu-tich-mttq", "")), S_HELD_ON
    ) == [S_HELD]
    record = RecordFindings(S_REPORT_ON, FINDINGS, report_number="07/BC-MTTQ")
    assert sup_decisions.decide_record_findings(given_session(S_PLANNED, S_HELD), record, S_REPORT_ON) == [
        S_FINDINGS
    ]
    state = given_session(S_PLANNED, S_HELD, S_FINDINGS)
    assert sup_decisions.decide_issue_recommendation(state, ISSUE, S_REPORT_ON) == [S_ISSUED]
    state = given_session(S_PLANNED, S_HELD, S_FINDINGS, S_ISSUED)
    assert (state.status, state.held_on, state.findings_on, state.version) == (
        sup.Status.FINDINGS_RECORDED,
        S_HELD_ON,
        S_REPORT_ON,
        4,
    )
    assert [r.recommendation_id for r in state.recommendations] == ["KN-01"]


def test_several_recommendations_to_several_agencies() -> None:
    state = given_session(S_PLANNED, S_HELD, S_FINDINGS, S_ISSUED)
    second = replace(
        ISSUE, recommendation_id="KN-02", addressee_agency_code="SO-XAY-DUNG-HN", response_due=None
    )
    [event] = sup_decisions.decide_issue_recommendation(state, second, S_REPORT_ON)
    assert isinstance(event, SupervisionRecommendationIssued)
    assert (event.recommendation_id, event.addressee_agency_code) == ("KN-02", "SO-XAY-DUNG-HN")


def test_the_same_recommendation_again_changes_nothing() -> None:
    state = given_session(S_PLANNED, S_HELD, S_FINDINGS, S_ISSUED)
    assert (
        sup_decisions.decide_issue_recommendation(state, replace(ISSUE, content=RECOMMENDATION), S_REPORT_ON)
        == []
    )


@pytest.mark.parametrize(
    ("events", "cmd", "expected"),
    [
        ((S_PLANNED,), PLAN_SUPERVISION, ("supervision.already_planned", None, 409)),
        (
            (),
            replace(PLAN_SUPERVISION, lead_body_ref=""),
            ("supervision.lead_body_required", "lead_body_ref", 422),
        ),
        ((), replace(PLAN_SUPERVISION, topic="GS"), ("supervision.topic_required", "topic", 422)),
        (
            (),
            replace(PLAN_SUPERVISION, supervised_agency_codes=("",)),
            ("supervision.agency_required", "supervised_agency_codes", 422),
        ),
        (
            (),
            replace(PLAN_SUPERVISION, planned_on=S_TODAY - timedelta(days=1)),
            ("supervision.planned_in_past", "planned_on", 422),
        ),
        (
            (),
            replace(PLAN_SUPERVISION, level=UnitLevel.DISTRICT),
            ("supervision.district_level_abolished", "level", 422),
        ),
    ],
    ids=["twice", "no-lead", "no-topic", "no-agency", "in-the-past", "district"],
)
def test_invalid_supervision_plan_is_refused(
    events: tuple[DomainEvent, ...], cmd: PlanSupervision, expected: tuple[str, str | None, int]
) -> None:
    assert (
        refusal(sup_refused(lambda: sup_decisions.decide_plan(given_session(*events), cmd, S_TODAY)))
        == expected
    )


@pytest.mark.parametrize(
    ("events", "cmd", "expected"),
    [
        ((), HoldSupervision(S_HELD_ON, ("m",)), ("supervision.not_found", None, 404)),
        ((S_PLANNED, S_HELD), HoldSupervision(S_HELD_ON, ("m",)), ("supervision.already_held", None, 409)),
        (
            (S_PLANNED,),
            HoldSupervision(S_HELD_ON + timedelta(days=1), ("m",)),
            ("supervision.held_in_future", "held_on", 422),
        ),
        (
            (S_PLANNED,),
            HoldSupervision(S_HELD_ON, ("",)),
            ("supervision.members_required", "member_refs", 422),
        ),
    ],
    ids=["unknown", "twice", "in-the-future", "no-members"],
)
def test_invalid_supervision_holding_is_refused(
    events: tuple[DomainEvent, ...], cmd: HoldSupervision, expected: tuple[str, str | None, int]
) -> None:
    assert (
        refusal(sup_refused(lambda: sup_decisions.decide_hold(given_session(*events), cmd, S_HELD_ON)))
        == expected
    )


RECORD = RecordFindings(S_REPORT_ON, FINDINGS)


@pytest.mark.parametrize(
    ("events", "cmd", "expected"),
    [
        ((), RECORD, ("supervision.not_found", None, 404)),
        ((S_PLANNED,), RECORD, ("supervision.not_held", None, 409)),
        ((S_PLANNED, S_HELD, S_FINDINGS), RECORD, ("supervision.findings_already_recorded", None, 409)),
        (
            (S_PLANNED, S_HELD),
            RecordFindings(S_HELD_ON - timedelta(days=1), FINDINGS),
            ("supervision.findings_before_session", "report_date", 422),
        ),
        (
            (S_PLANNED, S_HELD),
            RecordFindings(S_REPORT_ON + timedelta(days=1), FINDINGS),
            ("supervision.findings_in_future", "report_date", 422),
        ),
        (
            (S_PLANNED, S_HELD),
            RecordFindings(S_REPORT_ON, "Tốt."),
            ("supervision.findings_too_short", "findings", 422),
        ),
    ],
    ids=["unknown", "not-held", "twice", "before-session", "in-the-future", "too-short"],
)
def test_invalid_findings_are_refused(
    events: tuple[DomainEvent, ...], cmd: RecordFindings, expected: tuple[str, str | None, int]
) -> None:
    error = sup_refused(
        lambda: sup_decisions.decide_record_findings(given_session(*events), cmd, S_REPORT_ON)
    )
    assert refusal(error) == expected


@pytest.mark.parametrize(
    ("events", "cmd", "expected"),
    [
        ((), ISSUE, ("supervision.not_found", None, 404)),
        ((S_PLANNED,), ISSUE, ("supervision.not_held", None, 409)),
        ((S_PLANNED, S_HELD), ISSUE, ("supervision.findings_required", None, 409)),
        (
            (S_PLANNED, S_HELD, S_FINDINGS),
            replace(ISSUE, recommendation_id="KN 01"),
            ("supervision.recommendation_id_invalid", "recommendation_id", 422),
        ),
        (
            (S_PLANNED, S_HELD, S_FINDINGS, S_ISSUED),
            replace(ISSUE, addressee_agency_code="SO-XAY-DUNG-HN"),
            ("supervision.recommendation_id_taken", "recommendation_id", 409),
        ),
        (
            (S_PLANNED, S_HELD, S_FINDINGS),
            replace(ISSUE, addressee_agency_code=""),
            ("supervision.addressee_required", "addressee_agency_code", 422),
        ),
        (
            (S_PLANNED, S_HELD, S_FINDINGS),
            replace(ISSUE, content="Đề nghị khắc phục."),
            ("supervision.recommendation_too_short", "content", 422),
        ),
        (
            (S_PLANNED, S_HELD, S_FINDINGS),
            replace(ISSUE, issued_on=S_REPORT_ON - timedelta(days=1)),
            ("supervision.recommendation_before_findings", "issued_on", 422),
        ),
        (
            (S_PLANNED, S_HELD, S_FINDINGS),
            replace(ISSUE, issued_on=S_REPORT_ON + timedelta(days=1)),
            ("supervision.recommendation_in_future", "issued_on", 422),
        ),
        (
            (S_PLANNED, S_HELD, S_FINDINGS),
            replace(ISSUE, response_due=S_REPORT_ON),
            ("supervision.response_due_not_after_issue", "response_due", 422),
        ),
    ],
    ids=[
        "unknown",
        "not-held",
        "no-findings",
        "bad-id",
        "id-taken",
        "no-addressee",
        "too-short",
        "before-findings",
        "in-the-future",
        "due-on-issue-day",
    ],
)
def test_invalid_recommendation_is_refused(
    events: tuple[DomainEvent, ...], cmd: IssueRecommendation, expected: tuple[str, str | None, int]
) -> None:
    error = sup_refused(
        lambda: sup_decisions.decide_issue_recommendation(given_session(*events), cmd, S_REPORT_ON)
    )
    assert refusal(error) == expected


def test_recommendation_petition_id_is_stable_and_distinct() -> None:
    first = recommendation_petition_id("s-1", "KN-01")
    assert first == recommendation_petition_id("s-1", "KN-01")
    assert first != recommendation_petition_id("s-1", "KN-02")
    assert first != recommendation_petition_id("s-2", "KN-01")


SUPERVISION_STEP_NAMES = ("plan", "hold", "findings", "recommend")
supervision_steps = st.tuples(
    st.sampled_from(SUPERVISION_STEP_NAMES),
    st.integers(min_value=-2, max_value=3),
    st.integers(min_value=0, max_value=2),
)


def supervision_command(name: str, offset: int, variant: int, today: date) -> sup.SupervisionCommand:
    day = today + timedelta(days=offset)
    if name == "plan":
        return replace(PLAN_SUPERVISION, planned_on=day)
    if name == "hold":
        return HoldSupervision(day, () if variant == 2 else ("m-1",))
    if name == "findings":
        return RecordFindings(day, "Tốt." if variant == 2 else FINDINGS)
    rec_id = ("KN-01", "KN-02", "bad id")[variant]
    return replace(ISSUE, recommendation_id=rec_id, issued_on=day, response_due=None)


SUPERVISION_LIFE: tuple[tuple[sup.SupervisionCommand, date], ...] = (
    (PLAN_SUPERVISION, S_TODAY),
    (HoldSupervision(S_HELD_ON, ("m-1",)), S_HELD_ON),
    (RecordFindings(S_REPORT_ON, FINDINGS), S_REPORT_ON),
    (ISSUE, S_REPORT_ON),
)


@settings(max_examples=300, deadline=None)
@given(
    life=st.integers(min_value=0, max_value=len(SUPERVISION_LIFE)),
    steps=st.lists(st.tuples(supervision_steps, st.integers(min_value=0, max_value=6)), max_size=10),
)
def test_any_supervision_command_sequence_keeps_the_invariants(
    life: int, steps: Sequence[tuple[tuple[str, int, int], int]]
) -> None:
    state = SupervisionState()
    log: list[str] = []
    commands = list(SUPERVISION_LIFE[:life])
    today = S_TODAY
    for (name, offset, variant), advance in steps:
        today = max(today, commands[-1][1] if commands else today) + timedelta(days=advance)
        commands.append((supervision_command(name, offset, variant, today), today))
    for cmd, today in commands:
        before = state
        try:
            events = sup_decisions.decide(state, cmd, today)
        except SupervisionRuleBroken as error:
            assert error.status in (404, 409, 422)
            assert error.message and error.code.startswith("supervision.")
            events = []
        for event in events:
            assert roundtrip(event) == event
            previous = state.version
            state = sup.evolve(state, event, at(today))
            assert state.version == previous + 1
        log.extend(event.type for event in events)
        assert state.version == before.version + len(events)
        assert not state.recommendations or state.findings_on is not None
        assert state.findings_on is None or state.held_on is not None
    assert state.version == len(log)
    if state.recommendations:
        assert state.findings_on is not None
        assert log.index("supervision.recommendation_issued") > log.index("supervision.findings_recorded")
        assert all(r.issued_on >= state.findings_on for r in state.recommendations)
    if state.findings_on is not None:
        assert state.held_on is not None and state.findings_on >= state.held_on
        assert log.index("supervision.findings_recorded") > log.index("supervision.held")
    ids = [r.recommendation_id for r in state.recommendations]
    assert len(ids) == len(set(ids))


# -- golden wire samples -------------------------------------------------------------------

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
MODELS = {model.model_fields["type"].default: model for model in CONFERENCE_EVENTS}
STEMS = sorted(f"{name}.v{model.SCHEMA_VERSION}" for name, model in MODELS.items())
ACCEPTED_AGGREGATE_TYPES = set(get_args(AggregateType))


def golden(stem: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))
    return body


def test_every_conference_plan_and_supervision_event_has_a_golden_sample() -> None:
    assert len(STEMS) == 13
    assert [stem for stem in STEMS if not (GOLDEN / f"{stem}.json").is_file()] == []


@pytest.mark.parametrize("stem", STEMS)
def test_golden_data_is_the_models_own_json(stem: str) -> None:
    body = golden(stem)
    event = MODELS[body["type"]].model_validate({**body["data"], "type": body["type"]})
    assert event.model_dump(mode="json", exclude={"type"}) == body["data"]
    assert unicodedata.is_normalized("NFC", json.dumps(body, ensure_ascii=False))


@pytest.mark.parametrize("stem", STEMS)
def test_golden_sample_is_exactly_what_the_registry_encodes(stem: str) -> None:
    body = golden(stem)
    assert body["aggregate_type"] in ACCEPTED_AGGREGATE_TYPES
    decoded = CONFERENCE_REGISTRY.decode((GOLDEN / f"{stem}.json").read_bytes())
    assert isinstance(decoded, Envelope)
    assert type(decoded.event) is MODELS[body["type"]]
    assert json.loads(CONFERENCE_REGISTRY.encode(decoded.meta, decoded.event)[0]) == body


def test_golden_samples_name_their_own_aggregate_type() -> None:
    kinds = {stem: golden(stem)["aggregate_type"] for stem in STEMS}
    assert {kind for stem, kind in kinds.items() if stem.startswith("supervision.")} == {"supervision"}
    assert kinds["conference.plan_set.v1"] == "conference_plan"
    assert {
        kind for stem, kind in kinds.items() if stem.startswith("conference.") and "plan" not in stem
    } == {"conference"}


def _story(prefix: str, aggregate_id: str) -> list[tuple[DomainEvent, datetime]]:
    bodies = [golden(stem) for stem in STEMS if stem.startswith(prefix)]
    bodies = sorted((b for b in bodies if b["aggregate_id"] == aggregate_id), key=lambda b: b["occurred_at"])
    return [
        (
            MODELS[b["type"]].model_validate({**b["data"], "type": b["type"]}),
            datetime.fromisoformat(b["occurred_at"]),
        )
        for b in bodies
    ]


def test_golden_conference_samples_tell_one_consistent_story() -> None:
    """Scheduled, postponed, announced, held, opinion linked, concluded, results published: each
    sample is the event the domain decides at that point of the story."""
    story = _story("conference.", "019c8f2a5b3e7c41a2d6e0f9b8c7d6e5")
    assert [event.type for event, _ in story] == [
        "conference.scheduled",
        "conference.postponed",
        "conference.announced",
        "conference.held",
        "conference.opinion_linked",
        "conference.concluded",
        "conference.results_published",
    ]
    state = ConferenceState()
    for event, occurred_at in story:
        today = occurred_at.date()
        command: ConferenceCommand
        if isinstance(event, ConferenceScheduled):
            command = ScheduleConference(
                event.kind,
                event.level,
                event.province_code,
                event.unit_code,
                event.chairs,
                event.planned_on,
                event.mttq_co_organiser_ref,
                event.attendance_mode,
                event.place,
                event.topic,
                ConvocationReason(event.reason),
            )
        elif isinstance(event, ConferencePostponed):
            command = PostponeConference(event.new_date, event.reason)
        elif isinstance(event, ConferenceAnnounced):
            command = AnnounceConference(event.announced_on, event.channels)
        elif isinstance(event, ConferenceHeld):
            command = HoldConference(
                event.held_on, event.attendance, event.organisations_present, event.minutes_ref
            )
        elif isinstance(event, ConferenceOpinionLinked):
            command = LinkOpinion(event.petition_id)
        elif isinstance(event, ConferenceConcluded):
            command = ConcludeConference(
                event.conclusion_number, event.conclusion_date, event.text, event.distribution
            )
        else:
            assert isinstance(event, ConferenceResultsPublished)
            command = PublishResults(event.published_on, event.channels)
        assert decisions.decide(state, command, today) == [event]
        state = conf.evolve(state, event, occurred_at)
    assert state.status is Status.RESULTS_PUBLISHED


def test_golden_supervision_samples_tell_one_consistent_story() -> None:
    story = _story("supervision.", "019ca41e7d2b7f03b5c9e8a1d4f6b2c0")
    state = sup.fold(story)
    assert state.status is sup.Status.FINDINGS_RECORDED
    assert [r.recommendation_id for r in state.recommendations] == ["KN-01"]
    assert state.version == 4


def test_golden_plan_sample_is_a_valid_decision() -> None:
    body = golden("conference.plan_set.v1")
    event = ConferencePlanSet.model_validate({**body["data"], "type": body["type"]})
    cmd = SetConferencePlan(
        event.province_code,
        event.issuer_unit_code,
        event.year,
        event.lines,
        event.quarter,
        event.kind,
        event.document_number,
        event.document_date,
    )
    assert plans.decide_set_plan(plans.PlanState(), cmd, date(2026, 1, 9)) == [event]
    assert plans.plan_id(event.issuer_unit_code, event.year, event.quarter) == body["aggregate_id"]
