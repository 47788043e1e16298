"""Tracking over HTTP on a real nats-server: every command of a petition's life, refusals,
idempotent replays, merging duplicates, deadline timers firing, MTTQ recommendations opened
as petitions. Intake is run beside it, so petitions arrive the way they do in production."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import nats
import pytest
from tests.service.harness import eventually, running

from langnghe.contracts.codec import Envelope
from langnghe.contracts.envelope import Actor, EventMeta
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import SupervisionRecommendationIssued
from langnghe.contracts.events.petition import (
    Channel,
    LegalType,
    PetitionAssigned,
    PetitionReceived,
)
from langnghe.contracts.subjects import petition_subject, petition_subject_any_province, supervision_subject
from langnghe.domain.codes import recommendation_petition_id
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.intake.app import create_app as intake_app
from langnghe.intake.settings import IntakeSettings
from langnghe.runtime.eventstore import JetStreamEventStore, NewEvent
from langnghe.tracking.app import create_app as tracking_app
from langnghe.tracking.settings import TrackingSettings

TODAY = vietnam_date(datetime.now(UTC))
LATER = TODAY + timedelta(days=40)


@dataclass
class Stack:
    intake: httpx.AsyncClient
    tracking: httpx.AsyncClient
    store: JetStreamEventStore

    async def submit(
        self, content: str = "Đường liên thôn bị sạt lở sau mưa lớn, đề nghị sửa chữa.", **extra: Any
    ) -> str:
        body = {
            "province_code": "15",
            "commune_code": "03006",
            "channel": "citizen_reception",
            "content": content,
        }
        r = await self.intake.post("/v1/petitions", json={**body, **extra})
        assert r.status_code == 202, r.text
        return str(r.json()["petition_id"])

    async def command(
        self, pid: str, verb: str, body: dict[str, Any], key: str | None = None
    ) -> httpx.Response:
        headers = {"Idempotency-Key": key or uuid.uuid4().hex}
        return await self.tracking.post(f"/v1/petitions/{pid}/{verb}", json=body, headers=headers)

    async def ok(self, pid: str, verb: str, body: dict[str, Any]) -> list[str]:
        r = await self.command(pid, verb, body)
        assert r.status_code == 200, r.text
        return list(r.json()["events"])

    @staticmethod
    def error(r: httpx.Response) -> dict[str, Any]:
        errors = r.json()["errors"]
        assert len(errors) == 1, errors
        return dict(errors[0])

    async def case(self, pid: str) -> dict[str, Any]:
        r = await self.tracking.get(f"/v1/petitions/{pid}/case")
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def types(self, pid: str) -> list[str]:
        loaded = await self.store.load(petition_subject_any_province(pid))
        return [
            r.envelope.event.type if isinstance(r.envelope, Envelope) else r.envelope.type
            for r in loaded.events
        ]


@pytest.fixture(scope="module")
async def stack(module_nats: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    tmp = tmp_path_factory.mktemp("tracking")
    nc = await nats.connect(module_nats)
    async with (
        running(intake_app, IntakeSettings, module_nats, tmp / "intake.db") as intake,
        running(tracking_app, TrackingSettings, module_nats, tmp / "tracking.db") as tracking,
    ):
        yield Stack(intake, tracking, JetStreamEventStore(nc))
    await nc.close()


async def append(
    store: JetStreamEventStore,
    subject: str,
    aggregate_type: str,
    aggregate_id: str,
    events: list[DomainEvent],
    expected: int = 0,
) -> None:
    command = uuid.uuid4().hex
    await store.append(
        subject,
        [
            NewEvent(
                EventMeta(
                    event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{command}:{i}"),
                    aggregate_type=aggregate_type,  # type: ignore[arg-type]
                    aggregate_id=aggregate_id,
                    occurred_at=datetime.now(UTC),
                    schema_version=1,
                    correlation_id=command,
                    actor=Actor(kind="clerk", ref="test"),
                ),
                e,
            )
            for i, e in enumerate(events)
        ],
        expected_last_seq=expected,
    )


async def test_a_petition_lives_its_whole_life_over_http(stack: Stack) -> None:
    pid = await stack.submit()
    assert await stack.ok(
        pid, "assign", {"agency_code": "UBND-XA-SAPA", "promised_date": LATER.isoformat()}
    ) == ["petition.assigned"]
    new_date = (LATER + timedelta(days=10)).isoformat()
    assert await stack.ok(
        pid, "extend", {"which": "promised", "reason": "Cần khảo sát hiện trường", "new_date": new_date}
    ) == ["petition.deadline_extended"]
    await stack.ok(
        pid,
        "answer",
        {
            "answer_text": "UBND xã đã bố trí kinh phí sửa chữa trong tháng này.",
            "answering_agency_code": "UBND-XA-SAPA",
        },
    )
    await stack.ok(
        pid, "publish-answer", {"published_on": TODAY.isoformat(), "channels": ["headquarters_notice_board"]}
    )
    await stack.ok(pid, "feedback", {"satisfied": False, "reason": "Chưa thấy thi công."})
    await stack.ok(pid, "reopen", {"reason": "Người dân chưa hài lòng", "promised_date": LATER.isoformat()})
    case = await stack.case(pid)
    assert (case["status"], case["times_reopened"], case["deadlines"]["promised_date"]) == (
        "assigned",
        1,
        LATER.isoformat(),
    )
    await stack.ok(
        pid,
        "answer",
        {"answer_text": "Đã thi công xong đoạn đường bị sạt lở.", "answering_agency_code": "UBND-XA-SAPA"},
    )
    closing = await stack.command(pid, "close", {})
    assert (closing.status_code, stack.error(closing)["code"]) == (409, "petition.answer_not_published")
    await stack.ok(
        pid,
        "publish-answer",
        {"published_on": TODAY.isoformat(), "channels": ["village_heads", "loudspeaker"]},
    )
    await stack.ok(pid, "close", {"note": "Đã xác minh tại hiện trường"})
    case = await stack.case(pid)
    assert case["status"] == "closed"
    assert case["deadlines"]["overdue"] == [] and case["version"] == 10
    assert case["published_channels"] == ["loudspeaker", "village_heads"]
    assert await stack.types(pid) == [
        "petition.received",
        "petition.assigned",
        "petition.deadline_extended",
        "petition.answered",
        "petition.answer_published",
        "petition.feedback_given",
        "petition.reopened",
        "petition.answered",
        "petition.answer_published",
        "petition.closed",
    ]

    async def inbox_closed() -> list[dict[str, Any]]:
        rows = (await stack.tracking.get("/v1/cases", params={"status": "closed"})).json()
        return [r for r in rows if r["petition_id"] == pid]

    rows = await eventually(inbox_closed)
    assert rows[0]["overdue"] is False and rows[0]["promised_date"] == LATER.isoformat()


async def test_the_same_idempotency_key_does_the_work_once(stack: Stack) -> None:
    pid = await stack.submit()
    body = {"agency_code": "UBND-XA-SAPA", "promised_date": LATER.isoformat()}
    first = await stack.command(pid, "assign", body, key="k-" + pid)
    again = await stack.command(pid, "assign", body, key="k-" + pid)
    assert first.json()["events"] == ["petition.assigned"] and again.json()["events"] == []
    assert first.json()["stream_seq"] == again.json()["stream_seq"]
    assert (await stack.types(pid)).count("petition.assigned") == 1


async def test_the_same_key_with_another_body_is_refused_on_the_real_server(stack: Stack) -> None:
    """Long after the server's duplicate window could help: the fingerprint is read back from
    the stored event's metadata (tests/unit/test_tracking_key_reuse.py covers every route)."""
    pid = await stack.submit()
    await stack.ok(pid, "assign", {"agency_code": "UBND-XA-SAPA", "promised_date": LATER.isoformat()})
    body = {"answer_text": "Đã sửa xong đoạn đường.", "answering_agency_code": "UBND-XA-SAPA"}
    await stack.ok(pid, "answer", body)
    publish = {"published_on": TODAY.isoformat(), "channels": ["loudspeaker"]}
    first = await stack.command(pid, "publish-answer", publish, key="p-" + pid)
    again = await stack.command(pid, "publish-answer", publish, key="p-" + pid)
    reused = await stack.command(
        pid, "publish-answer", {**publish, "channels": ["village_heads"]}, key="p-" + pid
    )
    assert (first.json()["events"], again.json()["events"]) == (["petition.answer_published"], [])
    assert (reused.status_code, stack.error(reused)["code"]) == (409, "idempotency.key_reused")
    assert (await stack.types(pid)).count("petition.answer_published") == 1


async def test_refusals_say_what_and_where_in_vietnamese(stack: Stack) -> None:
    pid = await stack.submit()
    closing = await stack.command(pid, "close", {})
    assert closing.status_code == 409, closing.text
    assert stack.error(closing)["code"].startswith("petition.")
    unknown = await stack.command(
        uuid.uuid4().hex, "answer", {"answer_text": "Đã giải quyết xong.", "answering_agency_code": "UBND-XA"}
    )
    assert unknown.status_code == 404 and stack.error(unknown)["code"] == "petition.not_found"
    past = await stack.command(
        pid,
        "assign",
        {"agency_code": "UBND-XA-SAPA", "promised_date": (TODAY - timedelta(days=1)).isoformat()},
    )
    assert past.status_code == 422
    assert (stack.error(past)["code"], stack.error(past)["field"]) == (
        "petition.promised_before_receipt",
        "promised_date",
    )
    assert "ngày" in stack.error(past)["message"].lower()
    no_channel = await stack.command(
        pid, "publish-answer", {"published_on": TODAY.isoformat(), "channels": []}
    )
    assert no_channel.status_code == 422 and "channels" in (stack.error(no_channel)["field"] or "")
    # Nothing refused was written: the petition still holds only its receipt.
    assert await stack.types(pid) == ["petition.received"]


async def test_a_merged_duplicate_is_absorbed_by_its_primary(stack: Stack) -> None:
    primary = await stack.submit(citizen={"full_name": "Lò Văn Pao", "phone": "0912345678"})
    duplicate = await stack.submit(
        "Đoạn đường liên thôn sạt lở sau mưa, xin xã sửa giúp.",
        citizen={"full_name": "Vàng Thị Mai", "phone": "0987654321"},
    )
    assert await stack.ok(
        duplicate, "merge", {"primary_petition_id": primary, "reason": "Cùng một đoạn đường"}
    ) == ["petition.merged_into"]
    assert (await stack.case(duplicate))["merged_into"] == primary

    async def absorbed() -> dict[str, Any] | None:
        case = await stack.case(primary)
        return case if case["duplicates"] == [duplicate] else None

    case = await eventually(absorbed)
    assert case["cosigners"] == 1  # the duplicate's citizen now signs the primary


async def test_due_soon_and_overdue_timers_fire_and_are_recorded(stack: Stack) -> None:
    # An imported record: received and promised weeks ago, so both timers are already due.
    pid = uuid.uuid4().hex
    long_ago = TODAY - timedelta(days=30)
    await append(
        stack.store,
        petition_subject("15", pid),
        "petition",
        pid,
        [
            PetitionReceived(
                code="KN-15-26-IMPORT01",
                province_code="15",
                channel=Channel.WRITTEN_LETTER,
                content="Đề nghị cấp giấy chứng nhận quyền sử dụng đất.",
                received_on=long_ago,
            ),
            PetitionAssigned(
                agency_code="VPDK-DAT-DAI", promised_date=long_ago + timedelta(days=10), deadline_version=1
            ),
        ],
    )

    async def overdue() -> list[str] | None:
        types = await stack.types(pid)
        return types if "petition.became_overdue" in types else None

    types = await eventually(overdue, timeout=20)
    assert types.count("petition.became_overdue") == 1
    case = await stack.case(pid)
    assert case["deadlines"]["overdue"] == ["promised"] and case["overdue"] is True

    async def inbox_overdue() -> list[dict[str, Any]]:
        rows = (await stack.tracking.get("/v1/cases", params={"overdue": "true"})).json()
        return [r for r in rows if r["petition_id"] == pid]

    assert (await eventually(inbox_overdue))[0]["marks"] == {"promised": "overdue"}

    # Moving the date clears the mark and schedules the timers of the new version.
    await stack.ok(
        pid, "extend", {"which": "promised", "reason": "Chờ đo đạc lại", "new_date": TODAY.isoformat()}
    )

    async def due_soon() -> dict[str, Any] | None:
        case = await stack.case(pid)
        return case if case["deadlines"]["due_soon"] == ["promised"] else None

    case = await eventually(due_soon, timeout=20)
    assert case["deadlines"]["overdue"] == [] and case["deadlines"]["version"] == 2


async def test_an_mttq_recommendation_becomes_a_tracked_petition(stack: Stack) -> None:
    session_id = "gs-" + uuid.uuid4().hex[:12]
    due = TODAY + timedelta(days=30)
    await append(
        stack.store,
        supervision_subject("15", session_id),
        "supervision",
        session_id,
        [
            SupervisionRecommendationIssued(
                recommendation_id="kn-1",
                addressee_agency_code="UBND-XA-SAPA",
                content="Đề nghị UBND xã công khai kết quả giải quyết các kiến nghị sau đối thoại.",
                issued_on=TODAY,
                response_due=due,
            )
        ],
    )
    pid = recommendation_petition_id(session_id, "kn-1").hex

    async def opened() -> dict[str, Any] | None:
        r = await stack.tracking.get(f"/v1/petitions/{pid}/case")
        return r.json() if r.status_code == 200 else None

    case = await eventually(opened, timeout=20)
    assert (case["status"], case["agency_code"], case["deadlines"]["promised_date"]) == (
        "assigned",
        "UBND-XA-SAPA",
        due.isoformat(),
    )
    assert await stack.types(pid) == ["petition.received", "petition.assigned"]
    assert LegalType.RECOMMENDATION.value == case["legal_type"]
