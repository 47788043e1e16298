"""How intake's refusals become HTTP errors: the domain's own status, stable code, field and
Vietnamese message; the event store's failures as 409 (it kept changing) and 503 (no answer)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from langnghe.intake.domain.conference import ConferenceRuleBroken
from langnghe.intake.domain.references import ReferenceRefused
from langnghe.intake.domain.supervision import SupervisionRuleBroken
from langnghe.runtime.eventstore import ConcurrencyConflict, EventStoreUnavailable
from langnghe.runtime.http import ApiError, ErrorBody

RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Không tìm thấy"},
    409: {"model": ErrorBody, "description": "Trạng thái hiện tại không cho phép thao tác này"},
    422: {"model": ErrorBody, "description": "Dữ liệu không hợp lệ"},
    503: {"model": ErrorBody, "description": "Kho sự kiện tạm thời không trả lời"},
}
#: A creation names nothing that could be missing.
CREATION_RESPONSES: dict[int | str, dict[str, Any]] = {code: RESPONSES[code] for code in (409, 422, 503)}


@contextmanager
def refusals_as_api_errors() -> Iterator[None]:
    try:
        yield
    except (ConferenceRuleBroken, SupervisionRuleBroken, ReferenceRefused) as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc
    except ConcurrencyConflict as exc:  # still conflicting after `execute`'s retries
        raise ApiError(
            409,
            "store.concurrent_change",
            "Hồ sơ vừa được người khác cập nhật cùng lúc; vui lòng tải lại và thử lại.",
        ) from exc
    except EventStoreUnavailable as exc:
        raise ApiError(
            503,
            "store.unavailable",
            "Hệ thống tạm thời chưa ghi nhận được; "
            "vui lòng thử lại sau ít phút với cùng khóa Idempotency-Key.",
        ) from exc
