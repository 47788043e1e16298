"""Conferences over HTTP, on the in-memory event store (no nats-server): the whole life of a
commune dialogue conference, every kind of refusal, and retries that change nothing."""

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
from langnghe.contracts.subjects import conference_subject
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.intake.app import create_app
from langnghe.intake.settings import IntakeSettings
from langnghe.runtime.eventstore import InMemoryEventStore


def days(n: int) -> str:
    """A date relative to today in Vietnam, as the service counts it."""
    return (vietnam_date(datetime.now(UTC)) + timedelta(days=n)).isoformat()


def key() -> dict[str, str]:
    """A fresh Idempotency-Key: event ids derive from it, and the store drops a repeated
    event id."""
    return {"Idempotency-Key": uuid.uuid4().hex}


def sapa_dialogue(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "dialogue_conference",
        "level": "commune",
        "province_code": "15",
        "unit_code": "03006",
        "chairs": [
            {"ref": "bi-thu-dang-uy-03006", "role": "party_committee_head"},
            {"ref": "chu-tich-ubnd-03006", "role": "government_head"},
        ],
        "planned_on": days(0),
        "mttq_co_organiser_ref": "MTTQ-XA-03006",
        "place": "Hội trường UBND phường Sa Pa",
        "topic": "Đối thoại về quản lý đất đai và trật tự xây dựng",
    }
    return {**body, **overrides}


def petition(conference_id: str | None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "province_code": "15",
        "commune_code": "03006",
        "channel": "dialogue_conference",
        "content": "Đề nghị sớm cấp giấy chứng nhận quyền sử dụng đất cho các hộ tổ dân phố số 3.",
        "conference_id": conference_id,
    }
    return {**body, **overrides}


def error(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert len(body["errors"]) == 1, body
    detail: dict[str, Any] = body["errors"][0]
    return detail


@pytest.fixture(scope="module")
def store() -> InMemoryEventStore:
    """One store per module, as one nats-server was: apps come and go, events stay."""
    return InMemoryEventStore()


@pytest.fixture
async def intake(store: InMemoryEventStore, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app, IntakeSettings, None, tmp_path / "intake.db", store=store) as client:
        yield client


async def stored(store: InMemoryEventStore, conference_id: str, province: str = "15") -> list[Envelope[Any]]:
    loaded = await store.load(conference_subject(province, conference_id))
    envelopes = [r.envelope for r in loaded.events]
    assert all(isinstance(e, Envelope) for e in envelopes)
    return envelopes  # type: ignore[return-value]


async def schedule(intake: httpx.AsyncClient, **overrides: Any) -> str:
    r = await intake.post("/v1/conferences", json=sapa_dialogue(**overrides), headers=key())
    assert r.status_code == 201, r.text
    conference_id: str = r.json()["conference_id"]
    return conference_id


async def held_conference(intake: httpx.AsyncClient) -> str:
    cid = await schedule(intake)
    r = await intake.post(
        f"/v1/conferences/{cid}/hold", json={"held_on": days(0), "attendance": 80}, headers=key()
    )
    assert r.status_code == 200, r.text
    return cid


# -- the whole life ------------------------------------------------------------------------


async def test_a_dialogue_conference_from_scheduling_to_published_results(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    actor = {"X-Actor-Ref": "van-thu-03006"}
    r = await intake.post("/v1/conferences", json=sapa_dialogue(), headers={**key(), **actor})
    assert r.status_code == 201, r.text
    created = r.json()
    cid = created["conference_id"]
    assert cid.startswith("conf-15-")
    assert created["replayed"] is False
    assert r.headers["Location"] == created["status_url"] == f"/v1/conferences/{cid}"

    # Recorded after the fact: announced 20 days before, held 12 days ago, concluded the day
    # after, results published today, i.e. 12 days after it was held.
    r = await intake.post(
        f"/v1/conferences/{cid}/announce",
        json={"announced_on": days(-20), "channels": ["headquarters_notice_board", "loudspeaker"]},
        headers={**key(), **actor},
    )
    assert r.status_code == 200, r.text
    assert r.json()["events"] == ["conference.announced"]

    r = await intake.post(
        f"/v1/conferences/{cid}/hold",
        json={"held_on": days(-12), "attendance": 126, "minutes_ref": "BB-05/2026"},
        headers={**key(), **actor},
    )
    assert r.status_code == 200, r.text
    assert r.json()["events"] == ["conference.held"]

    # Two opinions entered with the conference named; one entered earlier is linked by hand.
    raised = []
    for text in (
        "Đề nghị sớm cấp giấy chứng nhận quyền sử dụng đất cho các hộ tổ dân phố số 3.",
        "Đề nghị sửa chữa tuyến đường Fansipan bị sạt lở sau mưa lớn tháng trước.",
    ):
        r = await intake.post("/v1/petitions", json=petition(cid, content=text), headers=key())
        assert r.status_code == 202, r.text
        raised.append(r.json()["petition_id"])
    r = await intake.post("/v1/petitions", json=petition(None, channel="online"), headers=key())
    assert r.status_code == 202, r.text
    earlier = r.json()["petition_id"]
    r = await intake.post(f"/v1/conferences/{cid}/opinions", json={"petition_id": earlier}, headers=key())
    assert r.status_code == 200, r.text
    assert r.json()["events"] == ["conference.opinion_linked"]

    r = await intake.post(
        f"/v1/conferences/{cid}/conclude",
        json={
            "conclusion_number": "125/TB-UBND",
            "conclusion_date": days(-11),
            "text": "Giao Phòng Kinh tế rà soát hồ sơ cấp giấy chứng nhận, trả lời Nhân dân trước ngày 30.",
            "distribution": ["PHONG-KT-03006", "MTTQ-XA-03006"],
        },
        headers={**key(), **actor},
    )
    assert r.status_code == 200, r.text
    assert r.json()["events"] == ["conference.concluded"]

    r = await intake.get(f"/v1/conferences/{cid}")
    assert r.status_code == 200, r.text
    before = r.json()
    assert before["status"] == "concluded"
    assert before["publish_results_by"] == days(-2)
    assert before["publication_overdue"] is True

    r = await intake.post(
        f"/v1/conferences/{cid}/publish-results",
        json={"published_on": days(0), "channels": ["headquarters_notice_board"]},
        headers={**key(), **actor},
    )
    assert r.status_code == 200, r.text
    assert r.json()["events"] == ["conference.results_published"]

    r = await intake.get(f"/v1/conferences/{cid}")
    assert r.status_code == 200, r.text
    view = r.json()
    assert {k: view[k] for k in ("status", "province_code", "unit_code", "unit_name", "level", "kind")} == {
        "status": "results_published",
        "province_code": "15",
        "unit_code": "03006",
        "unit_name": "Phường Sa Pa",
        "level": "commune",
        "kind": "dialogue_conference",
    }
    assert view["planned_on"] == view["original_planned_on"] == days(0)
    assert view["announced_on"] == days(-20)
    assert view["late_notice"] is False
    assert view["held_on"] == days(-12)
    assert view["attendance"] == 126
    assert view["concluded_on"] == days(-11)
    assert view["results_published_on"] == days(0)
    assert view["late_publication"] is True  # 12 days after it was held: more than 10
    assert view["publication_overdue"] is False  # published, if late
    assert view["art43_applies"] is True
    assert view["announce_by"] == days(-7)
    assert view["opinions_count"] == 3
    assert sorted(view["opinion_ids"]) == sorted([*raised, earlier])
    assert view["chair_roles"] == ["government_head", "party_committee_head"]
    assert view["has_mttq_co_organiser"] is True

    envelopes = await stored(store, cid)
    assert [e.event.type for e in envelopes] == [
        "conference.scheduled",
        "conference.announced",
        "conference.held",
        "conference.opinion_linked",
        "conference.opinion_linked",
        "conference.opinion_linked",
        "conference.concluded",
        "conference.results_published",
    ]
    assert {e.meta.aggregate_type for e in envelopes} == {"conference"}
    assert {e.meta.aggregate_id for e in envelopes} == {cid}
    assert [e.event.petition_id for e in envelopes if e.event.type == "conference.opinion_linked"] == [
        *raised,
        earlier,
    ]
    announced = envelopes[1].event
    assert (announced.notice_days, announced.late_notice) == (20, False)
    published = envelopes[-1].event
    assert (published.days_after_held, published.late_publication) == (12, True)
    assert envelopes[0].meta.actor.ref == "van-thu-03006"
    assert envelopes[0].meta.actor.kind == "clerk"
    assert view["version"] == len(envelopes)


async def test_a_notice_given_on_the_day_is_recorded_as_late(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    cid = await schedule(intake, planned_on=days(3))
    r = await intake.get(f"/v1/conferences/{cid}")
    assert r.json()["notice_overdue"] is True  # 3 days ahead: a notice can no longer be on time

    r = await intake.post(f"/v1/conferences/{cid}/announce", json={"announced_on": days(0)}, headers=key())
    assert r.status_code == 200, r.text

    view = (await intake.get(f"/v1/conferences/{cid}")).json()
    assert (view["status"], view["late_notice"], view["notice_overdue"]) == ("announced", True, False)
    announced = (await stored(store, cid))[-1].event
    assert (announced.notice_days, announced.late_notice) == (3, True)


async def test_a_postponed_conference_keeps_its_first_date_and_needs_a_new_notice(
    intake: httpx.AsyncClient,
) -> None:
    cid = await schedule(intake, planned_on=days(10))
    r = await intake.post(f"/v1/conferences/{cid}/announce", json={"announced_on": days(0)}, headers=key())
    assert r.status_code == 200, r.text
    r = await intake.post(
        f"/v1/conferences/{cid}/postpone",
        json={"new_date": days(20), "reason": "Trùng lịch kỳ họp Hội đồng nhân dân phường"},
        headers=key(),
    )
    assert r.status_code == 200, r.text
    assert r.json()["events"] == ["conference.postponed"]

    view = (await intake.get(f"/v1/conferences/{cid}")).json()
    assert (view["status"], view["planned_on"], view["original_planned_on"]) == (
        "scheduled",
        days(20),
        days(10),
    )
    assert (view["postponements"], view["announced_on"]) == (1, None)


# -- refusals ------------------------------------------------------------------------------


async def test_invalid_requests_are_refused_with_code_field_and_vietnamese_message(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    cases: list[tuple[dict[str, Any], str, str, str]] = [
        (sapa_dialogue(budget=1), "validation.extra_forbidden", "budget", "Trường này không được hỗ trợ."),
        (
            sapa_dialogue(province_code="1"),
            "validation.string_pattern_mismatch",
            "province_code",
            "định dạng",
        ),
        (
            sapa_dialogue(planned_on=days(-1)),
            "conference.planned_in_past",
            "planned_on",
            "Ngày dự kiến tổ chức không thể là một ngày đã qua.",
        ),
        (
            sapa_dialogue(mttq_co_organiser_ref=None),
            "conference.mttq_co_organiser_required",
            "mttq_co_organiser_ref",
            "Ủy ban MTTQ Việt Nam cấp xã",
        ),
        (sapa_dialogue(chairs=[]), "conference.chair_required", "chairs", "người chủ trì"),
        (
            sapa_dialogue(unit_code="00004"),
            "reference.unit_outside_province",
            "unit_code",
            "Phường Ba Đình không thuộc Tỉnh Lào Cai.",
        ),
        (
            sapa_dialogue(level="province"),
            "reference.unit_level_mismatch",
            "unit_code",
            "Phường Sa Pa không phải đơn vị cấp tỉnh.",
        ),
        (sapa_dialogue(province_code="99"), "reference.unknown_province", "province_code", "Không có tỉnh"),
        (
            sapa_dialogue(level="district", unit_code="CU-HUYEN-1840"),
            "conference.district_level_abolished",
            "level",
            "không còn cấp huyện",
        ),
    ]
    for body, code, field, message in cases:
        headers = key()
        r = await intake.post("/v1/conferences", json=body, headers=headers)
        assert r.status_code == 422, (code, r.text)
        detail = error(r)
        assert (detail["code"], detail["field"]) == (code, field)
        assert message in detail["message"]
    before = await store.stream_last_seq()
    r = await intake.post("/v1/conferences", json=sapa_dialogue(planned_on=days(-1)), headers=key())
    assert r.status_code == 422
    assert await store.stream_last_seq() == before  # a refusal writes nothing


async def test_commands_out_of_order_are_refused_as_conflicts(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    cid = await schedule(intake)
    conclude = {
        "conclusion_number": "01/TB-UBND",
        "conclusion_date": days(0),
        "text": "Nội dung kết luận hội nghị đối thoại đầy đủ.",
        "distribution": ["UBND-XA-03006"],
    }
    r = await intake.post(f"/v1/conferences/{cid}/conclude", json=conclude, headers=key())
    assert r.status_code == 409, r.text
    assert error(r) == {
        "code": "conference.not_held",
        "field": None,
        "message": "Hội nghị chưa diễn ra; hãy ghi nhận việc tổ chức hội nghị trước.",
    }
    r = await intake.post(
        f"/v1/conferences/{cid}/publish-results",
        json={"published_on": days(0), "channels": ["web_portal"]},
        headers=key(),
    )
    assert (r.status_code, error(r)["code"]) == (409, "conference.not_held")

    r = await intake.post(
        f"/v1/conferences/{cid}/hold", json={"held_on": days(0), "attendance": 50}, headers=key()
    )
    assert r.status_code == 200, r.text
    r = await intake.post(
        f"/v1/conferences/{cid}/hold", json={"held_on": days(0), "attendance": 50}, headers=key()
    )
    assert (r.status_code, error(r)["code"]) == (409, "conference.already_held")
    r = await intake.post(
        f"/v1/conferences/{cid}/cancel", json={"reason": "Không đủ thành phần tham dự"}, headers=key()
    )
    assert (r.status_code, error(r)["code"]) == (409, "conference.already_held")
    r = await intake.post(
        f"/v1/conferences/{cid}/publish-results",
        json={"published_on": days(0), "channels": ["web_portal"]},
        headers=key(),
    )
    assert (r.status_code, error(r)["code"]) == (409, "conference.not_concluded")
    assert [e.event.type for e in await stored(store, cid)] == ["conference.scheduled", "conference.held"]


async def test_a_cancelled_conference_cannot_be_held(intake: httpx.AsyncClient) -> None:
    cid = await schedule(intake, planned_on=days(5))
    r = await intake.post(f"/v1/conferences/{cid}/cancel", json={"reason": "Mưa bão"}, headers=key())
    assert r.status_code == 200, r.text
    assert (await intake.get(f"/v1/conferences/{cid}")).json()["status"] == "cancelled"
    r = await intake.post(
        f"/v1/conferences/{cid}/hold", json={"held_on": days(0), "attendance": 5}, headers=key()
    )
    assert r.status_code == 409
    assert error(r) == {
        "code": "conference.cancelled",
        "field": None,
        "message": "Hội nghị đã bị hủy; không thể thay đổi nữa.",
    }


async def test_unknown_conferences_are_not_found(intake: httpx.AsyncClient) -> None:
    unknown = f"conf-15-{uuid.uuid4().hex}"
    for path in (f"/v1/conferences/{unknown}", "/v1/conferences/not-an-id", "/v1/conferences/conf-1"):
        r = await intake.get(path)
        assert r.status_code == 404, r.text
        assert error(r) == {
            "code": "conference.not_found",
            "field": None,
            "message": "Không tìm thấy hội nghị này.",
        }
    r = await intake.post(
        f"/v1/conferences/{unknown}/announce", json={"announced_on": days(0)}, headers=key()
    )
    assert (r.status_code, error(r)["code"]) == (404, "conference.not_found")
    r = await intake.post(
        "/v1/conferences/whatever/opinions", json={"petition_id": uuid.uuid4().hex}, headers=key()
    )
    assert (r.status_code, error(r)["code"]) == (404, "conference.not_found")


async def test_linking_an_unknown_petition_is_refused(intake: httpx.AsyncClient) -> None:
    cid = await held_conference(intake)
    r = await intake.post(
        f"/v1/conferences/{cid}/opinions", json={"petition_id": uuid.uuid4().hex}, headers=key()
    )
    assert r.status_code == 422, r.text
    assert error(r) == {
        "code": "conference.petition_not_found",
        "field": "petition_id",
        "message": "Không tìm thấy kiến nghị này.",
    }


# -- retries -------------------------------------------------------------------------------


async def test_a_retried_scheduling_returns_the_same_conference_and_appends_nothing(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    headers = key()
    first = await intake.post("/v1/conferences", json=sapa_dialogue(), headers=headers)
    assert first.status_code == 201, first.text
    after_first = await store.stream_last_seq()

    again = await intake.post("/v1/conferences", json=sapa_dialogue(), headers=headers)
    assert again.status_code == 201, again.text
    assert again.json()["conference_id"] == first.json()["conference_id"]
    assert again.json()["stream_seq"] == first.json()["stream_seq"]
    assert (first.json()["replayed"], again.json()["replayed"]) == (False, True)
    assert await store.stream_last_seq() == after_first
    assert [e.event.type for e in await stored(store, first.json()["conference_id"])] == [
        "conference.scheduled"
    ]

    other = await intake.post("/v1/conferences", json=sapa_dialogue(), headers=key())
    assert other.json()["conference_id"] != first.json()["conference_id"]


async def test_without_a_key_each_scheduling_is_a_new_conference(intake: httpx.AsyncClient) -> None:
    first, second = [await intake.post("/v1/conferences", json=sapa_dialogue()) for _ in range(2)]
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert first.json()["conference_id"] != second.json()["conference_id"]


async def test_a_key_of_the_longest_allowed_length_still_makes_a_retry_safe(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    cid = await schedule(intake, planned_on=days(5))
    headers = {"Idempotency-Key": uuid.uuid4().hex * 4, "X-Correlation-Id": "c" * 300}
    body = {"reason": "Trùng lịch tiếp công dân định kỳ"}
    results = [
        await intake.post(f"/v1/conferences/{cid}/cancel", json=body, headers=headers) for _ in range(2)
    ]
    assert [r.status_code for r in results] == [200, 200], results[0].text
    assert [r.json()["events"] for r in results] == [["conference.cancelled"], []]
    cancelled = (await stored(store, cid))[-1]
    assert cancelled.event.type == "conference.cancelled"
    assert cancelled.meta.causation_id is not None and len(cancelled.meta.causation_id) <= 128
    assert cancelled.meta.correlation_id == "c" * 128


async def test_a_retried_command_changes_nothing_more(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    cid = await schedule(intake, planned_on=days(10))
    headers = key()
    body = {"new_date": days(20), "reason": "Trùng lịch kỳ họp Hội đồng nhân dân phường"}
    first = await intake.post(f"/v1/conferences/{cid}/postpone", json=body, headers=headers)
    again = await intake.post(f"/v1/conferences/{cid}/postpone", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert (first.json()["events"], again.json()["events"]) == (["conference.postponed"], [])
    assert again.json()["stream_seq"] == first.json()["stream_seq"]
    assert [e.event.type for e in await stored(store, cid)] == [
        "conference.scheduled",
        "conference.postponed",
    ]


async def test_linking_the_same_petition_twice_links_it_once(
    intake: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    cid = await held_conference(intake)
    r = await intake.post("/v1/petitions", json=petition(None, channel="online"), headers=key())
    pid = r.json()["petition_id"]
    results = [
        await intake.post(f"/v1/conferences/{cid}/opinions", json={"petition_id": pid}, headers=key())
        for _ in range(2)
    ]
    assert [r.json()["events"] for r in results] == [["conference.opinion_linked"], []]
    assert (await intake.get(f"/v1/conferences/{cid}")).json()["opinions_count"] == 1
    types = [e.event.type for e in await stored(store, cid)]
    assert types.count("conference.opinion_linked") == 1
