"""The current units: 34 provinces and 3,321 communes since 1 July 2025, from
data/current_units.json.gz, read once on first use.

Codes are the statistics office's: two digits for a province ("15"), five for a commune
("03006"), as strings with their leading zeros. They come from the official list, as released
in `vietnam-provinces` 2026.x; the file was built from it by the tools' data builder
(langnghe.tools.data.current_units), and its header names the release, the data version and
the licence. The file, not the package, is read at run time because pip gives Python 3.11 the
package's 2025.x draft list, where 123 communes have other codes and 9 codes name another
commune (13291 is Phủ Lý in the draft, Phù Vân in the official list).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from langnghe.domain.units.errors import UnitError, ambiguous_name, unknown_unit
from langnghe.domain.units.kinds import Level, UnitKind
from langnghe.domain.units.names import NameIndex, NameMatch

DATA_FILE = "data/current_units.json.gz"

# Resolution 202/2025/QH15 and the 2025 Law on Organisation of Local Government.
TWO_LEVEL_SINCE = date(2025, 7, 1)


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name_vi: str  # official name with its kind: "Tỉnh Lào Cai", "Phường Sa Pa"
    short_name_vi: str  # without the kind: "Lào Cai", "Sa Pa"
    level: Level
    kind: UnitKind
    parent_code: str | None  # the province of a commune; None for a province

    @property
    def province_code(self) -> str:
        return self.parent_code if self.parent_code is not None else self.code


@dataclass(frozen=True, slots=True)
class CatalogueSource:
    package: str
    version: str
    data_version: str
    licence: str  # as the package's metadata states it
    generated_on: date


@dataclass(frozen=True, slots=True)
class _Catalogue:
    source: CatalogueSource
    provinces: dict[str, Unit]
    communes: dict[str, Unit]
    communes_by_province: dict[str, tuple[Unit, ...]]
    province_names: NameIndex
    commune_names: dict[str, NameIndex]


def _unit(raw: list[str], level: Level, parent_code: str | None) -> Unit:
    code, kind_value, short = raw
    kind = UnitKind(kind_value)
    return Unit(
        code=code,
        name_vi=f"{kind.prefix} {short}",
        short_name_vi=short,
        level=level,
        kind=kind,
        parent_code=parent_code,
    )


@cache
def _catalogue() -> _Catalogue:
    blob = resources.files("langnghe.domain.units").joinpath(DATA_FILE).read_bytes()
    doc: dict[str, Any] = json.loads(gzip.decompress(blob))
    provinces: dict[str, Unit] = {}
    communes: dict[str, Unit] = {}
    by_province: dict[str, tuple[Unit, ...]] = {}
    province_names = NameIndex()
    commune_names: dict[str, NameIndex] = {}
    for raw in doc["provinces"]:
        province = _unit([raw["code"], raw["kind"], raw["name"]], Level.PROVINCE, None)
        provinces[province.code] = province
        province_names.add(province.name_vi, province.code)
        names = commune_names[province.code] = NameIndex()
        members = tuple(_unit(c, Level.COMMUNE, province.code) for c in raw["communes"])
        for commune in members:
            communes[commune.code] = commune
            names.add(commune.name_vi, commune.code)
        by_province[province.code] = members
    src = doc["source"]
    source = CatalogueSource(
        package=src["package"],
        version=src["version"],
        data_version=src["data_version"],
        licence=src["licence"],
        generated_on=date.fromisoformat(doc["generated_on"]),
    )
    return _Catalogue(source, provinces, communes, by_province, province_names, commune_names)


def catalogue_source() -> CatalogueSource:
    return _catalogue().source


def current_provinces() -> tuple[Unit, ...]:
    return tuple(_catalogue().provinces.values())


def current_communes() -> tuple[Unit, ...]:
    return tuple(_catalogue().communes.values())


def is_current_code(code: str) -> bool:
    cat = _catalogue()
    return code in cat.provinces or code in cat.communes


def unit(code: str) -> Unit:
    cat = _catalogue()
    found = cat.provinces.get(code) or cat.communes.get(code)
    if found is not None:
        return found
    if code.startswith("CU-"):
        raise UnitError(
            "unit.legacy_code",
            f"Mã “{code}” là đơn vị hành chính cũ (trước 01/7/2025); hãy quy đổi sang đơn vị hiện nay.",
            "unit_code",
        )
    raise unknown_unit(code)


def province(code: str) -> Unit:
    found = unit(code)
    if found.level is not Level.PROVINCE:
        raise UnitError(
            "unit.not_a_province",
            f"Mã “{code}” là {found.kind.label} {found.short_name_vi}, không phải mã tỉnh, thành phố.",
            "province_code",
        )
    return found


def communes_of(province_code: str) -> tuple[Unit, ...]:
    return _catalogue().communes_by_province[province(province_code).code]


def match_communes(province_code: str, name: str) -> tuple[str, ...]:
    """Codes of the communes of a province that a name may mean (see `NameIndex`); no error."""
    return _commune_match(province_code, name).codes


def find_province(name: str) -> Unit:
    """A current province by name, with or without its kind, with or without diacritics:
    "Tỉnh Lào Cai", "Lào Cai", "Tinh Lao Cai", "Ho Chi Minh". Abbreviations ("TP HCM") are not
    understood."""
    return _one(_catalogue().province_names.lookup(name), name, "province_name", "tỉnh, thành phố")


def find_commune(province_code: str, name: str) -> Unit:
    """A current commune of a province by name: "Phường Sa Pa", "Sa Pa", "phuong sa pa", "Ta Van"."""
    return _one(_commune_match(province_code, name), name, "commune_name", "xã, phường, đặc khu")


def _commune_match(province_code: str, name: str) -> NameMatch:
    return _catalogue().commune_names[province(province_code).code].lookup(name)


def _one(match: NameMatch, name: str, field: str, what: str) -> Unit:
    if len(match.codes) == 1:
        return unit(match.codes[0])
    if not match.codes:
        raise UnitError("unit.name_not_found", f"Không tìm thấy {what} có tên “{name}”.", field, 404)
    options = [f"{unit(c).name_vi} ({c})" for c in match.codes]
    raise ambiguous_name("unit.name_ambiguous", name, options, loose=match.loose, field=field)
