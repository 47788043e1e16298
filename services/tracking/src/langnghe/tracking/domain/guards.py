"""Rules several decisions share: which states a command may act on, and the checks on text and
dates that read the same wherever they apply."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from langnghe.contracts.events.petition import StatutoryTerm
from langnghe.domain.clocks import COMPLAINT_ACCEPTANCE
from langnghe.tracking.domain.errors import PetitionRuleBroken
from langnghe.tracking.domain.state import PetitionState, Status

MIN_REASON_CHARS: Final = 5
#: How far ahead a promised date may be set: two years. The longest legal clock runs a few
#: months (a denunciation with two extensions, 90 days), and an agency that promises work for
#: next year's budget needs at most the next budget year; a date beyond is a typing error
#: (9999-12-31 was accepted once and made every deadline timer of the petition overflow). It
#: also keeps every stored date far from the end of the calendar the timers count in.
MAX_PROMISE_DAYS: Final = 731


def unique(values: tuple[str, ...]) -> tuple[str, ...]:
    """Order-preserving, blanks dropped (text arrives cleaned, NFC and stripped, from the request)."""
    return tuple(dict.fromkeys(v for v in values if v))


def dmy(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def not_found(field: str | None = None) -> PetitionRuleBroken:
    return PetitionRuleBroken("petition.not_found", "Không tìm thấy kiến nghị này.", field, status=404)


def require_exists(state: PetitionState) -> None:
    if not state.exists:
        raise not_found()


def require_not_ended(state: PetitionState) -> None:
    """Closed, withdrawn and merged petitions accept nothing (a closed one: only reopening)."""
    require_exists(state)
    if state.status is Status.CLOSED:
        raise PetitionRuleBroken(
            "petition.closed", "Kiến nghị đã kết thúc; muốn xử lý tiếp, hãy mở lại kiến nghị.", status=409
        )
    if state.status is Status.WITHDRAWN:
        raise PetitionRuleBroken(
            "petition.withdrawn", "Người kiến nghị đã rút kiến nghị; không thể xử lý tiếp.", status=409
        )
    if state.status is Status.MERGED:
        raise PetitionRuleBroken(
            "petition.merged",
            f"Kiến nghị đã được gộp vào kiến nghị {state.merged_into}; hãy theo dõi ở kiến nghị đó.",
            status=409,
        )


def require_open(state: PetitionState) -> None:
    """Still waiting for an answer: received, assigned or escalated."""
    require_not_ended(state)
    if state.status is Status.ANSWERED:
        raise PetitionRuleBroken(
            "petition.already_answered", "Kiến nghị đã được trả lời; không thể thay đổi nữa.", status=409
        )


def require_answered(state: PetitionState) -> None:
    require_not_ended(state)
    if state.status is not Status.ANSWERED:
        raise PetitionRuleBroken("petition.not_answered", "Kiến nghị chưa được trả lời.", status=409)


def require_reason(value: str | None, field: str = "reason") -> str:
    reason = value or ""
    if len(reason) < MIN_REASON_CHARS:
        raise PetitionRuleBroken(
            "petition.reason_required", f"Cần nêu lý do (ít nhất {MIN_REASON_CHARS} ký tự).", field
        )
    return reason


def require_agency(value: str | None, field: str = "agency_code") -> str:
    agency = value or ""
    if not agency:
        raise PetitionRuleBroken("petition.agency_required", "Cần chọn cơ quan giải quyết.", field)
    return agency


def limits_promise(term: StatutoryTerm | None) -> bool:
    """A resolution clock bounds the promised date; the complaint acceptance clock does not."""
    return term is not None and term.clock != COMPLAINT_ACCEPTANCE.code


def require_valid_promise(
    state: PetitionState,
    promised: date,
    today: date,
    statutory: StatutoryTerm | None,
    field: str = "promised_date",
) -> None:
    if state.received_on is not None and promised < state.received_on:
        raise PetitionRuleBroken(
            "petition.promised_before_receipt",
            "Ngày hẹn trả lời không thể trước ngày tiếp nhận kiến nghị.",
            field,
        )
    if promised < today:
        raise PetitionRuleBroken(
            "petition.promised_in_past", "Ngày hẹn trả lời không thể là một ngày đã qua.", field
        )
    if beyond_horizon(promised, today):
        raise PetitionRuleBroken(
            "petition.promised_too_far",
            f"Ngày hẹn trả lời không thể quá {MAX_PROMISE_DAYS // 365} năm kể từ hôm nay "
            f"(muộn nhất {dmy(today + timedelta(days=MAX_PROMISE_DAYS))}); hãy kiểm tra lại ngày đã nhập.",
            field,
        )
    if statutory is not None and limits_promise(statutory) and promised > statutory.due:
        raise PetitionRuleBroken(
            "petition.promised_after_statutory",
            f"Ngày hẹn trả lời không thể sau thời hạn giải quyết theo luật định ({dmy(statutory.due)}).",
            field,
        )


def beyond_horizon(day: date, today: date) -> bool:
    """A date further ahead than any promise may be (`MAX_PROMISE_DAYS`)."""
    return (day - today).days > MAX_PROMISE_DAYS


def require_not_future(day: date, today: date, field: str, what: str) -> None:
    if day > today:
        raise PetitionRuleBroken("petition.date_in_future", f"{what} không thể sau ngày hôm nay.", field)
