"""MTTQ supervision sessions over HTTP, on the in-memory event store (no nats-server):
planned, held, findings recorded, recommendations issued, each step in the store; refusals in
the wrong order."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.service.harness import running

from langnghe.contracts.codec import Envelope
from langnghe.contracts.subjects import supervision_subject
from langnghe.domain.codes import recommendation_petition_id
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.intake.app import create_app
from langnghe.intake.settings import IntakeSettings
from langnghe.runtime.eventstore import InMemoryEventStore


def days(n: int) -> str:
    return (vietnam_date(datetime.now(UTC)) + timedelta(days=n)).isoformat()


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def session(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "province_code": "15",
        "level": "commune",
        "lead_body_ref": "MTTQ-XA-03006",
        "topic": "Giám sát việc thực hiện kết luận hội nghị đối thoại quý III",
        "supervised_agency_codes": ["UBND-XA-03006", "PHONG-KT-03006"],
        "planned_on": days(0),
    }
    return {**body, **overrides}


RECOMMENDATION = {
    "recommendation_id": "kn-1",
    "addressee_agency_code": "PHONG-KT-03006",
    "content": "Đề nghị hoàn thành cấp giấy chứng nhận cho 12 hộ tổ dân phố số 3 trong quý IV.",
    "field_code": "land",
    "response_due": days(30),
}


@pytest.fixture(scope="module")
def store() -> InMemoryEventStore:
    """One store per module, as one nats-server was: apps come and go, events stay."""
    return InMemoryEventStore()


@pytest.fixture
async def intake(store: InMemoryEventStore, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app, IntakeSettings, None, tmp_path / "intake.db", store=store) as client:
        yield client


def refusal(response: httpx.Response) -> tuple[int, str, str | None]:
    detail = response.json()["errors"][0]
    assert detail["message"]
    return response.status_code, detail["code"], detail["field"]


async def test_a_supervision_session_from_plan_to_recommendation(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    r = await intake.post("/v1/supervisions", json=session(), headers=key())
    assert r.status_code == 201, r.text
    sid = r.json()["session_id"]
    assert sid.startswith("supv-15-")
    assert r.headers["Location"] == f"/v1/supervisions/{sid}"

    r = await intake.post(
        f"/v1/supervisions/{sid}/recommendations",
        json={**RECOMMENDATION, "issued_on": days(0)},
        headers=key(),
    )
    assert refusal(r) == (409, "supervision.not_held", None)

    r = await intake.post(
        f"/v1/supervisions/{sid}/hold",
        json={
            "held_on": days(0),
            "member_refs": ["mttq-uv-01", "mttq-uv-02"],
            "agencies_present": ["UBND-XA-03006"],
        },
        headers=key(),
    )
    assert (r.status_code, r.json()["events"]) == (200, ["supervision.held"]), r.text

    r = await intake.post(
        f"/v1/supervisions/{sid}/recommendations",
        json={**RECOMMENDATION, "issued_on": days(0)},
        headers=key(),
    )
    assert refusal(r) == (409, "supervision.findings_required", None)

    r = await intake.post(
        f"/v1/supervisions/{sid}/findings",
        json={
            "report_date": days(0),
            "report_number": "05/BC-MTTQ",
            "findings": "Phòng Kinh tế mới hoàn thành 3 trên 15 hồ sơ cấp giấy chứng nhận đã hẹn.",
        },
        headers=key(),
    )
    assert (r.status_code, r.json()["events"]) == (200, ["supervision.findings_recorded"]), r.text

    r = await intake.post(
        f"/v1/supervisions/{sid}/recommendations",
        json={**RECOMMENDATION, "issued_on": days(0), "addressee_agency_code": "UBND-XA-00004"},
        headers=key(),
    )
    assert refusal(r) == (422, "reference.agency_outside_province", "addressee_agency_code")
    r = await intake.post(
        f"/v1/supervisions/{sid}/recommendations",
        json={**RECOMMENDATION, "issued_on": days(0), "field_code": "no_such_field"},
        headers=key(),
    )
    assert refusal(r) == (422, "reference.unknown_field", "field_code")

    headers = key()
    for expected in (["supervision.recommendation_issued"], []):  # a retry changes nothing
        r = await intake.post(
            f"/v1/supervisions/{sid}/recommendations",
            json={**RECOMMENDATION, "issued_on": days(0)},
            headers=headers,
        )
        assert (r.status_code, r.json()["events"]) == (200, expected), r.text

    r = await intake.get(f"/v1/supervisions/{sid}")
    assert r.status_code == 200, r.text
    view = r.json()
    assert (view["status"], view["province_code"], view["level"], view["form"]) == (
        "findings_recorded",
        "15",
        "commune",
        "mttq_delegation",
    )
    assert (view["planned_on"], view["held_on"], view["findings_on"]) == (days(0), days(0), days(0))
    assert view["recommendations"] == [
        {
            "recommendation_id": "kn-1",
            "addressee_agency_code": "PHONG-KT-03006",
            "content": RECOMMENDATION["content"],
            "issued_on": days(0),
            "tracking_petition_id": recommendation_petition_id(sid, "kn-1").hex,
        }
    ]

    loaded = await store.load(supervision_subject("15", sid))
    envelopes = [r.envelope for r in loaded.events]
    assert all(isinstance(e, Envelope) for e in envelopes)
    assert [e.event.type for e in envelopes if isinstance(e, Envelope)] == [
        "supervision.planned",
        "supervision.held",
        "supervision.findings_recorded",
        "supervision.recommendation_issued",
    ]
    assert {e.meta.actor.kind for e in envelopes if isinstance(e, Envelope)} == {"mttq"}
    assert view["stream_seq"] == loaded.last_seq


async def test_a_retried_plan_returns_the_same_session(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    headers = key()
    first = await intake.post("/v1/supervisions", json=session(), headers=headers)
    after = await store.stream_last_seq()
    again = await intake.post("/v1/supervisions", json=session(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["session_id"] == first.json()["session_id"]
    assert (first.json()["replayed"], again.json()["replayed"]) == (False, True)
    assert await store.stream_last_seq() == after


async def test_invalid_sessions_are_refused(intake: httpx.AsyncClient, store: InMemoryEventStore) -> None:
    before = await store.stream_last_seq()
    cases = [
        (session(planned_on=days(-1)), (422, "supervision.planned_in_past", "planned_on")),
        (
            session(supervised_agency_codes=[]),
            (422, "supervision.agency_required", "supervised_agency_codes"),
        ),
        (
            session(supervised_agency_codes=["ubnd xa"]),
            (422, "reference.agency_code_invalid", "supervised_agency_codes[0]"),
        ),
        (
            session(supervised_agency_codes=["UBND-XA-03006", "UBND-XA-00004"]),
            (422, "reference.agency_outside_province", "supervised_agency_codes[1]"),
        ),
        (session(province_code="99"), (422, "reference.unknown_province", "province_code")),
        (session(topic="GS"), (422, "supervision.topic_required", "topic")),
    ]
    for body, expected in cases:
        r = await intake.post("/v1/supervisions", json=body, headers=key())
        assert refusal(r) == expected, r.text
    assert await store.stream_last_seq() == before


async def test_an_unknown_session_is_not_found(intake: httpx.AsyncClient) -> None:
    for sid in (f"supv-15-{uuid.uuid4().hex}", f"conf-15-{uuid.uuid4().hex}", "x"):
        r = await intake.get(f"/v1/supervisions/{sid}")
        assert refusal(r) == (404, "supervision.not_found", None)
    r = await intake.post(
        f"/v1/supervisions/supv-15-{uuid.uuid4().hex}/hold",
        json={"held_on": days(0), "member_refs": ["a"]},
        headers=key(),
    )
    assert refusal(r) == (404, "supervision.not_found", None)
