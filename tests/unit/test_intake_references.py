"""The codes intake commands name: units where the command puts them, agencies, fields."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from langnghe.contracts.events.conference import (
    Chair,
    ChairRole,
    ConferenceKind,
    PlannedConferences,
    UnitLevel,
)
from langnghe.intake.domain.conference import ScheduleConference
from langnghe.intake.domain.plan import SetConferencePlan
from langnghe.intake.domain.references import (
    ReferenceRefused,
    check_agency,
    check_field,
    check_plan_references,
    check_province,
    check_recommendation_references,
    check_schedule_references,
    check_unit,
    find_place,
    place_name,
)
from langnghe.intake.domain.supervision import IssueRecommendation


def refused(fn: object, *args: object) -> ReferenceRefused:
    with pytest.raises(ReferenceRefused) as caught:
        fn(*args)  # type: ignore[operator]
    return caught.value


def test_a_commune_of_the_province_is_found_with_its_name() -> None:
    place = check_unit("15", UnitLevel.COMMUNE, "03006", "unit_code")
    assert (place.name_vi, place.province_code) == ("Phường Sa Pa", "15")
    assert check_unit("01", UnitLevel.PROVINCE, "01", "unit_code").name_vi == "Thành phố Hà Nội"


def test_a_legacy_district_belongs_to_the_province_that_took_it_over() -> None:
    place = check_unit("15", UnitLevel.DISTRICT, "CU-HUYEN-1840", "unit_code")
    assert (place.name_vi, place.province_code) == ("Thị xã Sa Pa", "15")
    assert place_name("CU-HUYEN-1840") == "Thị xã Sa Pa"


@pytest.mark.parametrize(
    ("province", "level", "code", "expected", "message"),
    [
        (
            "15",
            UnitLevel.COMMUNE,
            "00004",
            "reference.unit_outside_province",
            "Phường Ba Đình không thuộc Tỉnh Lào Cai.",
        ),
        (
            "15",
            UnitLevel.PROVINCE,
            "03006",
            "reference.unit_level_mismatch",
            "Phường Sa Pa không phải đơn vị cấp tỉnh.",
        ),
        (
            "15",
            UnitLevel.DISTRICT,
            "03006",
            "reference.unit_level_mismatch",
            "Phường Sa Pa không phải đơn vị cấp huyện.",
        ),
        (
            "15",
            UnitLevel.COMMUNE,
            "99999",
            "reference.unknown_unit",
            "Không có đơn vị hành chính mã “99999”.",
        ),
        (
            "01",
            UnitLevel.DISTRICT,
            "CU-HUYEN-1840",
            "reference.unit_outside_province",
            "Thị xã Sa Pa không thuộc",
        ),
        ("99", UnitLevel.COMMUNE, "03006", "reference.unknown_province", "Không có tỉnh, thành phố mã “99”."),
    ],
)
def test_units_elsewhere_or_of_another_level_are_refused(
    province: str, level: UnitLevel, code: str, expected: str, message: str
) -> None:
    error = refused(check_unit, province, level, code, "unit_code")
    assert error.code == expected
    assert error.field == ("province_code" if expected == "reference.unknown_province" else "unit_code")
    assert message in error.message
    assert error.status == 422


def test_a_commune_code_is_not_a_province() -> None:
    error = refused(check_province, "03006")
    assert (error.code, error.field) == ("reference.unknown_province", "province_code")
    assert error.message == "Mã “03006” là Phường Sa Pa, không phải mã tỉnh, thành phố."


def test_unknown_codes_have_no_name() -> None:
    assert place_name("nope") is None
    assert place_name(None) is None
    assert find_place("03006", "unit_code").name_vi == "Phường Sa Pa"


def test_agencies_that_name_their_unit_must_be_in_the_province() -> None:
    check_agency("15", "UBND-XA-03006", "agency")
    check_agency("15", "SO-NNMT-15", "agency")
    check_agency("15", "CONG-AN-LAO-CAI", "agency")  # configured agencies name no unit
    assert refused(check_agency, "15", "UBND-XA-00004", "agency").code == "reference.agency_outside_province"
    assert refused(check_agency, "15", "UBND-TINH-01", "agency").code == "reference.agency_outside_province"
    assert refused(check_agency, "15", "UBND-XA-99999", "agency").code == "reference.agency_unit_unknown"
    bad = refused(check_agency, "15", "ubnd xa", "addressee_agency_code")
    assert (bad.code, bad.field) == ("reference.agency_code_invalid", "addressee_agency_code")


def test_fields_come_from_the_taxonomy() -> None:
    check_field("land")
    check_field(None)
    assert refused(check_field, "astrology").code == "reference.unknown_field"


def test_schedule_plan_and_recommendation_check_what_they_name() -> None:
    schedule = ScheduleConference(
        kind=ConferenceKind.DIALOGUE_CONFERENCE,
        level=UnitLevel.COMMUNE,
        province_code="15",
        unit_code="03006",
        chairs=(Chair(ref="ct", role=ChairRole.GOVERNMENT_HEAD),),
        planned_on=date(2026, 12, 1),
    )
    check_schedule_references(schedule)
    assert refused(check_schedule_references, replace(schedule, unit_code="00004")).field == "unit_code"

    plan = SetConferencePlan(
        province_code="15",
        issuer_unit_code="15",
        year=2026,
        lines=(
            PlannedConferences(unit_code="03006", level=UnitLevel.COMMUNE, count=4),
            PlannedConferences(unit_code="00004", level=UnitLevel.COMMUNE, count=4),
        ),
    )
    assert refused(check_plan_references, plan).field == "lines[1].unit_code"
    assert refused(check_plan_references, replace(plan, issuer_unit_code="00004")).field == "issuer_unit_code"
    check_plan_references(replace(plan, lines=plan.lines[:1]))

    recommendation = IssueRecommendation(
        recommendation_id="kn-1",
        addressee_agency_code="UBND-XA-03006",
        content="Đề nghị hoàn thành việc cấp giấy chứng nhận.",
        issued_on=date(2026, 11, 1),
        field_code="land",
    )
    check_recommendation_references("15", recommendation)
    assert refused(check_recommendation_references, "01", recommendation).field == "addressee_agency_code"
