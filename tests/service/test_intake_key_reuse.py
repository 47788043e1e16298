"""An Idempotency-Key reused with a different body on intake's command routes (conferences,
plans, supervisions) is refused with `409 idempotency.key_reused` and writes nothing, as
`POST /v1/petitions` does; the same key with the same body is still a plain replay. On the
in-memory event store: what is checked is the fingerprint carried in the stored events'
metadata, not anything JetStream does (tests/service/test_tracking_lifecycle.py repeats it on
a real nats-server)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.service.harness import running
from tests.service.test_intake_conferences import days, sapa_dialogue
from tests.service.test_intake_plans import YEAR, quarterly
from tests.service.test_intake_supervisions import session

from langnghe.intake.app import create_app
from langnghe.intake.settings import IntakeSettings
from langnghe.runtime.eventstore import InMemoryEventStore

KEY_REUSED = {
    "code": "idempotency.key_reused",
    "field": "Idempotency-Key",
    "message": "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khóa mới.",
}


@pytest.fixture
def store() -> InMemoryEventStore:
    return InMemoryEventStore()


@pytest.fixture
async def intake(store: InMemoryEventStore, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app, IntakeSettings, None, tmp_path / "intake.db", store=store) as client:
        yield client


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def created(intake: httpx.AsyncClient, url: str, body: dict[str, Any], id_field: str) -> str:
    r = await intake.post(url, json=body, headers=key())
    assert r.status_code == 201, r.text
    return str(r.json()[id_field])


async def conference(intake: httpx.AsyncClient) -> str:
    return await created(intake, "/v1/conferences", sapa_dialogue(planned_on=days(10)), "conference_id")


async def supervision(intake: httpx.AsyncClient) -> str:
    return await created(intake, "/v1/supervisions", session(), "session_id")


Setup = Callable[[httpx.AsyncClient], Awaitable[str]]


async def nothing(intake: httpx.AsyncClient) -> str:
    return ""


# (method, url with {id}, setup giving {id}, the first body, a different body)
ROUTES: dict[str, tuple[str, str, Setup, dict[str, Any], dict[str, Any]]] = {
    "conference.schedule": (
        "POST",
        "/v1/conferences",
        nothing,
        sapa_dialogue(),
        sapa_dialogue(topic="Đối thoại về an toàn giao thông"),
    ),
    "conference.postpone": (
        "POST",
        "/v1/conferences/{id}/postpone",
        conference,
        {"new_date": days(20), "reason": "Trùng lịch kỳ họp Hội đồng nhân dân phường"},
        {"new_date": days(21), "reason": "Trùng lịch kỳ họp Hội đồng nhân dân phường"},
    ),
    "conference.cancel": (
        "POST",
        "/v1/conferences/{id}/cancel",
        conference,
        {"reason": "Trùng lịch tiếp công dân định kỳ"},
        {"reason": "Mưa lũ, đường vào xã bị chia cắt"},
    ),
    "conference.set_plan": (
        "PUT",
        f"/v1/conference-plans/15/{YEAR}",
        nothing,
        {"lines": quarterly("03006")},
        {"lines": quarterly("03006", count=2)},
    ),
    "supervision.plan": (
        "POST",
        "/v1/supervisions",
        nothing,
        session(),
        session(topic="Giám sát việc giải quyết đơn thư về đất đai"),
    ),
    "supervision.hold": (
        "POST",
        "/v1/supervisions/{id}/hold",
        supervision,
        {"held_on": days(0), "member_refs": ["mttq-uv-01"], "agencies_present": ["UBND-XA-03006"]},
        {"held_on": days(0), "member_refs": ["mttq-uv-02"], "agencies_present": ["UBND-XA-03006"]},
    ),
}


@pytest.mark.parametrize("route", sorted(ROUTES))
async def test_a_key_reused_with_another_body_is_refused_and_writes_nothing(
    intake: httpx.AsyncClient, store: InMemoryEventStore, route: str
) -> None:
    method, url, setup, body, other = ROUTES[route]
    url = url.format(id=await setup(intake))
    headers = key()
    first = await intake.request(method, url, json=body, headers=headers)
    assert first.status_code in (200, 201), first.text
    after_first = await store.stream_last_seq()

    # Same key, same body (written differently: other key order): the same answer, nothing new.
    again = await intake.request(method, url, json=dict(reversed(body.items())), headers=headers)
    assert again.status_code == first.status_code, again.text
    assert again.json().get("events", []) == [] and again.json()["stream_seq"] == first.json()["stream_seq"]

    reused = await intake.request(method, url, json=other, headers=headers)
    assert reused.status_code == 409, reused.text
    assert reused.json() == {"errors": [KEY_REUSED]}
    assert await store.stream_last_seq() == after_first


async def test_the_refusal_holds_after_a_restart(store: InMemoryEventStore, tmp_path: Path) -> None:
    """What tells the bodies apart is in the log, not in the process: a new process (same log,
    a fresh database) refuses the reused key too."""
    headers = key()
    async with running(create_app, IntakeSettings, None, tmp_path / "a.db", store=store) as intake:
        cid = await conference(intake)
        body = {"new_date": days(20), "reason": "Trùng lịch kỳ họp"}
        first = await intake.post(f"/v1/conferences/{cid}/postpone", json=body, headers=headers)
        assert first.status_code == 200, first.text
    async with running(create_app, IntakeSettings, None, tmp_path / "b.db", store=store) as intake:
        again = await intake.post(f"/v1/conferences/{cid}/postpone", json=body, headers=headers)
        reused = await intake.post(
            f"/v1/conferences/{cid}/postpone", json={**body, "new_date": days(25)}, headers=headers
        )
    assert (again.status_code, again.json()["events"]) == (200, [])
    assert (reused.status_code, reused.json()["errors"][0]["code"]) == (409, "idempotency.key_reused")
