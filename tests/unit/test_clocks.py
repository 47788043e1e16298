"""Legal clocks, given/when/then: the Vietnamese working calendar, every statute in statutes.py,
extensions, due-soon and overdue, provinces' promised-date defaults, and the unconfirmed registry."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import FrozenInstanceError
from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langnghe.contracts.events.petition import LegalType
from langnghe.domain.clocks import (
    ALL_STATUTES,
    ANNOUNCED_OVERRIDES,
    COMPLAINT_ACCEPTANCE,
    COMPLAINT_FIRST_INSTANCE,
    COMPLAINT_SECOND_INSTANCE,
    DEFAULT_DUE_SOON_WORKING_DAYS,
    DENUNCIATION,
    DENUNCIATION_ACCEPTANCE_NOTICE,
    DIALOGUE_CONFERENCE_OPINION,
    DIALOGUE_RESULTS_PUBLICATION,
    LEGAL_TYPES,
    PROMISED_DATE_ONLY,
    REGISTRY,
    VIETNAM,
    VOTERS_PETITION_ANSWER,
    ClockRuleBroken,
    ComplaintStage,
    DayKind,
    DayOverride,
    OverrideKind,
    PromisedDateOnly,
    PromisedDateRule,
    ProvinceDeadlineDefaults,
    StatutePolicy,
    WorkingCalendar,
    add_calendar_days,
    add_working_days,
    can_extend,
    deadline_for,
    due_state,
    extended_due,
    is_overdue,
    is_working_day,
    promised_date_default,
    rule_for,
    statutory_deadline,
    unconfirmed,
    working_days_between,
)

ACCEPTED_ON = date(2026, 3, 2)  # a Monday


def days_from(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --- the calendar -------------------------------------------------------------------------------


def test_given_the_holidays_package_then_lunar_new_year_2026_is_tuesday_17_february() -> None:
    names = holidays.country_holidays("VN", years=2026, language="en_US")
    assert names.get(date(2026, 2, 17)) == "Lunar New Year"


def test_given_tet_2026_then_saturday_14_to_sunday_22_february_are_nine_days_off() -> None:
    assert not any(is_working_day(d) for d in days_from(date(2026, 2, 14), date(2026, 2, 22)))
    assert is_working_day(date(2026, 2, 13))
    assert is_working_day(date(2026, 2, 23))


def test_given_tet_2025_then_saturday_25_january_to_sunday_2_february_are_off() -> None:
    assert not any(is_working_day(d) for d in days_from(date(2025, 1, 25), date(2025, 2, 2)))
    assert is_working_day(date(2025, 1, 24))
    assert is_working_day(date(2025, 2, 3))


@pytest.mark.parametrize("year", range(2021, 2031))
def test_given_any_year_since_2021_then_national_day_is_two_adjacent_days_including_2_september(
    year: int,
) -> None:
    # Bộ luật Lao động 2019, Art. 112(1)(đ): 2/9 and one adjacent day (in force since 01/01/2021).
    names = holidays.country_holidays("VN", years=year, language="en_US")
    national = sorted(d for d, name in names.items() if name == "National Day")
    assert date(year, 9, 2) in national
    assert len(national) == 2
    assert abs((national[1] - national[0]).days) == 1


def test_given_national_day_2025_then_saturday_30_august_to_tuesday_2_september_are_off() -> None:
    assert not any(is_working_day(d) for d in days_from(date(2025, 8, 30), date(2025, 9, 2)))
    assert is_working_day(date(2025, 9, 3))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 4, 29), False),  # swapped day off ...
        (date(2024, 5, 4), True),  # ... made up on a Saturday
        (date(2025, 5, 2), False),
        (date(2025, 4, 26), True),
        (date(2026, 1, 2), False),  # not in holidays 0.109: our override
        (date(2026, 1, 10), True),
        (date(2026, 8, 31), False),
        (date(2026, 8, 22), True),  # unconfirmed
        (date(2026, 4, 27), False),  # Giỗ Tổ on Sunday 26/04: compensatory Monday
    ],
)
def test_given_announced_swaps_then_days_off_and_make_up_saturdays_follow_them(
    day: date, working: bool
) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize("year", range(2020, 2028))
def test_given_a_swapped_day_off_in_the_holidays_package_then_its_make_up_saturday_is_a_working_day(
    year: int,
) -> None:
    # Guards a `holidays` upgrade that adds a swap we have not listed the make-up day for.
    substituted = re.compile(r"substituted from (\d\d)/(\d\d)/(\d{4})")
    for name in holidays.country_holidays("VN", years=year, language="en_US").values():
        found = substituted.search(name)
        if found:
            month, day, in_year = (int(part) for part in found.groups())
            assert is_working_day(date(in_year, month, day)), name


def test_given_vietnam_culture_day_then_the_package_is_followed_unless_the_figure_is_corrected() -> None:
    assert not is_working_day(date(2026, 11, 24))
    corrected = WorkingCalendar(vietnam_culture_day_off=False)
    assert corrected.is_working_day(date(2026, 11, 24))
    assert not corrected.is_working_day(date(2026, 9, 2))


def test_given_a_province_announcement_when_added_then_it_changes_only_that_calendar() -> None:
    flood_day = DayOverride(date(2026, 3, 4), OverrideKind.DAY_OFF, "Nghỉ do lũ", "UBND tỉnh, thông báo")
    local = VIETNAM.with_overrides([flood_day])
    assert not local.is_working_day(date(2026, 3, 4))
    assert VIETNAM.is_working_day(date(2026, 3, 4))
    assert add_working_days(date(2026, 3, 3), 1, calendar=local) == date(2026, 3, 5)
    assert local.holiday_name(date(2026, 3, 4)) == "Nghỉ do lũ"


def test_given_conflicting_overrides_for_one_day_then_the_calendar_refuses_them() -> None:
    day = date(2026, 3, 7)
    with pytest.raises(ValueError, match="conflicting"):
        WorkingCalendar(
            [
                DayOverride(day, OverrideKind.DAY_OFF, "Nghỉ", "a"),
                DayOverride(day, OverrideKind.WORKING_DAY, "Làm bù", "b"),
            ]
        )


# --- counting -----------------------------------------------------------------------------------


def test_given_a_start_day_then_it_is_never_counted_and_the_next_day_is_day_one() -> None:
    assert add_calendar_days(ACCEPTED_ON, 1) == date(2026, 3, 3)
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday -> Monday
    assert add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # from a Saturday
    assert add_working_days(ACCEPTED_ON, 0) == ACCEPTED_ON
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 6)) == -1


def test_given_a_working_day_deadline_spanning_tet_2026_then_the_nine_days_off_are_skipped() -> None:
    # Thu 12/02: day 1 is Fri 13/02, then Tết (14/02-22/02), then Mon 23/02 is day 2 ... Thu 26/02 day 5.
    assert add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)
    notice = deadline_for(DENUNCIATION_ACCEPTANCE_NOTICE, date(2026, 2, 12))
    assert (notice.due, notice.day_kind, notice.confirmed) == (date(2026, 2, 26), DayKind.WORKING, True)
    assert working_days_between(date(2026, 2, 12), date(2026, 2, 26)) == 5


def test_given_a_calendar_day_deadline_ending_in_tet_then_it_ends_on_the_next_working_day() -> None:
    # 16/01/2026 + 30 days = Sun 15/02/2026, inside the Tết break: ends Mon 23/02 (Bộ luật Dân sự Art. 148).
    deadline = statutory_deadline("complaint", date(2026, 1, 16))
    assert deadline is not None
    assert deadline.due == date(2026, 2, 23)
    assert deadline.days == 30


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    n=st.integers(min_value=1, max_value=300),
)
@settings(max_examples=150, deadline=None)
def test_given_any_start_and_count_then_adding_working_days_lands_on_a_working_day_and_inverts(
    start: date, n: int
) -> None:
    due = add_working_days(start, n)
    assert is_working_day(due)
    assert add_working_days(start, n - 1) < due
    assert working_days_between(start, due) == n


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    n=st.integers(min_value=0, max_value=120),
    m=st.integers(min_value=0, max_value=120),
)
@settings(max_examples=100, deadline=None)
def test_given_two_counts_then_add_working_days_is_monotonic(start: date, n: int, m: int) -> None:
    low, high = sorted((n, m))
    assert add_working_days(start, low) <= add_working_days(start, high)


# --- statutes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "remote", "complex_", "days"),
    [
        (COMPLAINT_ACCEPTANCE, False, False, 10),
        (COMPLAINT_ACCEPTANCE, True, True, 10),  # no variants
        (COMPLAINT_FIRST_INSTANCE, False, False, 30),
        (COMPLAINT_FIRST_INSTANCE, False, True, 45),
        (COMPLAINT_FIRST_INSTANCE, True, False, 45),
        (COMPLAINT_FIRST_INSTANCE, True, True, 60),
        (COMPLAINT_SECOND_INSTANCE, False, False, 45),
        (COMPLAINT_SECOND_INSTANCE, False, True, 60),
        (COMPLAINT_SECOND_INSTANCE, True, False, 60),
        (COMPLAINT_SECOND_INSTANCE, True, True, 70),
        (DENUNCIATION, False, False, 30),
        (DENUNCIATION, True, True, 30),  # complexity buys extensions, not a longer base
        (VOTERS_PETITION_ANSWER, False, False, 60),
        (DIALOGUE_RESULTS_PUBLICATION, False, False, 10),
        (DENUNCIATION_ACCEPTANCE_NOTICE, False, False, 5),
    ],
)
def test_given_each_statute_and_case_then_its_period_matches_the_legal_table(
    policy: StatutePolicy, remote: bool, complex_: bool, days: int
) -> None:
    assert policy.days_for(remote_area=remote, complex_case=complex_) == days


@pytest.mark.parametrize(
    ("stage", "remote", "complex_", "due"),
    [
        (ComplaintStage.ACCEPTANCE, False, False, date(2026, 3, 12)),
        (ComplaintStage.FIRST_INSTANCE, False, False, date(2026, 4, 1)),
        (ComplaintStage.FIRST_INSTANCE, False, True, date(2026, 4, 16)),
        (ComplaintStage.FIRST_INSTANCE, True, False, date(2026, 4, 16)),
        (ComplaintStage.FIRST_INSTANCE, True, True, date(2026, 5, 4)),  # Fri 01/05 holiday -> Mon 04/05
        (ComplaintStage.SECOND_INSTANCE, False, False, date(2026, 4, 16)),
        (ComplaintStage.SECOND_INSTANCE, False, True, date(2026, 5, 4)),
        (ComplaintStage.SECOND_INSTANCE, True, False, date(2026, 5, 4)),
        (ComplaintStage.SECOND_INSTANCE, True, True, date(2026, 5, 11)),
    ],
)
def test_given_a_complaint_when_the_clock_starts_then_remote_and_complex_variants_set_the_due_date(
    stage: ComplaintStage, remote: bool, complex_: bool, due: date
) -> None:
    deadline = statutory_deadline(
        "complaint", ACCEPTED_ON, stage=stage, remote_area=remote, complex_case=complex_
    )
    assert deadline is not None
    assert deadline.due == due
    assert deadline.day_kind is DayKind.CALENDAR
    assert deadline.confirmed is False  # the counting unit of Luật Khiếu nại is unconfirmed


def test_given_a_complaint_received_on_wednesday_then_acceptance_due_after_a_weekend_rolls_to_monday() -> (
    None
):
    deadline = statutory_deadline("complaint", date(2026, 3, 4), stage=ComplaintStage.ACCEPTANCE)
    assert deadline is not None
    assert deadline.policy_code == "complaint_acceptance"
    assert deadline.due == date(2026, 3, 16)  # +10 = Sat 14/03


def test_given_a_voters_petition_then_the_answer_is_due_sixty_days_after_receipt() -> None:
    deadline = statutory_deadline(LegalType.VOTERS_PETITION, ACCEPTED_ON)
    assert deadline is not None
    assert (deadline.policy_code, deadline.days) == ("voters_petition_answer", 60)
    assert deadline.due == date(2026, 5, 4)  # +60 = Fri 01/05, a holiday


@pytest.mark.parametrize("legal_type", ["recommendation", "reflection"])
def test_given_a_type_without_statute_then_there_is_no_statutory_deadline(legal_type: str) -> None:
    assert statutory_deadline(legal_type, ACCEPTED_ON) is None
    assert isinstance(rule_for(legal_type), PromisedDateOnly)


def test_given_a_dialogue_conference_opinion_then_only_the_promised_date_applies() -> None:
    assert DIALOGUE_CONFERENCE_OPINION in PROMISED_DATE_ONLY
    assert DIALOGUE_CONFERENCE_OPINION.code == "dialogue_conference_opinion"


def test_given_the_contracts_legal_types_then_the_clocks_know_each_of_them() -> None:
    assert {t.value for t in LegalType} == LEGAL_TYPES
    for legal_type in LegalType:
        rule_for(legal_type)


def test_given_an_unknown_legal_type_then_the_refusal_names_the_field() -> None:
    with pytest.raises(ClockRuleBroken) as refused:
        statutory_deadline("petition_to_the_king", ACCEPTED_ON)
    assert refused.value.code == "clocks.unknown_legal_type"
    assert refused.value.field == "legal_type"


def test_given_a_stage_for_a_type_other_than_complaint_then_it_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="complaints only"):
        rule_for("denunciation", ComplaintStage.SECOND_INSTANCE)


def test_given_the_statutes_then_codes_are_unique_ascii_and_cover_the_domain_table() -> None:
    codes = [s.code for s in ALL_STATUTES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z_]+", code) for code in codes)
    assert {
        "complaint_acceptance",
        "complaint_first_instance",
        "complaint_second_instance",
        "denunciation",
        "voters_petition_answer",
    } <= set(codes)
    with pytest.raises(FrozenInstanceError):
        DENUNCIATION.days = 45  # type: ignore[misc]


# --- extensions ---------------------------------------------------------------------------------


def test_given_a_denunciation_when_extended_twice_then_each_adds_thirty_days() -> None:
    first = statutory_deadline("denunciation", ACCEPTED_ON)
    assert first is not None
    assert first.due == date(2026, 4, 1)
    once = extended_due(first)
    assert (once.days, once.extensions, once.due) == (60, 1, date(2026, 5, 4))
    twice = extended_due(once)
    assert (twice.days, twice.extensions, twice.due) == (90, 2, date(2026, 6, 1))  # Sun 31/05 -> Mon


def test_given_a_denunciation_extended_twice_when_extended_again_then_the_law_refuses() -> None:
    first = statutory_deadline("denunciation", ACCEPTED_ON)
    assert first is not None
    twice = extended_due(extended_due(first))
    assert can_extend(DENUNCIATION, 0)
    assert can_extend(DENUNCIATION, 1)
    assert not can_extend(DENUNCIATION, 2)
    with pytest.raises(ClockRuleBroken) as refused:
        extended_due(twice)
    assert refused.value.code == "clocks.extension_limit_reached"
    assert "tối đa 2 lần" in refused.value.message


def test_given_a_complaint_when_extension_is_asked_then_the_law_allows_none() -> None:
    first = statutory_deadline("complaint", ACCEPTED_ON)
    assert first is not None
    assert not can_extend(COMPLAINT_FIRST_INSTANCE, 0)
    with pytest.raises(ClockRuleBroken) as refused:
        extended_due(first)
    assert refused.value.code == "clocks.extension_not_allowed"


# --- due soon and overdue -----------------------------------------------------------------------

DUE_FRIDAY = date(2026, 3, 6)


@pytest.mark.parametrize(
    ("today", "overdue", "due_soon", "left"),
    [
        (date(2026, 3, 2), False, False, 4),  # Monday: 3, 4, 5, 6 March remain
        (date(2026, 3, 3), False, True, 3),  # exactly the default threshold
        (DUE_FRIDAY, False, True, 0),  # the due date itself is still in time
        (date(2026, 3, 7), True, False, 0),  # strictly after: overdue
    ],
)
def test_given_a_due_date_when_checked_on_a_day_then_due_soon_and_overdue_have_sharp_edges(
    today: date, overdue: bool, due_soon: bool, left: int
) -> None:
    assert DEFAULT_DUE_SOON_WORKING_DAYS == 3
    state = due_state(DUE_FRIDAY, today)
    assert (state.overdue, state.due_soon, state.working_days_left) == (overdue, due_soon, left)
    assert is_overdue(DUE_FRIDAY, today) is overdue


def test_given_a_weekend_before_the_due_date_then_only_working_days_count_towards_due_soon() -> None:
    state = due_state(date(2026, 3, 9), date(2026, 3, 5), threshold_working_days=1)
    assert state.working_days_left == 2  # Fri 06 and Mon 09
    assert not state.due_soon
    assert due_state(date(2026, 3, 9), date(2026, 3, 6), threshold_working_days=1).due_soon


def test_given_a_threshold_of_zero_then_only_the_due_date_itself_is_due_soon() -> None:
    assert not due_state(DUE_FRIDAY, date(2026, 3, 5), threshold_working_days=0).due_soon
    assert due_state(DUE_FRIDAY, DUE_FRIDAY, threshold_working_days=0).due_soon
    with pytest.raises(ValueError):
        due_state(DUE_FRIDAY, DUE_FRIDAY, threshold_working_days=-1)


# --- province promised-date defaults ------------------------------------------------------------

HA_NOI = ProvinceDeadlineDefaults(
    province_code="01",
    fallback=PromisedDateRule(days=10),
    by_field={
        "land": PromisedDateRule(days=30),
        "infrastructure": PromisedDateRule(days=15, day_kind=DayKind.CALENDAR),
    },
)


def test_given_a_province_default_per_field_then_the_promised_date_follows_the_field() -> None:
    assert promised_date_default(HA_NOI, "land", ACCEPTED_ON) == add_working_days(ACCEPTED_ON, 30)
    assert promised_date_default(HA_NOI, "infrastructure", ACCEPTED_ON) == date(2026, 3, 17)


@pytest.mark.parametrize("field_code", ["tourism", None])
def test_given_an_unconfigured_or_missing_field_then_the_province_fallback_applies(
    field_code: str | None,
) -> None:
    assert promised_date_default(HA_NOI, field_code, ACCEPTED_ON) == date(2026, 3, 16)


def test_given_a_working_day_default_spanning_tet_then_the_holidays_are_skipped() -> None:
    assert promised_date_default(HA_NOI, None, date(2026, 2, 12)) == date(2026, 3, 5)


def test_given_a_bad_province_config_then_it_fails_fast() -> None:
    with pytest.raises(ValueError, match="field codes"):
        ProvinceDeadlineDefaults("01", PromisedDateRule(10), {"Đất đai": PromisedDateRule(30)})
    with pytest.raises(ValueError):
        PromisedDateRule(days=0)
    with pytest.raises(TypeError):
        HA_NOI.by_field["land"] = PromisedDateRule(1)  # type: ignore[index]


# --- the unconfirmed registry -------------------------------------------------------------------


def test_given_the_registry_then_keys_are_unique() -> None:
    keys = [figure.key for figure in REGISTRY]
    assert len(keys) == len(set(keys))
    assert all(figure.reason and figure.verify_against for figure in REGISTRY)


def test_given_each_statute_then_its_unconfirmed_figures_are_listed_with_the_value_it_uses() -> None:
    registry = {figure.key: figure for figure in REGISTRY}
    for policy in ALL_STATUTES:
        assert policy.confirmed is (not policy.unconfirmed)
        for key in policy.unconfirmed:
            assert key in registry, f"{policy.code}: {key} missing from unconfirmed.REGISTRY"
            attribute = key.rsplit(".", 1)[1]
            assert getattr(policy, attribute) == registry[key].value, key


def test_given_each_override_then_unconfirmed_ones_are_listed_with_their_date() -> None:
    registry = {figure.key: figure for figure in REGISTRY}
    for override in ANNOUNCED_OVERRIDES:
        key = f"calendar.override.{override.day.isoformat()}"
        assert (key in registry) is (not override.confirmed), key
        if not override.confirmed:
            assert registry[key].value == override.day


def test_given_the_registry_then_every_entry_is_used_by_a_statute_an_override_or_the_calendar() -> None:
    used = {key for policy in ALL_STATUTES for key in policy.unconfirmed}
    used |= {f"calendar.override.{o.day.isoformat()}" for o in ANNOUNCED_OVERRIDES if not o.confirmed}
    used.add(unconfirmed.VIETNAM_CULTURE_DAY_OFF.key)
    assert {figure.key for figure in REGISTRY} == used


# --- purity -------------------------------------------------------------------------------------


def test_given_the_clocks_package_when_imported_then_no_infrastructure_comes_with_it() -> None:
    probe = (
        "import sys, langnghe.domain.clocks; "
        "print(','.join(m for m in ('asyncio', 'faststream', 'sqlalchemy', 'pydantic', 'nats') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
