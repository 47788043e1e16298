"""A petition raised at a conference, over HTTP, on the in-memory event store (no
nats-server): it must name a conference of its province that has been held and has not
published its results, and it is then counted at that conference (linked once, however often
the submission is retried)."""

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
from langnghe.contracts.events.conference import ConferenceOpinionLinked
from langnghe.contracts.events.petition import PetitionReceived
from langnghe.contracts.subjects import conference_subject, petition_subject
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.intake.app import create_app
from langnghe.intake.settings import IntakeSettings
from langnghe.runtime.eventstore import InMemoryEventStore


def days(n: int) -> str:
    return (vietnam_date(datetime.now(UTC)) + timedelta(days=n)).isoformat()


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def petition(
    conference_id: str | None, province_code: str = "15", commune_code: str = "03006"
) -> dict[str, Any]:
    return {
        "province_code": province_code,
        "commune_code": commune_code,
        "channel": "dialogue_conference",
        "content": "Đề nghị bố trí thêm điểm thu gom rác thải tại tổ dân phố số 5.",
        "conference_id": conference_id,
    }


@pytest.fixture(scope="module")
def store() -> InMemoryEventStore:
    """One store per module, as one nats-server was: apps come and go, events stay."""
    return InMemoryEventStore()


@pytest.fixture
async def intake(store: InMemoryEventStore, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app, IntakeSettings, None, tmp_path / "intake.db", store=store) as client:
        yield client


async def conference(
    intake: httpx.AsyncClient, *steps: str, province: str = "15", unit: str = "03006"
) -> str:
    """A commune dialogue conference taken through `steps` (hold, conclude, publish, cancel)."""
    r = await intake.post(
        "/v1/conferences",
        json={
            "level": "commune",
            "province_code": province,
            "unit_code": unit,
            "chairs": [{"ref": "chu-tich-ubnd", "role": "government_head"}],
            "planned_on": days(0),
            "mttq_co_organiser_ref": f"MTTQ-XA-{unit}",
            "place": "Hội trường UBND",
        },
        headers=key(),
    )
    assert r.status_code == 201, r.text
    cid: str = r.json()["conference_id"]
    bodies = {
        "hold": {"held_on": days(0), "attendance": 90},
        "conclude": {
            "conclusion_number": "07/TB-UBND",
            "conclusion_date": days(0),
            "text": "Giao các bộ phận chuyên môn giải quyết các ý kiến đã nêu tại hội nghị.",
            "distribution": [f"UBND-XA-{unit}"],
        },
        "publish-results": {"published_on": days(0), "channels": ["headquarters_notice_board"]},
        "cancel": {"reason": "Thiên tai, mưa lũ kéo dài"},
    }
    for step in steps:
        r = await intake.post(f"/v1/conferences/{cid}/{step}", json=bodies[step], headers=key())
        assert r.status_code == 200, r.text
    return cid


def refusal(response: httpx.Response) -> tuple[int, str, str | None]:
    detail = response.json()["errors"][0]
    return response.status_code, detail["code"], detail["field"]


async def test_a_petition_raised_at_a_held_conference_is_counted_there(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    cid = await conference(intake, "hold")
    headers = key()
    r = await intake.post("/v1/petitions", json=petition(cid), headers=headers)
    assert r.status_code == 202, r.text
    pid = r.json()["petition_id"]

    view = (await intake.get(f"/v1/conferences/{cid}")).json()
    assert (view["opinions_count"], view["opinion_ids"]) == (1, [pid])
    received = (await store.load(petition_subject("15", pid))).events[0].envelope
    assert isinstance(received, Envelope)
    assert isinstance(received.event, PetitionReceived)
    assert received.event.conference_id == cid
    linked = (await store.load(conference_subject("15", cid))).events[-1].envelope
    assert isinstance(linked, Envelope)
    assert isinstance(linked.event, ConferenceOpinionLinked)
    assert linked.event.petition_id == pid
    assert linked.meta.correlation_id == received.meta.correlation_id

    # The same submission retried: the same petition, still one link.
    again = await intake.post("/v1/petitions", json=petition(cid), headers=headers)
    assert again.status_code == 202, again.text
    assert (again.json()["petition_id"], again.json()["replayed"]) == (pid, True)
    assert (await intake.get(f"/v1/conferences/{cid}")).json()["opinions_count"] == 1
    events = (await store.load(conference_subject("15", cid))).events
    assert [r.envelope.event.type for r in events if isinstance(r.envelope, Envelope)] == [
        "conference.scheduled",
        "conference.held",
        "conference.opinion_linked",
    ]


async def test_opinions_can_still_be_entered_after_the_conclusions(intake: httpx.AsyncClient) -> None:
    cid = await conference(intake, "hold", "conclude")
    r = await intake.post("/v1/petitions", json=petition(cid), headers=key())
    assert r.status_code == 202, r.text
    assert (await intake.get(f"/v1/conferences/{cid}")).json()["opinions_count"] == 1


async def test_an_unknown_conference_is_refused_and_nothing_is_written(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    before = await store.stream_last_seq()
    headers = key()
    unknown = f"conf-15-{uuid.uuid4().hex}"
    for conference_id in (unknown, "demo-sapa-doi-thoai"):
        r = await intake.post("/v1/petitions", json=petition(conference_id), headers=headers)
        assert refusal(r) == (422, "petition.conference_not_found", "conference_id"), r.text
        assert "Không tìm thấy hội nghị" in r.json()["errors"][0]["message"]
    assert await store.stream_last_seq() == before
    # No submission was recorded under the key either: the corrected request goes through.
    fixed = {**petition(None), "channel": "online"}
    r = await intake.post("/v1/petitions", json=fixed, headers=headers)
    assert r.status_code == 202, r.text


async def test_a_conference_of_another_province_is_not_found(intake: httpx.AsyncClient) -> None:
    cid = await conference(intake, "hold")  # Lào Cai
    r = await intake.post(
        "/v1/petitions", json=petition(cid, province_code="01", commune_code="00004"), headers=key()
    )
    assert refusal(r) == (422, "petition.conference_not_found", "conference_id")


async def test_a_cancelled_conference_takes_no_opinions(intake: httpx.AsyncClient) -> None:
    cid = await conference(intake, "cancel")
    r = await intake.post("/v1/petitions", json=petition(cid), headers=key())
    assert refusal(r) == (409, "petition.conference_cancelled", "conference_id")
    assert "đã bị hủy" in r.json()["errors"][0]["message"]


async def test_a_conference_not_yet_held_takes_no_opinions(intake: httpx.AsyncClient) -> None:
    cid = await conference(intake)
    r = await intake.post("/v1/petitions", json=petition(cid), headers=key())
    assert refusal(r) == (409, "petition.conference_not_held", "conference_id")
    assert "chưa được ghi nhận là đã tổ chức" in r.json()["errors"][0]["message"]


async def test_a_conference_whose_results_are_published_takes_no_more_opinions(
    intake: httpx.AsyncClient,
) -> None:
    cid = await conference(intake, "hold", "conclude", "publish-results")
    r = await intake.post("/v1/petitions", json=petition(cid), headers=key())
    assert refusal(r) == (409, "petition.conference_results_published", "conference_id")


async def test_a_petition_naming_one_conference_cannot_be_linked_to_another(
    intake: httpx.AsyncClient,
) -> None:
    first = await conference(intake, "hold")
    second = await conference(intake, "hold")
    r = await intake.post("/v1/petitions", json=petition(first), headers=key())
    pid = r.json()["petition_id"]
    r = await intake.post(f"/v1/conferences/{second}/opinions", json={"petition_id": pid}, headers=key())
    assert refusal(r) == (409, "conference.petition_of_other_conference", "petition_id")
    assert (await intake.get(f"/v1/conferences/{second}")).json()["opinions_count"] == 0
