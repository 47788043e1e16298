"""The agencies of a deployment: generated defaults for every current unit in scope, plus what
the province's configuration adds, renames or removes.

Configuration is a plain mapping (the edge reads it from JSON); every key is optional:

    {
      "provinces": ["15"],                      # scope; default: all 34
      "departments": ["NNMT", "XD", {"abbr": "DL", "name_vi": "Sở Du lịch"}],
      "province_departments": {"01": [...]},    # per-province list instead of "departments"
      "commune_offices": ["KT", "VHXH"],        # generated for every commune; default none
      "agencies": [{"code": "CA-XA-03006", "name_vi": "Công an phường Sa Pa",
                    "kind": "police", "unit_code": "03006"}],   # added, or renaming a default
      "exclude": ["SO-TTRA-15"]                 # generated defaults to leave out
    }

Defaults: each province gets its People's Committee, its Fatherland Front committee and the
departments; each commune its People's Committee, its Fatherland Front committee and the
configured offices.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from langnghe.domain.units.agency import (
    Agency,
    AgencyKind,
    check_abbreviation,
    check_agency_code,
    front_committee,
    peoples_committee,
    reserved_unit,
    specialised_agency,
    uses_reserved_prefix,
)
from langnghe.domain.units.current import (
    Unit,
    communes_of,
    current_provinces,
    is_current_code,
    province,
    unit,
)
from langnghe.domain.units.departments import (
    DEFAULT_DEPARTMENTS,
    KNOWN_COMMUNE_OFFICE_ABBRS,
    KNOWN_DEPARTMENTS,
    SpecialisedAgency,
)
from langnghe.domain.units.errors import UnitError
from langnghe.domain.units.jurisdiction import is_within
from langnghe.domain.units.kinds import Level

_KEYS = {"provinces", "departments", "province_departments", "commune_offices", "agencies", "exclude"}
_AGENCY_KEYS = {"code", "name_vi", "kind", "unit_code"}


class AgencyRegistry:
    def __init__(self, agencies: Iterable[Agency]) -> None:
        self._by_code: dict[str, Agency] = {}
        self._by_unit: dict[str, list[Agency]] = {}
        for agency in agencies:
            if agency.code in self._by_code:
                raise ValueError(f"duplicate agency code {agency.code}")
            self._by_code[agency.code] = agency
            self._by_unit.setdefault(agency.unit_code, []).append(agency)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Agency]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def agency(self, code: str, field: str = "agency_code") -> Agency:
        """The agency with this code; `agency.code_invalid` or `agency.not_found` otherwise.
        This is the validation an assignment or answer runs on its agency code."""
        found = self._by_code.get(check_agency_code(code, field))
        if found is None:
            raise UnitError(
                "agency.not_found", f"Không có cơ quan mã “{code}” trong danh mục cơ quan.", field, 404
            )
        return found

    def agencies_of(self, unit_code: str) -> tuple[Agency, ...]:
        """The agencies seated at a unit."""
        return tuple(self._by_unit.get(unit(unit_code).code, ()))

    def agencies_within(self, unit_code: str) -> tuple[Agency, ...]:
        """The agencies seated at a unit or anywhere under it: a province's own and its communes'."""
        found = unit(unit_code)
        seats = (found, *communes_of(found.code)) if found.level is Level.PROVINCE else (found,)
        return tuple(a for seat in seats for a in self._by_unit.get(seat.code, ()))

    def has_jurisdiction(self, agency_code: str, unit_code: str) -> bool:
        """Whether the unit (current or legacy) lies within the agency's territory."""
        return is_within(unit_code, self.agency(agency_code).unit_code)


def build_agency_registry(config: Mapping[str, Any] | None = None) -> AgencyRegistry:
    cfg = dict(config or {})
    unknown = sorted(set(cfg) - _KEYS)
    if unknown:
        raise _invalid(f"Khóa cấu hình không được hỗ trợ: {', '.join(unknown)}.", unknown[0])
    provinces = _scope(cfg.get("provinces"))
    departments = _specialised(cfg.get("departments"), "departments", KNOWN_DEPARTMENTS, DEFAULT_DEPARTMENTS)
    per_province = _mapping(cfg.get("province_departments"), "province_departments")
    offices = _specialised(cfg.get("commune_offices"), "commune_offices", KNOWN_COMMUNE_OFFICE_ABBRS, ())
    exclude = set(_codes(cfg.get("exclude"), "exclude"))

    generated: dict[str, Agency] = {}
    for prov in provinces:
        field = f"province_departments.{prov.code}"
        own = (
            _specialised(per_province[prov.code], field, KNOWN_DEPARTMENTS, ())
            if prov.code in per_province
            else departments
        )
        for seat, specialised in ((prov, own), *((c, offices) for c in communes_of(prov.code))):
            for agency in (
                peoples_committee(seat),
                front_committee(seat),
                *(specialised_agency(seat, s.abbr, s.name_vi) for s in specialised),
            ):
                generated[agency.code] = agency
    scope = {p.code for p in provinces}
    outside = sorted(set(per_province) - scope)
    if outside:
        raise _invalid(
            f"Tỉnh, thành phố mã “{outside[0]}” nằm ngoài phạm vi cấu hình.", "province_departments"
        )
    for code in exclude:
        if code not in generated:
            raise _invalid(f"Không có cơ quan mặc định mã “{code}” để loại bỏ.", "exclude")
        del generated[code]

    for i, raw in enumerate(_list(cfg.get("agencies"), "agencies")):
        agency = _agency(raw, f"agencies[{i}]", scope)
        generated[agency.code] = agency  # same code as a default: the configuration renames it
    return AgencyRegistry(generated.values())


def _scope(raw: object) -> tuple[Unit, ...]:
    if raw is None:
        return current_provinces()
    scope = []
    for i, code in enumerate(_list(raw, "provinces")):
        try:
            scope.append(province(_str(code, f"provinces[{i}]")))
        except UnitError as error:
            raise _invalid(error.message, f"provinces[{i}]") from error
    return tuple(scope)


def _specialised(
    raw: object, field: str, known: Mapping[str, SpecialisedAgency], default: tuple[SpecialisedAgency, ...]
) -> tuple[SpecialisedAgency, ...]:
    if raw is None:
        return default
    out: list[SpecialisedAgency] = []
    for i, item in enumerate(_list(raw, field)):
        where = f"{field}[{i}]"
        if isinstance(item, str):
            if item not in known:
                hint = 'hãy ghi cả tên: {"abbr": ..., "name_vi": ...}'
                raise _invalid(f"Ký hiệu “{item}” chưa có sẵn; {hint}.", where)
            out.append(known[item])
        elif isinstance(item, Mapping) and set(item) == {"abbr", "name_vi"}:
            abbr = check_abbreviation(_str(item["abbr"], f"{where}.abbr"), f"{where}.abbr")
            out.append(SpecialisedAgency(abbr, _name(item["name_vi"], f"{where}.name_vi")))
        else:
            raise _invalid('Mỗi mục là một ký hiệu (ví dụ "NNMT") hoặc {"abbr", "name_vi"}.', where)
    if len({s.abbr for s in out}) != len(out):
        raise _invalid("Danh sách có ký hiệu trùng nhau.", field)
    return tuple(out)


def _agency(raw: object, where: str, scope: set[str]) -> Agency:
    if not isinstance(raw, Mapping) or set(raw) != _AGENCY_KEYS:
        raise _invalid("Mỗi cơ quan cần đúng các trường code, name_vi, kind, unit_code.", where)
    code = check_agency_code(_str(raw["code"], f"{where}.code"), f"{where}.code")
    try:
        kind = AgencyKind(_str(raw["kind"], f"{where}.kind"))
    except ValueError:
        kinds = ", ".join(k.value for k in AgencyKind)
        message = f"Loại cơ quan “{raw['kind']}” không hợp lệ; dùng một trong: {kinds}."
        raise _invalid(message, f"{where}.kind") from None
    unit_code = _str(raw["unit_code"], f"{where}.unit_code")
    if not is_current_code(unit_code):
        raise _invalid(f"“{unit_code}” không phải mã đơn vị hành chính hiện hành.", f"{where}.unit_code")
    seat = unit(unit_code)
    if seat.province_code not in scope:
        raise _invalid(f"Đơn vị “{unit_code}” nằm ngoài phạm vi cấu hình.", f"{where}.unit_code")
    named = reserved_unit(code)
    if uses_reserved_prefix(code) and (named is None or named != (seat.level, seat.code)):
        raise _invalid(
            f"Mã “{code}” dùng mẫu mã dành riêng (UBND-, MTTQ-, SO-, PHONG-) nhưng không khớp đơn vị "
            f"{seat.name_vi} ({seat.code}).",
            f"{where}.code",
        )
    return Agency(code, _name(raw["name_vi"], f"{where}.name_vi"), kind, seat.code)


def _invalid(message: str, field: str) -> UnitError:
    return UnitError("agency.config_invalid", message, field)


def _list(raw: object, field: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _invalid("Giá trị này phải là một danh sách.", field)
    return raw


def _mapping(raw: object, field: str) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise _invalid("Giá trị này phải là một bảng khóa – giá trị.", field)
    return raw


def _codes(raw: object, field: str) -> list[str]:
    return [_str(c, f"{field}[{i}]") for i, c in enumerate(_list(raw, field))]


def _str(raw: object, field: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise _invalid("Giá trị này phải là một chuỗi không rỗng.", field)
    return raw.strip()


def _name(raw: object, field: str) -> str:
    return " ".join(unicodedata.normalize("NFC", _str(raw, field)).split())
