"""`POST /v1/petitions` over HTTP, on the in-memory event store, through both of its paths: the
ASGI fast path (a JSON body that validates) and FastAPI's route (everything else, and the
reference). The same request must get the same answer either way; a `+json` content type,
which the fast path leaves to FastAPI, sends a request through the route."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.service.harness import running

from langnghe.contracts.codec import REGISTRY, UnknownEvent
from langnghe.contracts.events.petition import PetitionReceived
from langnghe.contracts.subjects import petition_subject
from langnghe.intake.app import create_app
from langnghe.intake.settings import IntakeSettings
from langnghe.runtime.eventstore import InMemoryEventStore

FAST = "application/json"
ROUTE = "application/vnd.langnghe+json"


@pytest.fixture(scope="module")
def store() -> InMemoryEventStore:
    """One store per module, as one nats-server was: apps come and go, events stay."""
    return InMemoryEventStore()


@pytest.fixture
async def intake(store: InMemoryEventStore, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app, IntakeSettings, None, tmp_path / "intake.db", store=store) as client:
        yield client


def petition(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "province_code": "15",
        "commune_code": "03006",
        "channel": "citizen_reception",
        "content": "Đề nghị lắp đèn chiếu sáng đoạn đường từ trường tiểu học về thôn.",
        "citizen": {"full_name": "Nguyễn Thị Lan", "phone": "0912 345 678"},
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


async def post(
    client: httpx.AsyncClient, body: bytes | dict[str, Any], content_type: str | None, **headers: str
) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    sent = {k.replace("_", "-"): v for k, v in headers.items()}
    if content_type is not None:
        sent["content-type"] = content_type
    return await client.post("/v1/petitions", content=raw, headers=sent)


async def both(
    client: httpx.AsyncClient, body: bytes | dict[str, Any], **headers: str
) -> tuple[httpx.Response, httpx.Response]:
    return await post(client, body, FAST, **headers), await post(client, body, ROUTE, **headers)


@pytest.mark.parametrize(
    ("body", "headers", "code", "field"),
    [
        (petition(content=None), {}, "validation.missing", "content"),
        (petition(province_code="1"), {}, "validation.string_pattern_mismatch", "province_code"),
        (petition(channel="fax"), {}, "validation.enum", "channel"),
        (petition(budget=1), {}, "validation.extra_forbidden", "budget"),
        (petition(content="x" * 20_001), {}, "validation.string_too_long", "content"),
        (petition(citizen={"phone": "gọi tôi"}), {}, "validation.string_pattern_mismatch", "citizen.phone"),
        (b'{"province_code": "15", ', {}, "validation.json_invalid", None),
        (b"[]", {}, "validation.model_attributes_type", None),
        (petition(), {"Idempotency_Key": "k" * 129}, "validation.string_too_long", "idempotency-key"),
        (petition(), {"X_Actor_Ref": "a" * 129}, "validation.string_too_long", "x-actor-ref"),
    ],
)
async def test_a_refused_request_gets_the_routes_answer_on_both_paths(
    intake: httpx.AsyncClient,
    body: bytes | dict[str, Any],
    headers: dict[str, str],
    code: str,
    field: str | None,
) -> None:
    fast, route = await both(intake, body, **headers)
    assert fast.status_code == route.status_code == 422, (fast.text, route.text)
    assert fast.json() == route.json()
    error = fast.json()["errors"][0]
    assert error["code"] == code
    if field is not None:
        assert error["field"] == field
    assert error["message"] and error["message"] != error["code"]  # a Vietnamese sentence


async def test_an_accepted_petition_has_the_same_answer_on_both_paths(intake: httpx.AsyncClient) -> None:
    fast, route = await both(intake, petition(), X_Correlation_Id="corr-123")
    assert fast.status_code == route.status_code == 202, (fast.text, route.text)
    for r in (fast, route):
        body = r.json()
        assert set(body) == {"petition_id", "code", "stream_seq", "replayed", "status_url", "idempotency_key"}
        assert body["replayed"] is False
        # No key sent: the one the server used comes back, in the body and the header.
        assert len(body["idempotency_key"]) == 32
        assert r.headers["idempotency-key"] == body["idempotency_key"]
        assert body["code"].startswith("KN-15-")
        assert body["status_url"] == f"/v1/petitions/{body['petition_id']}"
        assert r.headers["content-type"].startswith("application/json")
        assert r.headers["x-correlation-id"] == "corr-123"
    assert fast.json()["petition_id"] != route.json()["petition_id"]  # no key: two petitions


async def test_a_body_without_content_type_is_json(intake: httpx.AsyncClient) -> None:
    r = await post(intake, petition(citizen=None), None)
    assert r.status_code == 202, r.text
    assert r.json()["replayed"] is False


async def test_a_retry_is_recognised_whichever_path_it_takes(intake: httpx.AsyncClient) -> None:
    key = uuid.uuid4().hex
    first = await post(intake, petition(), FAST, Idempotency_Key=key)
    again = await post(intake, petition(), FAST, Idempotency_Key=key)
    via_route = await post(intake, petition(), ROUTE, Idempotency_Key=key)
    assert first.status_code == again.status_code == via_route.status_code == 202
    ids = {r.json()["petition_id"] for r in (first, again, via_route)}
    assert len(ids) == 1
    assert (first.json()["replayed"], again.json()["replayed"], via_route.json()["replayed"]) == (
        False,
        True,
        True,
    )
    assert first.json()["stream_seq"] == again.json()["stream_seq"] == via_route.json()["stream_seq"]

    fast, route = await both(intake, petition(content="Một kiến nghị khác hẳn."), Idempotency_Key=key)
    assert fast.status_code == route.status_code == 409
    assert fast.json() == route.json()
    assert fast.json()["errors"][0]["code"] == "idempotency.key_reused"


async def test_a_refusal_by_the_domain_is_the_same_on_both_paths(intake: httpx.AsyncClient) -> None:
    """A commune outside the province passes the model and is refused by the decision."""
    fast, route = await both(intake, petition(commune_code="00001"))
    assert fast.status_code == route.status_code
    assert fast.status_code == 422, fast.text
    assert fast.json() == route.json()
    assert fast.json()["errors"][0]["code"] in {
        "petition.unknown_commune",
        "petition.commune_outside_province",
    }


@pytest.mark.parametrize("with_contact", [True, False], ids=["contact", "anonymous"])
async def test_the_stored_event_refers_to_the_contact_the_vault_holds(
    intake: httpx.AsyncClient, store: InMemoryEventStore, tmp_path: Path, with_contact: bool
) -> None:
    """The event carries the vault's reference to the contact (never the contact), the code
    and the time the vault recorded; a retry appends nothing new."""
    key = uuid.uuid4().hex
    body = petition() if with_contact else petition(citizen=None)
    first = await post(intake, body, FAST, Idempotency_Key=key)
    again = await post(intake, body, ROUTE, Idempotency_Key=key)
    assert first.status_code == again.status_code == 202
    accepted = first.json()
    with sqlite3.connect(tmp_path / "intake.db") as db:
        citizen_ref, received_at = db.execute(
            "SELECT citizen_ref, received_at FROM submissions WHERE idempotency_key = ?", (key,)
        ).fetchone()
    assert (citizen_ref is not None) == with_contact
    subject = petition_subject("15", accepted["petition_id"])
    last, _ = await store.last_seq_of(subject)
    [stored] = await store.read_range(subject, last, last)
    assert stored.seq == accepted["stream_seq"] == again.json()["stream_seq"]
    envelope = REGISTRY.decode(stored.data)
    assert not isinstance(envelope, UnknownEvent)
    event = envelope.event
    assert isinstance(event, PetitionReceived)
    assert event.citizen_ref == citizen_ref
    assert event.code == accepted["code"]
    assert "Nguyễn Thị Lan" not in stored.data.decode() and "0912" not in stored.data.decode()
    assert envelope.meta.occurred_at.replace(tzinfo=None) == datetime.fromisoformat(received_at).replace(
        tzinfo=None
    )
