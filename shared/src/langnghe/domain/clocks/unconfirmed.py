"""Every legal or calendar figure the clocks use without confirmation, in one place.

"Confirmed" here means: stated by the secondary legal sites consulted, with no doubt about it
recorded here. Nothing has yet been checked against the official gazette (Công báo, vbpl.vn).

The figures below are the values the code actually uses: statutes.py and overrides.py import them
from here, so correcting one is a change to this file. Each owner also names the figure's key
(`StatutePolicy.unconfirmed`, `DayOverride.confirmed=False`), and tests/unit/test_clocks.py checks that
every key is in `REGISTRY` with the value the owner uses, and that `REGISTRY` lists nothing stale.

To confirm a figure: move its value into its owner, drop the key there, delete the entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Generic, TypeVar

from langnghe.domain.clocks.day_kind import DayKind

T = TypeVar("T")


@dataclass(frozen=True)
class UnconfirmedFigure(Generic[T]):
    key: str
    value: T
    reason: str
    verify_against: str


# Why calendar days wherever the unit is unclear: a calendar-day clock never ends later than the
# working-day reading of the same number, so an error shows a petition as due early, never late.

COMPLAINT_DAY_KIND: Final = UnconfirmedFigure(
    key="complaint.day_kind",
    value=DayKind.CALENDAR,
    reason=(
        "Luật Khiếu nại 2011 Arts. 27, 28 and 37 say 'ngày' without a unit. Secondary sources read "
        "calendar days, but provincial procedure sheets written under Nghị định 124/2020/NĐ-CP state "
        "'10 ngày làm việc' for acceptance. Calendar days chosen (the earlier of the two readings)."
    ),
    verify_against=(
        "Luật Khiếu nại 2011 (consolidated 03/VBHN-VPQH 2021) and Nghị định 124/2020/NĐ-CP on vbpl.vn"
    ),
)

DENUNCIATION_DAY_KIND: Final = UnconfirmedFigure(
    key="denunciation.day_kind",
    value=DayKind.CALENDAR,
    reason=(
        "Luật Tố cáo 2018 Art. 30 says '30 ngày' and extensions of 'không quá 30 ngày'; Art. 29 of "
        "the same law says 'ngày làm việc' for the acceptance notice, which suggests a bare 'ngày' "
        "is a calendar day. Not confirmed."
    ),
    verify_against="Luật Tố cáo 2018 (25/2018/QH14) Arts. 29-30 and its guiding decree on vbpl.vn",
)

VOTERS_PETITION_DAY_KIND: Final = UnconfirmedFigure(
    key="voters_petition.day_kind",
    value=DayKind.CALENDAR,
    reason=(
        "QĐ 33/2017/QĐ-TTg Art. 12(1) as amended by QĐ 30/2020/QĐ-TTg says '60 ngày'; the same "
        "regulation says 'ngày làm việc' for the 5-day coordination request, which suggests calendar "
        "days. Also unchecked: whether NQLT 72/2025/NQLT-UBTVQH15-CP-ĐCTUBTWMTTQVN changed the "
        "answer deadline."
    ),
    verify_against="QĐ 33/2017/QĐ-TTg as amended by QĐ 30/2020/QĐ-TTg; NQLT 72/2025 (20/02/2025)",
)

DIALOGUE_RESULTS_DAY_KIND: Final = UnconfirmedFigure(
    key="dialogue_results.day_kind",
    value=DayKind.CALENDAR,
    reason=(
        "Luật Tổ chức chính quyền địa phương 2025 Art. 43, as reported (vietnam.vn Q&A citing "
        "daibieunhandan.vn): results announced 'within 10 days'; the unit is not stated in the "
        "report."
    ),
    verify_against="Luật Tổ chức chính quyền địa phương 2025, Art. 43, on vbpl.vn",
)

VIETNAM_CULTURE_DAY_OFF: Final = UnconfirmedFigure(
    key="calendar.vietnam_culture_day_off",
    value=True,
    reason=(
        "The holidays package lists 24/11 (Ngày Văn hóa Việt Nam) as a public holiday from 2026, "
        "citing Resolution 80-NQ/TW. As of 26/02/2026 the Government had only asked for Bộ luật Lao "
        "động Art. 112(1) to be amended (Nghị quyết 30/NQ-CP; vneconomy.vn, vnexpress.net): whether "
        "the amendment is in force, and from which year, is not confirmed. The package is followed."
    ),
    verify_against="Bộ luật Lao động 2019 Art. 112(1) as amended; the yearly holiday notice of Bộ Nội vụ",
)

NATIONAL_DAY_2026_MAKEUP_SATURDAY: Final = UnconfirmedFigure(
    key="calendar.override.2026-08-22",
    value=date(2026, 8, 22),
    reason=(
        "holidays 0.109 lists Monday 31/08/2026 as a day off 'substituted from 22/08/2026' (and 01/09 as the "
        "second National Day holiday), citing a thuvienphapluat.vn Q&A; not corroborated in our corpora. "
        "Saturday 22/08/2026 is therefore taken as a make-up working day."
    ),
    verify_against="The 2026 National Day notice of Bộ Nội vụ / Văn phòng Chính phủ",
)

REGISTRY: Final[tuple[UnconfirmedFigure[Any], ...]] = (
    COMPLAINT_DAY_KIND,
    DENUNCIATION_DAY_KIND,
    VOTERS_PETITION_DAY_KIND,
    DIALOGUE_RESULTS_DAY_KIND,
    VIETNAM_CULTURE_DAY_OFF,
    NATIONAL_DAY_2026_MAKEUP_SATURDAY,
)

OPEN_QUESTIONS: Final[tuple[str, ...]] = (
    # Open legal questions that the clocks deliberately do not encode (no figure to correct).
    "Recommendations and reflections (kiến nghị, phản ánh) have no statutory clock here: the time limits of "
    "ND 20/2008/NĐ-CP (as amended by ND 92/2017) and Luật Tiếp công dân 2013 Art. 28 ('10 days') are "
    "unconfirmed, and the '15 working days' claim must not be used. Their deadline is the promised date.",
    "Whether Luật Khiếu nại and Luật Tố cáo were amended after 01/07/2025 (abolition of districts) is not "
    "confirmed; the figures above are the pre-2025 texts.",
    "Deadlines for answering MTTQ supervision recommendations (Luật MTTQ 2015, NQLT 403/2017) are unknown.",
    "Make-up working Saturdays are listed from 2024 only; earlier swaps (days off are in the holidays "
    "package) may shift a historic working-day count by one day.",
)
