"""HTTP conventions shared by every service: errors, health, operator endpoints, AsyncAPI.

Errors carry a stable machine-readable `code`, the offending `field` and a Vietnamese
`message` a clerk can act on.
"""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING, Any

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from langnghe.domain.errors import DomainError

if TYPE_CHECKING:
    from langnghe.runtime.service import ServiceRuntime


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


def _field_of(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


def _error_response(status: int, detail: ErrorDetail) -> JSONResponse:
    return JSONResponse(ErrorBody(errors=[detail]).model_dump(), status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    """The one mapping from refusals to HTTP, the same in every service."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error_response(exc.status, exc.detail)

    @app.exception_handler(DomainError)
    async def _domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return _error_response(exc.status, ErrorDetail(code=exc.code, field=exc.field, message=exc.message))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = []
        for err in exc.errors():
            kind = str(err.get("type", "value_error"))
            ctx = err.get("ctx") or {}
            message = str(ctx.get("vi") or _VALIDATION_MESSAGES.get(kind, "Giá trị không hợp lệ."))
            details.append(
                ErrorDetail(
                    code=f"validation.{kind}", field=_field_of(tuple(err.get("loc", ()))), message=message
                )
            )
        return JSONResponse(ErrorBody(errors=details).model_dump(), status_code=422)


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


def ops_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["vận hành (operations)"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str | int]:
        return {"status": "ok", "service": runtime.name, "pid": os.getpid()}

    @router.get("/readyz", summary="NATS connected, database reachable, consumers bound")
    async def readyz() -> JSONResponse:
        report = await runtime.readiness()
        return JSONResponse(report, status_code=200 if report["ready"] else 503)

    @router.get("/ops/consumers", summary="Consumer positions and lag")
    async def consumers() -> list[dict[str, Any]]:
        return await runtime.consumer_lag()

    @router.get("/ops/parked", summary="Parked aggregates (events that kept failing), per consumer")
    async def parked() -> list[dict[str, Any]]:
        return await runtime.parked()

    @router.post("/ops/parked/{consumer}/{aggregate_id}/redrive", summary="Re-apply a parked aggregate")
    async def redrive(consumer: str, aggregate_id: str) -> dict[str, Any]:
        runner = runtime.runner(consumer)
        if runner is None:
            raise ApiError(404, "ops.unknown_consumer", "Không có consumer này trong dịch vụ.", "consumer")
        return await runner.redrive(aggregate_id)

    @router.get("/asyncapi.json", summary="AsyncAPI 3.0 document generated by FastStream")
    async def asyncapi_json() -> Response:
        return Response(runtime.asyncapi().to_json(), media_type="application/json")

    @router.get("/asyncapi", response_class=HTMLResponse, summary="AsyncAPI document, human-readable")
    async def asyncapi_html() -> HTMLResponse:
        from faststream.specification import get_asyncapi_html

        return HTMLResponse(get_asyncapi_html(runtime.asyncapi()))

    return router
