"""Conference plans over HTTP, on the in-memory event store (no nats-server): a unit's plan
for a year or a quarter, set, revised, read back, and refused when it names units that are not
where it says."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.service.harness import running

from langnghe.contracts.codec import Envelope
from langnghe.contracts.subjects import conference_plan_subject
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.intake.app import create_app
from langnghe.intake.settings import IntakeSettings
from langnghe.runtime.eventstore import InMemoryEventStore

YEAR = vietnam_date(datetime.now(UTC)).year


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def quarterly(unit_code: str, count: int = 1) -> list[dict[str, Any]]:
    return [{"unit_code": unit_code, "level": "commune", "quarter": q, "count": count} for q in (1, 2, 3, 4)]


@pytest.fixture(scope="module")
def store() -> InMemoryEventStore:
    """One store per module, as one nats-server was: apps come and go, events stay."""
    return InMemoryEventStore()


@pytest.fixture
async def intake(store: InMemoryEventStore, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app, IntakeSettings, None, tmp_path / "intake.db", store=store) as client:
        yield client


async def test_a_province_plan_is_set_revised_and_read_back(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    # Lào Cai's plan for the year: one dialogue a quarter in Sa Pa and in Tả Van.
    url = f"/v1/conference-plans/15/{YEAR}"
    body = {"lines": quarterly("03006") + quarterly("03037"), "document_number": "12/KH-UBND"}
    r = await intake.put(url, json=body, headers=key())
    assert r.status_code == 200, r.text
    assert r.json()["plan_id"] == f"plan-15-{YEAR}"
    assert r.json()["events"] == ["conference.plan_set"]
    assert r.json()["status_url"] == url

    # The same plan again changes nothing; a revised one replaces it.
    r = await intake.put(url, json=body, headers=key())
    assert (r.status_code, r.json()["events"]) == (200, [])
    revised = {**body, "lines": quarterly("03006", count=2) + quarterly("03037")}
    r = await intake.put(url, json=revised, headers=key())
    assert r.json()["events"] == ["conference.plan_set"]

    r = await intake.get(url)
    assert r.status_code == 200, r.text
    plan = r.json()
    assert {k: plan[k] for k in ("province_code", "issuer_unit_code", "issuer_name", "period", "year")} == {
        "province_code": "15",
        "issuer_unit_code": "15",
        "issuer_name": "Tỉnh Lào Cai",
        "period": str(YEAR),
        "year": YEAR,
    }
    assert (plan["quarter"], plan["kind"], plan["document_number"]) == (
        None,
        "dialogue_conference",
        "12/KH-UBND",
    )
    assert (plan["planned_total"], plan["revisions"], plan["version"]) == (12, 1, 2)
    assert plan["lines"][0] == {
        "unit_code": "03006",
        "unit_name": "Phường Sa Pa",
        "level": "commune",
        "quarter": 1,
        "count": 2,
    }

    loaded = await store.load(conference_plan_subject("15", f"plan-15-{YEAR}"))
    envelopes = [r.envelope for r in loaded.events]
    assert all(isinstance(e, Envelope) and e.event.type == "conference.plan_set" for e in envelopes)
    assert len(envelopes) == 2
    assert plan["stream_seq"] == loaded.last_seq


async def test_a_commune_quarter_plan_is_filed_under_its_province(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    url = f"/v1/conference-plans/03006/{YEAR}-Q2"
    lines = [{"unit_code": "03006", "level": "commune", "quarter": 2, "count": 1}]
    r = await intake.put(url, json={"lines": lines}, headers=key())
    assert r.status_code == 200, r.text
    plan_id = r.json()["plan_id"]
    assert plan_id == f"plan-03006-{YEAR}-q2"
    assert (await store.load(conference_plan_subject("15", plan_id))).exists
    plan = (await intake.get(url)).json()
    assert (plan["province_code"], plan["quarter"], plan["period"]) == ("15", 2, f"{YEAR}-Q2")


async def test_plans_naming_units_elsewhere_or_bad_periods_are_refused(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    before = await store.stream_last_seq()
    cases: list[tuple[str, dict[str, Any], int, str, str]] = [
        (
            f"15/{YEAR}",
            {"lines": quarterly("00004")},
            422,
            "reference.unit_outside_province",
            "lines[0].unit_code",
        ),
        (f"15/{YEAR}", {"lines": quarterly("77777")}, 422, "reference.unknown_unit", "lines[0].unit_code"),
        (f"15/{YEAR}", {"lines": []}, 422, "conference.plan_empty", "lines"),
        (f"15/{YEAR}-Q5", {"lines": quarterly("03006")}, 422, "conference.plan_period_invalid", "period"),
        ("15/1999", {"lines": quarterly("03006")}, 422, "conference.plan_period_invalid", "period"),
        (
            f"15/{YEAR}-Q1",
            {"lines": quarterly("03006")},
            422,
            "conference.plan_line_outside_period",
            "lines[1].quarter",
        ),
        (f"88888/{YEAR}", {"lines": quarterly("03006")}, 422, "reference.unknown_unit", "issuer_unit_code"),
        (f"15/{YEAR}", {"lines": quarterly("03006"), "extra": 1}, 422, "validation.extra_forbidden", "extra"),
    ]
    for path, body, status, code, field in cases:
        r = await intake.put(f"/v1/conference-plans/{path}", json=body, headers=key())
        assert r.status_code == status, (path, r.text)
        detail = r.json()["errors"][0]
        assert (detail["code"], detail["field"]) == (code, field), r.text
        assert detail["message"]
    assert await store.stream_last_seq() == before


async def test_a_plan_never_set_is_not_found(intake: httpx.AsyncClient) -> None:
    r = await intake.get(f"/v1/conference-plans/03037/{YEAR}-Q3")
    assert r.status_code == 404
    assert r.json()["errors"][0] == {
        "code": "conference.plan_not_found",
        "field": None,
        "message": "Đơn vị này chưa có kế hoạch tổ chức hội nghị cho kỳ này.",
    }
