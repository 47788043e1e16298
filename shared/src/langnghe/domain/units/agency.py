"""Agencies a petition can be assigned to or answered by, each seated at one current unit.

Codes are ASCII so they travel in URLs, subjects and spreadsheets. Generated ones follow
fixed patterns that name their unit, which is how a code's unit can be checked:

    UBND-TINH-15    People's Committee of a province     UBND-XA-03006   ... of a commune
    MTTQ-TINH-15    Fatherland Front committee           MTTQ-XA-03006   ... of a commune
    SO-NNMT-15      a provincial department              PHONG-KT-03006  a commune office

Other agencies (police, Party committees, utilities) come from configuration with any code
that does not start with those patterns' prefixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from langnghe.domain.units.current import Unit
from langnghe.domain.units.errors import UnitError
from langnghe.domain.units.kinds import Level

MAX_CODE_LENGTH = 64  # the agency_code columns are String(64)
_CODE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
_ABBR = re.compile(r"[A-Z0-9]{1,16}")
_RESERVED = (
    (re.compile(r"(UBND|MTTQ)-TINH-(\d{2})"), Level.PROVINCE),
    (re.compile(r"(UBND|MTTQ)-XA-(\d{5})"), Level.COMMUNE),
    (re.compile(r"SO-([A-Z0-9]+)-(\d{2})"), Level.PROVINCE),
    (re.compile(r"PHONG-([A-Z0-9]+)-(\d{5})"), Level.COMMUNE),
)
_RESERVED_PREFIXES = ("UBND-", "MTTQ-", "SO-", "PHONG-")


class AgencyKind(StrEnum):
    PEOPLES_COMMITTEE = "peoples_committee"
    PEOPLES_COUNCIL = "peoples_council"
    DEPARTMENT = "department"  # provincial specialised agency (sở, thanh tra, văn phòng)
    COMMUNE_OFFICE = "commune_office"  # commune specialised office (phòng)
    FRONT_COMMITTEE = "front_committee"  # Ủy ban MTTQ Việt Nam
    PARTY_COMMITTEE = "party_committee"
    POLICE = "police"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    AgencyKind.PEOPLES_COMMITTEE: "Ủy ban nhân dân",
    AgencyKind.PEOPLES_COUNCIL: "Hội đồng nhân dân",
    AgencyKind.DEPARTMENT: "Cơ quan chuyên môn cấp tỉnh",
    AgencyKind.COMMUNE_OFFICE: "Cơ quan chuyên môn cấp xã",
    AgencyKind.FRONT_COMMITTEE: "Ủy ban Mặt trận Tổ quốc Việt Nam",
    AgencyKind.PARTY_COMMITTEE: "Cấp ủy Đảng",
    AgencyKind.POLICE: "Công an",
    AgencyKind.OTHER: "Cơ quan, đơn vị khác",
}


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    name_vi: str
    kind: AgencyKind
    unit_code: str  # a current province or commune


def check_agency_code(code: str, field: str = "agency_code") -> str:
    """The code itself if well formed, else `agency.code_invalid`."""
    if len(code) > MAX_CODE_LENGTH or not _CODE.fullmatch(code):
        raise UnitError(
            "agency.code_invalid",
            f"Mã cơ quan “{code}” không hợp lệ: chỉ gồm chữ in hoa không dấu, chữ số và dấu gạch ngang "
            f"(ví dụ UBND-XA-03006), tối đa {MAX_CODE_LENGTH} ký tự.",
            field,
        )
    return code


def check_abbreviation(abbr: str, field: str) -> str:
    if not _ABBR.fullmatch(abbr):
        raise UnitError(
            "agency.config_invalid",
            f"Ký hiệu “{abbr}” không hợp lệ: 1–16 chữ in hoa không dấu hoặc chữ số (ví dụ NNMT).",
            field,
        )
    return abbr


def reserved_unit(code: str) -> tuple[Level, str] | None:
    """For a code in a generated pattern, the level and code of the unit it names."""
    for pattern, level in _RESERVED:
        match = pattern.fullmatch(code)
        if match:
            return level, match.group(2)
    return None


def uses_reserved_prefix(code: str) -> bool:
    return code.startswith(_RESERVED_PREFIXES)


def _seat(unit: Unit) -> str:
    return f"{unit.kind.label} {unit.short_name_vi}"  # "xã Tả Van", "thành phố Hà Nội"


def _level_word(unit: Unit) -> str:
    return "TINH" if unit.level is Level.PROVINCE else "XA"


def peoples_committee(unit: Unit) -> Agency:
    return Agency(
        f"UBND-{_level_word(unit)}-{unit.code}",
        f"Ủy ban nhân dân {_seat(unit)}",
        AgencyKind.PEOPLES_COMMITTEE,
        unit.code,
    )


def front_committee(unit: Unit) -> Agency:
    return Agency(
        f"MTTQ-{_level_word(unit)}-{unit.code}",
        f"Ủy ban Mặt trận Tổ quốc Việt Nam {_seat(unit)}",
        AgencyKind.FRONT_COMMITTEE,
        unit.code,
    )


def specialised_agency(unit: Unit, abbr: str, name_vi: str) -> Agency:
    """A department of a province ("SO-NNMT-15") or an office of a commune ("PHONG-KT-03006")."""
    if unit.level is Level.PROVINCE:
        return Agency(f"SO-{abbr}-{unit.code}", f"{name_vi} {_seat(unit)}", AgencyKind.DEPARTMENT, unit.code)
    return Agency(
        f"PHONG-{abbr}-{unit.code}", f"{name_vi} {_seat(unit)}", AgencyKind.COMMUNE_OFFICE, unit.code
    )
