"""The checks several conference decisions share: whether the conference exists, is
cancelled, held or not yet; a reason long enough; a level that exists on a date; the MTTQ
co-organiser the law requires. Each raises `ConferenceRuleBroken` or returns the cleaned value.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from langnghe.contracts.events.conference import ConferenceKind, UnitLevel
from langnghe.intake.domain.conference import (
    MIN_REASON_CHARS,
    NOT_YET_HELD,
    TWO_LEVEL_GOVERNMENT_SINCE,
    ConferenceRuleBroken,
    ConferenceState,
    Status,
    art43_applies,
)


def unique_nonblank(values: Iterable[str]) -> tuple[str, ...]:
    """Order-preserving, blanks dropped (text arrives cleaned, NFC and stripped, from the request)."""
    return tuple(dict.fromkeys(v for v in values if v))


def require_exists(state: ConferenceState) -> None:
    if not state.exists:
        raise ConferenceRuleBroken("conference.not_found", "Không tìm thấy hội nghị này.", status=404)


def require_not_cancelled(state: ConferenceState) -> None:
    require_exists(state)
    if state.status is Status.CANCELLED:
        raise ConferenceRuleBroken(
            "conference.cancelled", "Hội nghị đã bị hủy; không thể thay đổi nữa.", status=409
        )


def require_not_yet_held(state: ConferenceState) -> None:
    require_not_cancelled(state)
    if state.status not in NOT_YET_HELD:
        raise ConferenceRuleBroken(
            "conference.already_held",
            "Hội nghị đã diễn ra; không thể thay đổi lịch hay hủy hội nghị.",
            status=409,
        )


def require_held(state: ConferenceState) -> None:
    require_not_cancelled(state)
    if not state.is_held:
        raise ConferenceRuleBroken(
            "conference.not_held",
            "Hội nghị chưa diễn ra; hãy ghi nhận việc tổ chức hội nghị trước.",
            status=409,
        )


def require_reason(reason: str) -> str:
    if len(reason) < MIN_REASON_CHARS:
        raise ConferenceRuleBroken(
            "conference.reason_required", f"Cần nêu lý do (ít nhất {MIN_REASON_CHARS} ký tự).", "reason"
        )
    return reason


def require_level_exists_on(level: UnitLevel, on: date, field: str) -> None:
    if level is UnitLevel.DISTRICT and on >= TWO_LEVEL_GOVERNMENT_SINCE:
        raise ConferenceRuleBroken(
            "conference.district_level_abolished",
            "Từ ngày 01/7/2025 không còn cấp huyện; hãy chọn cấp tỉnh hoặc cấp xã.",
            field,
        )


def require_mttq_co_organiser(kind: ConferenceKind, level: UnitLevel, on: date, has_mttq: bool) -> None:
    if art43_applies(kind, level, on) and not has_mttq:
        raise ConferenceRuleBroken(
            "conference.mttq_co_organiser_required",
            "Hội nghị đối thoại cấp xã phải được tổ chức cùng Ủy ban MTTQ Việt Nam cấp xã; "
            "hãy chọn Ủy ban MTTQ phối hợp.",
            "mttq_co_organiser_ref",
        )
