"""Jurisdiction queries over the unit trees: is X within Y, and what lies under Y.

Within is reflexive (a unit is within itself) and works across generations: a legacy commune
is within the current province it rolled up to; a current commune is within a legacy district
when all the territory it took over came from that district.
"""

from __future__ import annotations

from langnghe.domain.units.current import Unit, communes_of, is_current_code, unit
from langnghe.domain.units.errors import UnitError
from langnghe.domain.units.kinds import Level
from langnghe.domain.units.legacy import (
    LegacyUnit,
    covered_communes,
    is_legacy_code,
    legacy_children,
    legacy_province_of,
    legacy_unit,
    predecessors_of,
)


def is_within(unit_code: str, ancestor_code: str) -> bool:
    inner_current, outer_current = _generation(unit_code), _generation(ancestor_code, "ancestor_code")
    if inner_current and outer_current:
        return unit_code == ancestor_code or unit(unit_code).parent_code == ancestor_code
    if not inner_current and not outer_current:
        code: str | None = unit_code
        while code is not None:
            if code == ancestor_code:
                return True
            code = legacy_unit(code).parent_code
        return False
    if not inner_current:  # a legacy unit inside a current one
        outer = unit(ancestor_code)
        if outer.level is Level.PROVINCE:
            return legacy_province_of(unit_code).successor_codes == (outer.code,)
        covered = covered_communes(unit_code)
        return bool(covered) and all(c.code == outer.code for c in covered)
    inner = unit(unit_code)  # a current unit inside a legacy one
    communes = communes_of(inner.code) if inner.level is Level.PROVINCE else (inner,)
    sources = [p.code for c in communes for p in predecessors_of(c.code)]
    return bool(sources) and all(is_within(p, ancestor_code) for p in sources)


def units_under(code: str) -> tuple[Unit, ...]:
    """The current units strictly under a current unit: a province's communes; none under a commune."""
    found = unit(code)
    return communes_of(found.code) if found.level is Level.PROVINCE else ()


def legacy_units_under(code: str) -> tuple[LegacyUnit, ...]:
    """The legacy units strictly under a legacy unit, districts before their communes."""
    below: list[LegacyUnit] = []
    frontier = list(legacy_children(code))
    while frontier:
        below.extend(frontier)
        frontier = [c for u in frontier for c in legacy_children(u.code)]
    return tuple(below)


def _generation(code: str, field: str = "unit_code") -> bool:
    """True for a current code, False for a legacy one; unknown codes are refused."""
    if is_current_code(code):
        return True
    if is_legacy_code(code):
        return False
    raise UnitError("unit.not_found", f"Không tìm thấy đơn vị hành chính có mã “{code}”.", field, 404)
