"""Days the government moves each year: swapped days off and the Saturdays worked to make them up.

The `holidays` package already has the statutory holidays, the compensatory days (nghỉ bù) and most
swapped days off (hoán đổi). What it cannot express is the other half of a swap: a Saturday that
becomes a working day for public bodies. Those, and swaps the package does not know yet, are listed
here. Swaps apply to cán bộ, công chức, viên chức on a Monday-to-Friday week, which is the calendar
of the agencies that answer petitions. Provinces and later announcements add their own through
`WorkingCalendar(overrides=...)` or `WorkingCalendar.with_overrides(...)`.

Tết 2025 (Sat 25/01 - Sun 02/02) and Tết 2026 (Sat 14/02 - Sun 22/02, nine days; congan.com.vn,
vietnammedia.vnanet.vn 17/10/2025) need no entry: their five statutory days fall Monday to Friday, the
package has them, and the weekends make up the nine days. Likewise National Day 2025 (30/08 - 02/09).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from langnghe.domain.clocks.unconfirmed import NATIONAL_DAY_2026_MAKEUP_SATURDAY


class OverrideKind(StrEnum):
    DAY_OFF = "day_off"
    WORKING_DAY = "working_day"


@dataclass(frozen=True)
class DayOverride:
    day: date
    kind: OverrideKind
    name_vi: str
    source: str
    confirmed: bool = True


ANNOUNCED_OVERRIDES: Final[tuple[DayOverride, ...]] = (
    DayOverride(
        date(2024, 5, 4),
        OverrideKind.WORKING_DAY,
        "Làm bù cho ngày nghỉ thứ Hai 29/04/2024",
        "Công văn 2450/VPCP-KGVX (12/04/2024), reported by baotintuc.vn; the day off is in the "
        "holidays package",
    ),
    DayOverride(
        date(2025, 4, 26),
        OverrideKind.WORKING_DAY,
        "Làm bù cho ngày nghỉ thứ Sáu 02/05/2025",
        "Swap announced for 30/4-1/5/2025, reported by tet-amlich.com; the day off is in the "
        "holidays package",
    ),
    DayOverride(
        date(2026, 1, 2),
        OverrideKind.DAY_OFF,
        "Nghỉ Tết Dương lịch (hoán đổi với thứ Bảy 10/01/2026)",
        "Văn bản 12729/VPCP-KGVX (25/12/2025), as reported in the press; not in holidays 0.109",
    ),
    DayOverride(
        date(2026, 1, 10),
        OverrideKind.WORKING_DAY,
        "Làm bù cho ngày nghỉ thứ Sáu 02/01/2026",
        "Văn bản 12729/VPCP-KGVX (25/12/2025), as reported in the press",
    ),
    DayOverride(
        NATIONAL_DAY_2026_MAKEUP_SATURDAY.value,
        OverrideKind.WORKING_DAY,
        "Làm bù cho ngày nghỉ thứ Hai 31/08/2026",
        "holidays 0.109 (its 31/08/2026 substituted day off); see unconfirmed.py",
        confirmed=False,
    ),
)
