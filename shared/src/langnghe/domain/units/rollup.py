"""Where a record belongs today: any unit code, current or legacy, rolled up to a current
province and, where the source determines it, a current commune. A petition recorded in 2023
in a district that no longer exists still counts for the right province and commune."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from langnghe.domain.units.current import TWO_LEVEL_SINCE, Unit, communes_of, is_current_code, unit
from langnghe.domain.units.errors import UnitError
from langnghe.domain.units.kinds import Level
from langnghe.domain.units.legacy import covered_communes, is_legacy_code, legacy_province_of, legacy_unit


@dataclass(frozen=True, slots=True)
class RollUp:
    code: str  # as given
    province: Unit
    commune: Unit | None  # the one current commune, when the code determines it
    communes: tuple[Unit, ...]  # current communes covering the area the code names
    legacy: bool
    # Whether the code was in force on the record's date: a legacy code after 30 June 2025 (old
    # addresses on identity cards), or a current code before 1 July 2025 (a re-coded record),
    # is allowed but worth a look. None: a legacy unit abolished on an unrecorded date.
    code_in_force: bool | None

    @property
    def province_code(self) -> str:
        return self.province.code

    @property
    def commune_code(self) -> str | None:
        return self.commune.code if self.commune is not None else None


def roll_up(code: str, on_date: date) -> RollUp:
    """Roll a unit code used by a record made on `on_date` up to today's units."""
    if is_current_code(code):
        found = unit(code)
        current_in_force = on_date >= TWO_LEVEL_SINCE
        if found.level is Level.PROVINCE:
            return RollUp(code, found, None, communes_of(code), legacy=False, code_in_force=current_in_force)
        return RollUp(
            code, unit(found.province_code), found, (found,), legacy=False, code_in_force=current_in_force
        )
    if is_legacy_code(code):
        old = legacy_unit(code)
        (province,) = (unit(c) for c in legacy_province_of(code).successor_codes)
        communes = covered_communes(code)
        commune = communes[0] if len(communes) == 1 and old.level is not Level.PROVINCE else None
        in_force = None if old.valid_until is None else on_date <= old.valid_until
        return RollUp(code, province, commune, communes, legacy=True, code_in_force=in_force)
    raise UnitError(
        "unit.not_found",
        f"Không tìm thấy đơn vị hành chính có mã “{code}”, cả trong danh mục hiện hành lẫn danh mục cũ.",
        "unit_code",
        404,
    )
