"""HTTP conventions shared by every service: errors and the correlation id (the operator's
routes are in `langnghe.runtime.ops_routes`).

Errors carry a stable machine-readable `code`, the offending `field` and a Vietnamese
`message` a clerk can act on. Routes raise (a domain refusal, the event store's failures) and
never translate: `install_error_handlers` maps each condition to one status and one code,
whichever service raised it, and `RESPONSES` documents them for OpenAPI.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from langnghe.domain.errors import DomainError
from langnghe.runtime.eventstore import AggregateQuarantined, ConcurrencyConflict, EventStoreUnavailable


class ErrorDetail(BaseModel):
    code: str
    field: str | None = None
    message: str


class ErrorBody(BaseModel):
    errors: list[ErrorDetail]


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.detail = ErrorDetail(code=code, field=field, message=message)


#: What each error status means, for the `responses=` of a route (OpenAPI); pick with `responses`.
RESPONSES: dict[int, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Không tìm thấy"},
    409: {
        "model": ErrorBody,
        "description": "Trạng thái hiện tại không cho phép thao tác này (kể cả "
        "`store.aggregate_quarantined`: hồ sơ bị cách ly vì một thông điệp không đọc được, "
        "chờ người vận hành hủy hiệu lực)",
    },
    422: {"model": ErrorBody, "description": "Dữ liệu không hợp lệ"},
    503: {"model": ErrorBody, "description": "Kho sự kiện tạm thời không trả lời"},
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of a route, e.g. `responses(404, 409, 422, 503)`."""
    return {status: RESPONSES[status] for status in statuses}


# The event store's two failures, the same code whichever service meets them. A conflict
# reaches a client only once `execute`'s retries are spent: someone else keeps changing it.
STORE_CONFLICT = ErrorDetail(
    code="store.concurrent_change",
    message="Hồ sơ vừa được người khác cập nhật cùng lúc; vui lòng tải lại và thử lại.",
)
STORE_UNAVAILABLE_WRITING = ErrorDetail(
    code="store.unavailable",
    message="Hệ thống tạm thời chưa ghi nhận được; "
    "vui lòng thử lại sau ít phút với cùng khóa Idempotency-Key.",
)
STORE_UNAVAILABLE_READING = ErrorDetail(
    code="store.unavailable", message="Hệ thống tạm thời chưa đọc được; vui lòng thử lại."
)
_READS = frozenset({"GET", "HEAD"})


def quarantined(exc: AggregateQuarantined) -> ErrorDetail:
    """What a clerk sees for an aggregate that meets a message no reader may apply."""
    first = exc.messages[0] if exc.messages else None
    where = f" (luồng {first.stream}, số thứ tự {first.seq})" if first is not None else ""
    void = (
        f'./langnghe void {first.stream} {first.seq} --reason "..."'
        if first is not None
        else "./langnghe void"
    )
    if exc.subject is None:  # a replay of the whole stream (a rebuild) met it
        return ErrorDetail(
            code="store.aggregate_quarantined",
            message=(
                f"Chưa dựng lại được: luồng sự kiện có một thông điệp không đọc được{where}; "
                "bảng số liệu đang dùng không thay đổi. Hãy báo người vận hành xem danh sách tại "
                f"/ops/quarantine, kiểm tra và hủy hiệu lực thông điệp đó ({void}), rồi dựng lại."
            ),
        )
    return ErrorDetail(
        code="store.aggregate_quarantined",
        message=(
            f"Hồ sơ này đang tạm khóa: kho sự kiện có một thông điệp không đọc được{where}, "
            "nên hệ thống không xử lý hồ sơ để tránh sai lệch. Hãy báo người vận hành: họ xem "
            f"danh sách tại /ops/quarantine, kiểm tra và hủy hiệu lực thông điệp đó ({void}); "
            "sau đó thao tác lại như bình thường."
        ),
    )


def refusal(exc: Exception, method: str) -> tuple[int, ErrorDetail] | None:
    """The status and error a client sees for `exc` raised by a `method` request; None for
    anything that is not a refusal (a bug: FastAPI answers 500). The exception handlers and
    intake's submission fast path both answer with it."""
    if isinstance(exc, ApiError):
        return exc.status, exc.detail
    if isinstance(exc, DomainError):
        return exc.status, ErrorDetail(code=exc.code, field=exc.field, message=exc.message)
    if isinstance(exc, ConcurrencyConflict):
        return 409, STORE_CONFLICT
    if isinstance(exc, AggregateQuarantined):
        return 409, quarantined(exc)
    if isinstance(exc, EventStoreUnavailable):
        return 503, STORE_UNAVAILABLE_READING if method in _READS else STORE_UNAVAILABLE_WRITING
    return None


# Vietnamese messages for pydantic's error types, by type. Unknown types fall back to a
# generic message; the English original stays available in logs, not in the response.
_VALIDATION_MESSAGES = {
    "missing": "Thiếu thông tin bắt buộc.",
    "string_too_short": "Nội dung quá ngắn.",
    "string_too_long": "Nội dung quá dài.",
    "string_type": "Giá trị phải là chuỗi ký tự.",
    "string_pattern_mismatch": "Giá trị không đúng định dạng.",
    "enum": "Giá trị không nằm trong danh sách cho phép.",
    "literal_error": "Giá trị không nằm trong danh sách cho phép.",
    "date_from_datetime_parsing": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "date_parsing": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "date_type": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "json_invalid": "Dữ liệu gửi lên không phải JSON hợp lệ.",
    "model_attributes_type": "Dữ liệu gửi lên phải là một đối tượng JSON.",
    "dict_type": "Dữ liệu gửi lên phải là một đối tượng JSON.",
    "int_parsing": "Giá trị phải là số nguyên.",
    "extra_forbidden": "Trường này không được hỗ trợ.",
    "value_error": "Giá trị không hợp lệ.",
}


#: The refusals FastAPI and Starlette raise themselves (no route, another method, a body that
#: cannot be read), answered with the error envelope like every other 4xx.
_HTTP_REFUSALS: dict[int, tuple[str, str]] = {
    400: ("request.malformed", "Yêu cầu không hợp lệ."),
    404: ("request.not_found", "Không có địa chỉ này."),
    405: ("request.method_not_allowed", "Địa chỉ này không nhận phương thức này."),
    413: ("request.too_large", "Dữ liệu gửi lên quá lớn."),
}
BODY_NOT_UTF8 = ErrorDetail(
    code="validation.json_invalid",
    field="body",
    message="Dữ liệu gửi lên không phải JSON hợp lệ: nội dung phải là văn bản mã hóa UTF-8.",
)


def _field_of(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


def _error_response(status: int, detail: ErrorDetail) -> JSONResponse:
    return JSONResponse(ErrorBody(errors=[detail]).model_dump(), status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    """The one mapping from refusals to HTTP, the same in every service."""

    async def _refused(request: Request, exc: Exception) -> JSONResponse:
        refused = refusal(exc, request.method)
        if refused is None:  # not registered for anything else
            raise exc
        return _error_response(*refused)

    for kind in (ApiError, DomainError, ConcurrencyConflict, AggregateQuarantined, EventStoreUnavailable):
        app.add_exception_handler(kind, _refused)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = []
        for err in exc.errors():
            kind = str(err.get("type", "value_error"))
            ctx = err.get("ctx") or {}
            message = str(ctx.get("vi") or _VALIDATION_MESSAGES.get(kind, "Giá trị không hợp lệ."))
            field = _field_of(tuple(err.get("loc", ())))
            if kind == "json_invalid":
                # FastAPI puts the character offset where a field would be: the field is the
                # body, and the offset helps the sender find the fault.
                offset = err.get("loc", ("body",))[-1]
                if isinstance(offset, int):
                    message = f"{message[:-1]} (lỗi ở ký tự thứ {offset + 1})."
                field = "body"
            details.append(ErrorDetail(code=f"validation.{kind}", field=field, message=message))
        return JSONResponse(ErrorBody(errors=details).model_dump(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            # FastAPI answers a body that is not UTF-8 with a bare 400; it is invalid JSON
            # (JSON is UTF-8), refused as malformed JSON is.
            return _error_response(422, BODY_NOT_UTF8)
        code, message = _HTTP_REFUSALS.get(
            exc.status_code, (f"request.http_{exc.status_code}", str(exc.detail))
        )
        response = _error_response(exc.status_code, ErrorDetail(code=code, message=message))
        if exc.headers:
            response.headers.update(exc.headers)
        return response


class CorrelationMiddleware:
    """Binds a correlation id (from `X-Correlation-Id`, else new) to the logs of the request
    and returns it. Plain ASGI: BaseHTTPMiddleware costs a task and a stream per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-correlation-id")
        correlation = incoming.decode("latin-1") if incoming else uuid.uuid4().hex

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-correlation-id", correlation.encode())]
            await send(message)

        with structlog.contextvars.bound_contextvars(correlation_id=correlation, path=scope.get("path")):
            await self.app(scope, receive, send_with_header)


def correlation_middleware(app: FastAPI) -> None:
    app.add_middleware(CorrelationMiddleware)
