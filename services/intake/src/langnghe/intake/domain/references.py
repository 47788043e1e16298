"""The codes a conference, plan or supervision command names must exist: provinces, units (today's,
or the legacy ones for records from before 1 July 2025), agencies and fields. Pure lookups in
`langnghe.domain`; a refusal names the field and says, in Vietnamese, what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from langnghe.contracts.events.conference import UnitLevel
from langnghe.domain.errors import DomainError
from langnghe.domain.fields.taxonomy import is_known_field
from langnghe.domain.units import Level, UnitError, check_agency_code, legacy_unit, unit
from langnghe.domain.units.agency import reserved_unit
from langnghe.domain.units.legacy import is_legacy_code, legacy_province_of
from langnghe.intake.domain.conference import ScheduleConference
from langnghe.intake.domain.plan import SetConferencePlan
from langnghe.intake.domain.supervision import IssueRecommendation, PlanSupervision

_LEVELS = {
    UnitLevel.PROVINCE: Level.PROVINCE,
    UnitLevel.DISTRICT: Level.DISTRICT,
    UnitLevel.COMMUNE: Level.COMMUNE,
}


class ReferenceRefused(DomainError):
    """A code named in a command does not exist, or not where the command puts it."""


@dataclass(frozen=True)
class Place:
    """A unit, current or legacy, with the current province its territory belongs to."""

    code: str
    name_vi: str
    level: Level
    province_code: str


def find_place(code: str, field: str) -> Place:
    if is_legacy_code(code):
        legacy = legacy_unit(code)
        successors = legacy_province_of(code).successor_codes
        if not successors:  # not seen in the data; refuse rather than guess a province
            raise ReferenceRefused(
                "reference.unit_without_successor",
                f"Không xác định được tỉnh, thành phố hiện nay của {legacy.name_vi}.",
                field,
            )
        return Place(legacy.code, legacy.name_vi, legacy.level, successors[0])
    try:
        found = unit(code)
    except UnitError as exc:
        raise ReferenceRefused(
            "reference.unknown_unit", f"Không có đơn vị hành chính mã “{code}”.", field
        ) from exc
    return Place(found.code, found.name_vi, found.level, found.province_code)


def place_name(code: str | None) -> str | None:
    """The Vietnamese name of a unit, for display; None when the code is unknown."""
    if code is None:
        return None
    try:
        return find_place(code, "unit_code").name_vi
    except ReferenceRefused:
        return None


def check_province(code: str, field: str = "province_code") -> Place:
    """A province as it is today (34 since 1 July 2025): events are filed under it."""
    try:
        found = unit(code)
    except UnitError as exc:
        raise ReferenceRefused(
            "reference.unknown_province", f"Không có tỉnh, thành phố mã “{code}”.", field
        ) from exc
    if found.level is not Level.PROVINCE:
        raise ReferenceRefused(
            "reference.unknown_province",
            f"Mã “{code}” là {found.name_vi}, không phải mã tỉnh, thành phố.",
            field,
        )
    return Place(found.code, found.name_vi, found.level, found.code)


def check_unit(province_code: str, level: UnitLevel, unit_code: str, field: str) -> Place:
    """`unit_code` is a unit of `level` (a legacy one for the district level) inside the province."""
    province = check_province(province_code)
    place = find_place(unit_code, field)
    if place.level is not _LEVELS[level]:
        raise ReferenceRefused(
            "reference.unit_level_mismatch",
            f"{place.name_vi} không phải đơn vị {_LEVELS[level].label}.",
            field,
        )
    if place.province_code != province.code:
        raise ReferenceRefused(
            "reference.unit_outside_province", f"{place.name_vi} không thuộc {province.name_vi}.", field
        )
    return place


def check_agency(province_code: str, agency_code: str, field: str) -> None:
    """A well-formed agency code; one that names its unit (UBND-XA-03006) must name one inside
    the province. Other agencies (police, Party committees) come from configuration."""
    try:
        check_agency_code(agency_code, field)
    except UnitError as exc:
        raise ReferenceRefused("reference.agency_code_invalid", exc.message, field) from exc
    seat = reserved_unit(agency_code)
    if seat is None:
        return
    level, unit_code = seat
    try:
        found = unit(unit_code)
    except UnitError as exc:
        raise ReferenceRefused(
            "reference.agency_unit_unknown",
            f"Mã cơ quan “{agency_code}” chứa mã đơn vị “{unit_code}” không tồn tại.",
            field,
        ) from exc
    if found.level is not level or found.province_code != province_code:
        province = check_province(province_code)
        raise ReferenceRefused(
            "reference.agency_outside_province",
            f"Cơ quan “{agency_code}” ({found.name_vi}) không thuộc {province.name_vi}.",
            field,
        )


def check_field(field_code: str | None, field: str = "field_code") -> None:
    if field_code is not None and not is_known_field(field_code):
        raise ReferenceRefused(
            "reference.unknown_field", f"Lĩnh vực “{field_code}” không có trong danh mục lĩnh vực.", field
        )


# -- per command ---------------------------------------------------------------------------


def check_schedule_references(cmd: ScheduleConference) -> None:
    check_unit(cmd.province_code, cmd.level, cmd.unit_code, "unit_code")


def check_plan_references(cmd: SetConferencePlan) -> None:
    province = check_province(cmd.province_code)
    issuer = find_place(cmd.issuer_unit_code, "issuer_unit_code")
    if issuer.province_code != province.code:
        raise ReferenceRefused(
            "reference.unit_outside_province",
            f"{issuer.name_vi} không thuộc {province.name_vi}.",
            "issuer_unit_code",
        )
    for n, line in enumerate(cmd.lines):
        check_unit(cmd.province_code, line.level, line.unit_code, f"lines[{n}].unit_code")


def check_supervision_references(cmd: PlanSupervision) -> None:
    check_province(cmd.province_code)
    for n, code in enumerate(cmd.supervised_agency_codes):
        if code:  # blanks are dropped by the decision
            check_agency(cmd.province_code, code, f"supervised_agency_codes[{n}]")


def check_recommendation_references(province_code: str, cmd: IssueRecommendation) -> None:
    check_agency(province_code, cmd.addressee_agency_code, "addressee_agency_code")
    check_field(cmd.field_code)
