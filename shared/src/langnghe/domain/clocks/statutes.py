"""Every statutory clock, one named constant each.

Figures are from secondary legal sources (each clock's `legal_basis` names the law and article);
none has yet been checked against the official gazette. Those not confirmed are
imported from unconfirmed.py and named in the policy's `unconfirmed` keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from langnghe.domain.clocks.day_kind import DayKind
from langnghe.domain.clocks.unconfirmed import (
    COMPLAINT_DAY_KIND,
    DENUNCIATION_DAY_KIND,
    DIALOGUE_RESULTS_DAY_KIND,
    VOTERS_PETITION_DAY_KIND,
)


@dataclass(frozen=True)
class StatutePolicy:
    code: str
    name_vi: str
    legal_basis: str
    counts_from: str
    day_kind: DayKind
    days: int
    complex_days: int | None = None
    remote_days: int | None = None
    remote_complex_days: int | None = None
    max_extensions: int = 0
    extension_days: int | None = None
    unconfirmed: tuple[str, ...] = ()  # keys into unconfirmed.REGISTRY
    note: str = ""

    def __post_init__(self) -> None:
        if not self.code.isascii() or self.days <= 0:
            raise ValueError(f"bad statute {self.code!r}")
        if (self.max_extensions > 0) != (self.extension_days is not None):
            raise ValueError(f"{self.code}: extensions need both a count and a length")

    @property
    def confirmed(self) -> bool:
        return not self.unconfirmed

    def days_for(self, *, remote_area: bool = False, complex_case: bool = False) -> int:
        """The base period for the case: the most specific variant the statute defines."""
        if remote_area and complex_case and self.remote_complex_days is not None:
            return self.remote_complex_days
        if remote_area and self.remote_days is not None:
            return self.remote_days
        if complex_case and self.complex_days is not None:
            return self.complex_days
        return self.days


@dataclass(frozen=True)
class PromisedDateOnly:
    """A kind of matter with no statutory clock: only the promised date set by the answering side."""

    code: str
    name_vi: str
    basis: str
    note: str = ""


COMPLAINT_ACCEPTANCE: Final = StatutePolicy(
    code="complaint_acceptance",
    name_vi="Thụ lý giải quyết khiếu nại",
    legal_basis="Luật Khiếu nại 2011, Điều 27",
    counts_from="receipt of a complaint within the handler's competence",
    day_kind=COMPLAINT_DAY_KIND.value,
    days=10,
    unconfirmed=(COMPLAINT_DAY_KIND.key,),
    note="Accept (thụ lý) and notify in writing, or state the reasons for not accepting.",
)

COMPLAINT_FIRST_INSTANCE: Final = StatutePolicy(
    code="complaint_first_instance",
    name_vi="Giải quyết khiếu nại lần đầu",
    legal_basis="Luật Khiếu nại 2011, Điều 28",
    counts_from="acceptance (thụ lý)",
    day_kind=COMPLAINT_DAY_KIND.value,
    days=30,
    complex_days=45,
    remote_days=45,
    remote_complex_days=60,
    unconfirmed=(COMPLAINT_DAY_KIND.key,),
    note="Remote: vùng sâu, vùng xa đi lại khó khăn. Includes a dialogue with the complainant.",
)

COMPLAINT_SECOND_INSTANCE: Final = StatutePolicy(
    code="complaint_second_instance",
    name_vi="Giải quyết khiếu nại lần hai",
    legal_basis="Luật Khiếu nại 2011, Điều 37",
    counts_from="acceptance (thụ lý) of the second complaint",
    day_kind=COMPLAINT_DAY_KIND.value,
    days=45,
    complex_days=60,
    remote_days=60,
    remote_complex_days=70,
    unconfirmed=(COMPLAINT_DAY_KIND.key,),
    note="Figures from thanhtra.laocai.gov.vn citing the law and Nghị định 124/2020/NĐ-CP.",
)

DENUNCIATION: Final = StatutePolicy(
    code="denunciation",
    name_vi="Giải quyết tố cáo",
    legal_basis="Luật Tố cáo 2018, Điều 30",
    counts_from="acceptance (thụ lý) of the denunciation",
    day_kind=DENUNCIATION_DAY_KIND.value,
    days=30,
    max_extensions=2,
    extension_days=30,
    unconfirmed=(DENUNCIATION_DAY_KIND.key,),
    note=(
        "Complex cases: one extension of at most 30 days; especially complex cases: two. Each extension "
        "is a written decision sent to the parties. Complexity changes the number of extensions, not the "
        "base period."
    ),
)

DENUNCIATION_ACCEPTANCE_NOTICE: Final = StatutePolicy(
    code="denunciation_acceptance_notice",
    name_vi="Thông báo thụ lý tố cáo",
    legal_basis="Luật Tố cáo 2018, Điều 29",
    counts_from="the acceptance decision",
    day_kind=DayKind.WORKING,
    days=5,
    note="The statute says 'ngày làm việc' explicitly.",
)

VOTERS_PETITION_ANSWER: Final = StatutePolicy(
    code="voters_petition_answer",
    name_vi="Trả lời kiến nghị cử tri do Quốc hội chuyển đến",
    legal_basis="Quyết định 33/2017/QĐ-TTg, Điều 12, sửa đổi bởi Quyết định 30/2020/QĐ-TTg",
    counts_from="receipt of the voters' petition",
    day_kind=VOTERS_PETITION_DAY_KIND.value,
    days=60,
    unconfirmed=(VOTERS_PETITION_DAY_KIND.key,),
    note="From 01/10/2020; previously 40 days, or 50 when several agencies were involved.",
)

DIALOGUE_RESULTS_PUBLICATION: Final = StatutePolicy(
    code="dialogue_results_publication",
    name_vi="Công bố kết quả hội nghị đối thoại cấp xã",
    legal_basis="Luật Tổ chức chính quyền địa phương 2025, Điều 43",
    counts_from="the day of the commune dialogue conference",
    day_kind=DIALOGUE_RESULTS_DAY_KIND.value,
    days=10,
    unconfirmed=(DIALOGUE_RESULTS_DAY_KIND.key,),
    note=(
        "A clock on the conference, not on each opinion: results go to mass media, the commune HQ "
        "and village heads."
    ),
)

DIALOGUE_CONFERENCE_OPINION: Final = PromisedDateOnly(
    code="dialogue_conference_opinion",
    name_vi="Ý kiến, kiến nghị tại hội nghị đối thoại",
    basis="Kết luận hội nghị đối thoại: the head's written conclusions set a specific promised date",
    note="No single statute; the promised date is the only deadline.",
)

RECOMMENDATION_OR_REFLECTION: Final = PromisedDateOnly(
    code="recommendation_or_reflection",
    name_vi="Kiến nghị, phản ánh",
    basis="No statutory processing time confirmed (see unconfirmed.OPEN_QUESTIONS)",
    note="Deadline is the promised date, defaulting per province and field (promised.py).",
)

ALL_STATUTES: Final[tuple[StatutePolicy, ...]] = (
    COMPLAINT_ACCEPTANCE,
    COMPLAINT_FIRST_INSTANCE,
    COMPLAINT_SECOND_INSTANCE,
    DENUNCIATION,
    DENUNCIATION_ACCEPTANCE_NOTICE,
    VOTERS_PETITION_ANSWER,
    DIALOGUE_RESULTS_PUBLICATION,
)

PROMISED_DATE_ONLY: Final[tuple[PromisedDateOnly, ...]] = (
    DIALOGUE_CONFERENCE_OPINION,
    RECOMMENDATION_OR_REFLECTION,
)

_BY_CODE: Final = {statute.code: statute for statute in ALL_STATUTES}


def statute_by_code(code: str) -> StatutePolicy:
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"no statute {code!r}") from None
