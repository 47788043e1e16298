"""Specialised agencies generated for every province (departments) or commune (offices).

The defaults follow the provincial structure after the 2025 ministry mergers, as recalled
from Decree 45/2025/NĐ-CP (to verify against the decree; provinces differ, which is why the
list is configuration). Commune offices have no default: their names depend on the commune's
kind (Phòng Kinh tế in a xã, Phòng Kinh tế, Hạ tầng và Đô thị in a phường), so a province
lists the ones it wants tracked. Names are completed with the unit: "Sở Y tế tỉnh Lào Cai".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SpecialisedAgency:
    abbr: str  # code segment: SO-<abbr>-<province>, PHONG-<abbr>-<commune>
    name_vi: str  # without the unit: "Sở Nông nghiệp và Môi trường"


DEFAULT_DEPARTMENTS = (
    SpecialisedAgency("NV", "Sở Nội vụ"),
    SpecialisedAgency("TP", "Sở Tư pháp"),
    SpecialisedAgency("TC", "Sở Tài chính"),
    SpecialisedAgency("CT", "Sở Công Thương"),
    SpecialisedAgency("NNMT", "Sở Nông nghiệp và Môi trường"),
    SpecialisedAgency("XD", "Sở Xây dựng"),
    SpecialisedAgency("KHCN", "Sở Khoa học và Công nghệ"),
    SpecialisedAgency("VHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    SpecialisedAgency("GDDT", "Sở Giáo dục và Đào tạo"),
    SpecialisedAgency("YT", "Sở Y tế"),
    SpecialisedAgency("TTRA", "Thanh tra"),
)

# Known by abbreviation in configuration, on top of the defaults; only some provinces have them.
OPTIONAL_DEPARTMENTS = (
    SpecialisedAgency("VP", "Văn phòng Ủy ban nhân dân"),
    SpecialisedAgency("DTTG", "Sở Dân tộc và Tôn giáo"),
    SpecialisedAgency("NGV", "Sở Ngoại vụ"),
)

KNOWN_COMMUNE_OFFICES = (
    SpecialisedAgency("VP", "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân"),
    SpecialisedAgency("KT", "Phòng Kinh tế"),
    SpecialisedAgency("KTHTDT", "Phòng Kinh tế, Hạ tầng và Đô thị"),
    SpecialisedAgency("VHXH", "Phòng Văn hóa - Xã hội"),
)

KNOWN_DEPARTMENTS = {d.abbr: d for d in (*DEFAULT_DEPARTMENTS, *OPTIONAL_DEPARTMENTS)}
KNOWN_COMMUNE_OFFICE_ABBRS = {o.abbr: o for o in KNOWN_COMMUNE_OFFICES}
