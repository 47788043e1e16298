"""The current units: 34 provinces and 3,321 communes since 1 July 2025, from the
`vietnam-provinces` package's data file, read once on first use.

Codes are the statistics office's: two digits for a province ("15"), five for a commune
("03006"), as strings with their leading zeros. Which catalogue the codes come from matters:
`vietnam-provinces` 2025.x carries the draft list, 2026.x (Python >= 3.12) the official one;
123 communes have different codes in the two, and 9 codes name a different commune in each
(13291 is Phủ Lý in the draft, Phù Vân in the official list). `catalogue_source` says which
one is installed; province codes and all names agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache

from langnghe.domain.units.errors import UnitError, unknown_unit
from langnghe.domain.units.kinds import Level, UnitKind
from langnghe.domain.units.names import NameIndex, clean_name, split_kind

# Resolution 202/2025/QH15 and the 2025 Law on Organisation of Local Government.
TWO_LEVEL_SINCE = date(2025, 7, 1)

_KINDS = {
    "tỉnh": UnitKind.TINH,
    "thành phố trung ương": UnitKind.THANH_PHO,
    "xã": UnitKind.XA,
    "phường": UnitKind.PHUONG,
    "đặc khu": UnitKind.DAC_KHU,
}


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


@dataclass(frozen=True, slots=True)
class _Catalogue:
    source: CatalogueSource
    provinces: dict[str, Unit]
    communes: dict[str, Unit]
    communes_by_province: dict[str, tuple[Unit, ...]]
    province_names: NameIndex
    commune_names: dict[str, NameIndex]


def _unit(raw: dict[str, object], level: Level, parent_code: str | None) -> Unit:
    code_width = 2 if level is Level.PROVINCE else 5
    kind = _KINDS[str(raw["division_type"])]
    _, short = split_kind(clean_name(str(raw["name"])))
    return Unit(
        code=f"{int(str(raw['code'])):0{code_width}d}",
        name_vi=f"{kind.prefix} {short}",  # the package drops "Tỉnh" in 2025.x and keeps it in 2026.x
        short_name_vi=short,
        level=level,
        kind=kind,
        parent_code=parent_code,
    )


@cache
def _catalogue() -> _Catalogue:
    import vietnam_provinces  # its enums cost ~0.1 s to import: pay on first use, not at import

    raw_provinces = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    provinces: dict[str, Unit] = {}
    communes: dict[str, Unit] = {}
    by_province: dict[str, tuple[Unit, ...]] = {}
    province_names = NameIndex()
    commune_names: dict[str, NameIndex] = {}
    for raw in sorted(raw_provinces, key=lambda p: int(p["code"])):
        province = _unit(raw, Level.PROVINCE, None)
        provinces[province.code] = province
        province_names.add(province.name_vi, province.code)
        names = commune_names[province.code] = NameIndex()
        members = sorted((_unit(w, Level.COMMUNE, province.code) for w in raw["wards"]), key=lambda u: u.code)
        for commune in members:
            communes[commune.code] = commune
            names.add(commune.name_vi, commune.code)
        by_province[province.code] = tuple(members)
    source = CatalogueSource(
        package="vietnam-provinces",
        version=vietnam_provinces.__version__,
        data_version=vietnam_provinces.__data_version__,
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
    return tuple(_catalogue().commune_names[province(province_code).code].find(name))


def find_province(name: str) -> Unit:
    """A current province by name, with or without its kind: "Tỉnh Lào Cai", "Lào Cai",
    "Ho Chi Minh". Abbreviations ("TP HCM") are not understood."""
    return _one(_catalogue().province_names.find(name), name, "province_name", "tỉnh, thành phố")


def find_commune(province_code: str, name: str) -> Unit:
    """A current commune of a province by name: "Phường Sa Pa", "Sa Pa", "Ta Van"."""
    return _one(list(match_communes(province_code, name)), name, "commune_name", "xã, phường, đặc khu")


def _one(codes: list[str], name: str, field: str, what: str) -> Unit:
    if len(codes) == 1:
        return unit(codes[0])
    if not codes:
        raise UnitError("unit.name_not_found", f"Không tìm thấy {what} có tên “{name}”.", field, 404)
    options = "; ".join(f"{unit(c).name_vi} ({c})" for c in codes)
    raise UnitError(
        "unit.name_ambiguous", f"Tên “{name}” ứng với nhiều đơn vị: {options}. Hãy chọn theo mã.", field
    )
