"""The legacy units: 63 provinces, their districts and communes as they stood until 30 June
2025, with their successors among today's units, from data/legacy_units.json.gz (built by
langnghe.tools.data.legacy_units, in the tools distribution, from `vietnam-address-converter`;
source, version and licence are in the file's header). Read once on first use.

A legacy commune usually maps to one current commune, sometimes to several (it was split); a
district maps to the union of its communes' successors; a province to its new province.
Units abolished before 30 June 2025 (the source's older snapshot) have `valid_until=None` and
no successor commune, but still roll up to a province through their parents.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from langnghe.domain.units.current import Unit, communes_of, is_current_code, match_communes, unit
from langnghe.domain.units.errors import UnitError, ambiguous_name, unknown_legacy_unit
from langnghe.domain.units.kinds import Level, UnitKind
from langnghe.domain.units.names import NameIndex, NameMatch, name_key

DATA_FILE = "data/legacy_units.json.gz"
LEGACY_VALID_UNTIL = date(2025, 6, 30)
DISTRICTS_ABOLISHED_ON = date(2025, 7, 1)

_LEVEL_OF_PREFIX = {"CU-TINH-": Level.PROVINCE, "CU-HUYEN-": Level.DISTRICT, "CU-XA-": Level.COMMUNE}


@dataclass(frozen=True, slots=True)
class LegacyUnit:
    code: str  # "CU-TINH-48", "CU-HUYEN-1840", "CU-XA-65803"
    name_vi: str  # "Thị xã Sa Pa"
    level: Level
    kind: UnitKind
    parent_code: str | None  # legacy parent; None for a province
    valid_until: date | None  # 2025-06-30, or None: abolished earlier, date not recorded
    former_names: tuple[str, ...]  # older names of the same unit, for matching old records
    successor_codes: tuple[str, ...]  # current units; see successor_of


@dataclass(frozen=True, slots=True)
class LegacySource:
    package: str
    version: str
    licence: str
    copyright: str
    generated_on: date
    successor_catalogue: str
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class _Legacy:
    source: LegacySource
    units: dict[str, LegacyUnit]
    children: dict[str, tuple[str, ...]]
    predecessors: dict[str, tuple[str, ...]]  # current commune -> legacy communes (and island districts)


@dataclass(frozen=True, slots=True)
class _LegacyNames:
    provinces: NameIndex
    districts_by_province: dict[str, NameIndex]
    communes_by_parent: dict[str, NameIndex]  # by legacy district, and by legacy province


def _resolve(pairs: list[list[str]], province_code: str, code: str) -> tuple[str, ...]:
    """Current communes named in the file, by name within the successor province first: the
    file was built against the draft list (see `successor_catalogue` in its header), whose
    codes differ from the official list's for 123 communes; the names agree. The code is the
    fallback, for a commune renamed since the file was built."""
    resolved = []
    for stored_code, name in pairs:
        if _still_named(stored_code, name, province_code):
            resolved.append(stored_code)
            continue
        hits = match_communes(province_code, name)
        if len(hits) == 1:
            resolved.append(hits[0])
        elif is_current_code(stored_code) and unit(stored_code).province_code == province_code:
            resolved.append(stored_code)
        else:
            raise RuntimeError(f"legacy data: successor {name!r} ({stored_code}) of {code} is unknown today")
    return tuple(sorted(set(resolved)))


def _still_named(code: str, name: str, province_code: str) -> bool:
    """The current catalogue still has this code for this name (the usual, fast case)."""
    if not is_current_code(code):
        return False
    found = unit(code)
    return found.province_code == province_code and name_key(found.name_vi) == name_key(name)


def _province_successor(record: dict[str, Any]) -> str:
    [[stored_code, _name]] = record["successors"]
    return str(stored_code)  # province codes are the same in every catalogue release


@cache
def _legacy() -> _Legacy:
    blob = resources.files("langnghe.domain.units").joinpath(DATA_FILE).read_bytes()
    doc = json.loads(gzip.decompress(blob))
    records: list[dict[str, Any]] = [*doc["provinces"], *doc["districts"], *doc["communes"]]
    parent_of = {r["code"]: r.get("parent") for r in records}
    successor_province: dict[str, str] = {r["code"]: _province_successor(r) for r in doc["provinces"]}

    def legacy_province(code: str) -> str:
        while (parent := parent_of[code]) is not None:
            code = parent
        return code

    own: dict[str, tuple[str, ...]] = {}
    for r in records:
        code = r["code"]
        if code in successor_province:
            own[code] = (successor_province[code],)
        else:
            own[code] = _resolve(r.get("successors", []), successor_province[legacy_province(code)], code)

    children: defaultdict[str, list[str]] = defaultdict(list)
    for r in records:
        if r.get("parent"):
            children[r["parent"]].append(r["code"])
    predecessors: defaultdict[str, list[str]] = defaultdict(list)
    for r in records:
        if r["code"] not in successor_province:
            for current in own[r["code"]]:
                predecessors[current].append(r["code"])

    units: dict[str, LegacyUnit] = {}
    for r in records:
        code = r["code"]
        successors = own[code]
        if code.startswith("CU-HUYEN-"):  # a district: its communes' successors, or its own (islands)
            successors = tuple(sorted({*successors, *(s for c in children[code] for s in own[c])}))
        units[code] = LegacyUnit(
            code=code,
            name_vi=r["name"],
            level=_level_of(code),
            kind=UnitKind(r["kind"]),
            parent_code=r.get("parent"),
            valid_until=date.fromisoformat(r["valid_until"]) if r.get("valid_until") else None,
            former_names=tuple(r.get("former_names", ())),
            successor_codes=successors,
        )

    catalogue = doc["successor_catalogue"]
    source = LegacySource(
        package=doc["source"]["package"],
        version=doc["source"]["version"],
        licence=doc["source"]["licence"],
        copyright=doc["source"]["copyright"],
        generated_on=date.fromisoformat(doc["generated_on"]),
        successor_catalogue=f"{catalogue['package']} {catalogue['version']} ({catalogue['data_version']})",
        counts=dict(doc["counts"]),
    )
    return _Legacy(
        source,
        units,
        {k: tuple(v) for k, v in children.items()},
        {k: tuple(v) for k, v in predecessors.items()},
    )


@cache
def _names() -> _LegacyNames:
    provinces = NameIndex()
    districts_by_province: defaultdict[str, NameIndex] = defaultdict(NameIndex)
    communes_by_parent: defaultdict[str, NameIndex] = defaultdict(NameIndex)
    for u in _legacy().units.values():
        for name in (u.name_vi, *u.former_names):
            if u.parent_code is None:
                provinces.add(name, u.code)
            elif u.level is Level.DISTRICT:
                districts_by_province[u.parent_code].add(name, u.code)
            else:
                communes_by_parent[u.parent_code].add(name, u.code)
                communes_by_parent[legacy_province_of(u.code).code].add(name, u.code)
    return _LegacyNames(provinces, dict(districts_by_province), dict(communes_by_parent))


def _level_of(code: str) -> Level:
    for prefix, level in _LEVEL_OF_PREFIX.items():
        if code.startswith(prefix):
            return level
    raise ValueError(code)


def legacy_source() -> LegacySource:
    return _legacy().source


def is_legacy_code(code: str) -> bool:
    return code in _legacy().units


def legacy_unit(code: str) -> LegacyUnit:
    found = _legacy().units.get(code)
    if found is None:
        raise unknown_legacy_unit(code)
    return found


def legacy_units(level: Level | None = None) -> tuple[LegacyUnit, ...]:
    return tuple(u for u in _legacy().units.values() if level is None or u.level is level)


def legacy_children(code: str) -> tuple[LegacyUnit, ...]:
    legacy_unit(code)
    return tuple(legacy_unit(c) for c in _legacy().children.get(code, ()))


def legacy_province_of(code: str) -> LegacyUnit:
    found = legacy_unit(code)
    while found.parent_code is not None:
        found = legacy_unit(found.parent_code)
    return found


def successor_of(code: str) -> tuple[Unit, ...]:
    """Today's units for a legacy unit: its new province for a province; the communes that
    took over its territory for a district or commune (several when it was split). Empty for
    a unit abolished before 30 June 2025, whose successor the source does not record."""
    return tuple(unit(c) for c in legacy_unit(code).successor_codes)


def predecessors_of(commune_code: str) -> tuple[LegacyUnit, ...]:
    """The legacy communes (or island districts) whose territory went into a current commune."""
    unit(commune_code)
    return tuple(legacy_unit(c) for c in _legacy().predecessors.get(commune_code, ()))


def covered_communes(code: str) -> tuple[Unit, ...]:
    """The current communes covering a legacy unit's territory (for a province, the union over
    its communes), as far as the source records it."""
    found = legacy_unit(code)
    if found.level is not Level.PROVINCE:
        return successor_of(code)
    inside = {c for d in legacy_children(code) for c in d.successor_codes}
    return tuple(u for u in communes_of(found.successor_codes[0]) if u.code in inside)


def find_legacy(province: str, district: str | None = None, commune: str | None = None) -> LegacyUnit:
    """A legacy unit from the names an old record carries:
    find_legacy("Lào Cai", "Thị xã Sa Pa", "Phường Cầu Mây"). Kinds and diacritics may be
    missing, together or apart ("Huyen Song Lo", "Song Lo"); the district may be omitted when
    the commune's name is unique in its province. Former names count ("Tỉnh Thừa Thiên Huế")."""
    data = _names()
    found = _one(data.provinces.lookup(province), province, "province_name", "tỉnh, thành phố")
    if district is not None:
        index = data.districts_by_province.get(found.code, NameIndex())
        found = _one(index.lookup(district), district, "district_name", "quận, huyện, thị xã, thành phố")
    if commune is not None:
        index = data.communes_by_parent.get(found.code, NameIndex())
        found = _one(index.lookup(commune), commune, "commune_name", "xã, phường, thị trấn")
    return found


def _one(match: NameMatch, name: str, field: str, what: str) -> LegacyUnit:
    if len(match.codes) == 1:
        return legacy_unit(match.codes[0])
    if not match.codes:
        raise UnitError(
            "legacy_unit.name_not_found", f"Không tìm thấy {what} cũ có tên “{name}”.", field, status=404
        )
    options = [f"{legacy_unit(c).name_vi} ({c})" for c in match.codes]
    raise ambiguous_name(
        "legacy_unit.name_ambiguous", name, options, loose=match.loose, field=field, legacy=True
    )
