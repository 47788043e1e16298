"""The one mapping from refusals to HTTP: every service's routes raise, and the exception
handlers (and intake's submission fast path) answer with the same status and code for the
same condition."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI

from langnghe.domain.errors import DomainError
from langnghe.intake.domain.conference import ConferenceRuleBroken
from langnghe.intake.domain.references import ReferenceRefused
from langnghe.intake.domain.supervision import SupervisionRuleBroken
from langnghe.runtime.eventstore import (
    AggregateQuarantined,
    ConcurrencyConflict,
    EventStoreUnavailable,
    QuarantinedMessage,
)
from langnghe.runtime.http import ApiError, install_error_handlers, refusal
from langnghe.tracking.domain.errors import PetitionRuleBroken


@pytest.mark.parametrize(
    ("raised", "status", "code", "field"),
    [
        (
            ConferenceRuleBroken("conference.not_held", "Chưa diễn ra.", status=409),
            409,
            "conference.not_held",
            None,
        ),
        (
            SupervisionRuleBroken("supervision.not_found", "Không có.", status=404),
            404,
            "supervision.not_found",
            None,
        ),
        (
            ReferenceRefused("reference.unknown_unit", "Không có.", "unit_code"),
            422,
            "reference.unknown_unit",
            "unit_code",
        ),
        (
            PetitionRuleBroken("petition.not_found", "Không có.", "petition_id", status=404),
            404,
            "petition.not_found",
            "petition_id",
        ),
        (ApiError(409, "rebuild.already_running", "Đang dựng lại."), 409, "rebuild.already_running", None),
        (ConcurrencyConflict("conferences.events.15.x", 3, 4), 409, "store.concurrent_change", None),
        (EventStoreUnavailable("timeout"), 503, "store.unavailable", None),
        (
            AggregateQuarantined(
                "petitions.events.15.p1",
                [QuarantinedMessage("PETITIONS", 7, "petitions.events.15.p1", "bad", datetime.now(UTC))],
            ),
            409,
            "store.aggregate_quarantined",
            None,
        ),
        (AggregateQuarantined(None, []), 409, "store.aggregate_quarantined", None),
    ],
)
def test_each_refusal_has_one_status_and_code(
    raised: Exception, status: int, code: str, field: str | None
) -> None:
    for method in ("GET", "POST"):
        refused = refusal(raised, method)
        assert refused is not None
        assert (refused[0], refused[1].code, refused[1].field) == (status, code, field)
        assert refused[1].message


def test_the_store_unavailable_says_whether_it_was_reading_or_recording() -> None:
    reading, writing = (refusal(EventStoreUnavailable("timeout"), m) for m in ("GET", "POST"))
    assert reading is not None and writing is not None
    assert "đọc" in reading[1].message
    assert "Idempotency-Key" in writing[1].message


def test_anything_else_is_not_a_refusal() -> None:
    assert refusal(KeyError(uuid.uuid4().hex), "POST") is None


async def test_the_handlers_answer_with_the_error_envelope() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/conflict")
    async def conflict() -> None:
        raise ConcurrencyConflict("petitions.events.15.x", 3, 4)

    @app.get("/refused")
    async def refused() -> None:
        raise DomainError("petition.not_found", "Không tìm thấy kiến nghị này.", "petition_id", status=404)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        r1, r2 = await c.post("/conflict"), await c.get("/refused")
    assert r1.status_code == 409
    assert r1.json() == {
        "errors": [
            {
                "code": "store.concurrent_change",
                "field": None,
                "message": "Hồ sơ vừa được người khác cập nhật cùng lúc; vui lòng tải lại và thử lại.",
            }
        ]
    }
    assert r2.status_code == 404
    assert r2.json()["errors"] == [
        {"code": "petition.not_found", "field": "petition_id", "message": "Không tìm thấy kiến nghị này."}
    ]


async def test_bodies_fastapi_cannot_parse_get_the_envelope_with_the_body_as_field() -> None:
    """Invalid UTF-8 used to get FastAPI's {"detail": ...}; malformed JSON named a character
    offset as its field; NUL in text was accepted. Through intake's real submission route."""
    from langnghe.intake.entrypoints import petitions

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(petitions.router)
    # Nothing is written: every request here is refused before the store or the vault is used.
    app.state.runtime = SimpleNamespace(store=None)
    app.state.vault = None
    json_headers = {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        not_utf8 = await c.post("/v1/petitions", content=b'{"content": "\xff\xfe"}', headers=json_headers)
        malformed = await c.post("/v1/petitions", content=b'{"content": ', headers=json_headers)
        nul = await c.post(
            "/v1/petitions",
            json={"province_code": "15", "channel": "online", "content": "Đường\u0000 ngập"},
            headers=json_headers,
        )
        unknown = await c.get("/no/such/route")
        wrong_method = await c.delete("/v1/petitions")
    assert not_utf8.status_code == 422
    assert not_utf8.json()["errors"] == [
        {
            "code": "validation.json_invalid",
            "field": "body",
            "message": "Dữ liệu gửi lên không phải JSON hợp lệ: nội dung phải là văn bản mã hóa UTF-8.",
        }
    ]
    assert malformed.status_code == 422
    assert malformed.json()["errors"] == [
        {
            "code": "validation.json_invalid",
            "field": "body",
            "message": "Dữ liệu gửi lên không phải JSON hợp lệ (lỗi ở ký tự thứ 13).",
        }
    ]
    assert nul.status_code == 422
    [error] = nul.json()["errors"]
    assert (error["code"], error["field"]) == ("validation.control_character", "content")
    assert (unknown.status_code, unknown.json()["errors"][0]["code"]) == (404, "request.not_found")
    assert (wrong_method.status_code, wrong_method.json()["errors"][0]["code"]) == (
        405,
        "request.method_not_allowed",
    )
    assert "allow" in wrong_method.headers
