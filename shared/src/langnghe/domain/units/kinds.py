"""Levels and kinds of administrative units, old and new.

Since 1 July 2025 there are two levels: province (tỉnh, thành phố trực thuộc trung ương) and
commune (xã, phường, đặc khu). Before that a district level (quận, huyện, thị xã, thành phố
thuộc tỉnh) sat between them, and communes included thị trấn. One enum covers both
generations; `Unit` only ever carries the current kinds.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"  # legacy only: abolished on 1 July 2025
    COMMUNE = "commune"

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]


_LEVEL_LABELS = {Level.PROVINCE: "cấp tỉnh", Level.DISTRICT: "cấp huyện", Level.COMMUNE: "cấp xã"}


class UnitKind(StrEnum):
    # province level
    TINH = "tinh"
    THANH_PHO = "thanh_pho"  # centrally-run city; before 2025 also a city under a province
    # district level (legacy)
    QUAN = "quan"
    HUYEN = "huyen"
    THI_XA = "thi_xa"
    # commune level
    XA = "xa"
    PHUONG = "phuong"
    DAC_KHU = "dac_khu"  # special zone, since 2025 (islands that were districts)
    THI_TRAN = "thi_tran"  # legacy: townships became xã or phường in 2025

    @property
    def label(self) -> str:
        """Lower-case Vietnamese name of the kind, as used inside a sentence."""
        return _KIND_PREFIXES[self].lower()

    @property
    def prefix(self) -> str:
        """The kind as it starts a unit's official name: "Thị xã Sa Pa"."""
        return _KIND_PREFIXES[self]


_KIND_PREFIXES = {
    UnitKind.TINH: "Tỉnh",
    UnitKind.THANH_PHO: "Thành phố",
    UnitKind.QUAN: "Quận",
    UnitKind.HUYEN: "Huyện",
    UnitKind.THI_XA: "Thị xã",
    UnitKind.XA: "Xã",
    UnitKind.PHUONG: "Phường",
    UnitKind.DAC_KHU: "Đặc khu",
    UnitKind.THI_TRAN: "Thị trấn",
}

CURRENT_KINDS = {
    Level.PROVINCE: frozenset({UnitKind.TINH, UnitKind.THANH_PHO}),
    Level.COMMUNE: frozenset({UnitKind.XA, UnitKind.PHUONG, UnitKind.DAC_KHU}),
}
