"""Every tracking command route refuses an Idempotency-Key reused with a different body
(`409 idempotency.key_reused`, nothing written) and still answers a true retry (same key,
same body) with the first answer and no new event.

The routes run in a bare FastAPI app on the in-memory event store: what is checked is the
request fingerprint carried in the events' metadata, not JetStream (the same refusal on a real
nats-server is in tests/service/test_tracking_lifecycle.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from langnghe.contracts.envelope import EventMeta
from langnghe.contracts.events.petition import Channel, LegalType, PetitionReceived
from langnghe.contracts.subjects import petition_subject
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.runtime.eventstore import InMemoryEventStore, NewEvent
from langnghe.runtime.http import install_error_handlers
from langnghe.tracking.entrypoints import petition_commands

TODAY = vietnam_date(datetime.now(UTC))
LATER = (TODAY + timedelta(days=40)).isoformat()
AGENCY = "UBND-XA-SAPA"

ASSIGN = ("assign", {"agency_code": AGENCY, "promised_date": LATER})
ACCEPT = ("accept", {"accepted_on": TODAY.isoformat()})
ANSWER = ("answer", {"answer_text": "Đã sửa xong đoạn đường.", "answering_agency_code": AGENCY})
PUBLISH = ("publish-answer", {"published_on": TODAY.isoformat(), "channels": ["loudspeaker"]})
UNHAPPY = ("feedback", {"satisfied": False, "reason": "Chưa thấy thi công."})

# verb: (steps that bring the petition to where the verb changes it, a body, a different body)
CASES: dict[str, tuple[list[tuple[str, dict[str, Any]]], dict[str, Any], dict[str, Any]]] = {
    "disposition": (
        [],
        {"disposition": "recorded_only"},
        {"disposition": "recorded_only", "note": "Ghi nhận"},
    ),
    "assign": ([], ASSIGN[1], {**ASSIGN[1], "promised_date": (TODAY + timedelta(days=41)).isoformat()}),
    "accept": (
        [ASSIGN],
        {"accepted_on": TODAY.isoformat()},
        {"accepted_on": TODAY.isoformat(), "complex_case": True},
    ),
    "extend": (
        [ASSIGN],
        {"which": "promised", "reason": "Cần khảo sát", "new_date": (TODAY + timedelta(days=50)).isoformat()},
        {"which": "promised", "reason": "Cần khảo sát", "new_date": (TODAY + timedelta(days=51)).isoformat()},
    ),
    "reassign": (
        [ASSIGN],
        {"agency_code": "PHONG-KT", "reason": "Đúng thẩm quyền"},
        {"agency_code": "PHONG-TN", "reason": "Đúng thẩm quyền"},
    ),
    "escalate": (
        [],
        {"kind": "transfer", "to_level": "province", "to_unit_code": "15", "reason": "Thẩm quyền tỉnh"},
        {"kind": "escalation", "to_level": "province", "to_unit_code": "15", "reason": "Thẩm quyền tỉnh"},
    ),
    "answer": ([ASSIGN, ACCEPT], ANSWER[1], {**ANSWER[1], "answer_text": "Sẽ sửa trong quý sau."}),
    "publish-answer": ([ASSIGN, ACCEPT, ANSWER], PUBLISH[1], {**PUBLISH[1], "channels": ["village_heads"]}),
    "feedback": ([ASSIGN, ACCEPT, ANSWER, PUBLISH], UNHAPPY[1], {"satisfied": True}),
    "reopen": (
        [ASSIGN, ACCEPT, ANSWER, PUBLISH, UNHAPPY],
        {"reason": "Chưa hài lòng"},
        {"reason": "Khiếu nại tiếp"},
    ),
    "close": ([ASSIGN, ACCEPT, ANSWER, PUBLISH], {}, {"note": "Đã xác minh"}),
    "withdraw": ([], {"reason": "Đã tự thỏa thuận"}, {"reason": "Không còn nhu cầu"}),
    "merge": (
        [],
        {"primary_petition_id": "{primary}", "reason": "Trùng nội dung"},
        {"primary_petition_id": "{primary}", "reason": "Cùng một việc"},
    ),
}


def test_every_command_route_is_covered() -> None:
    verbs = {r.path.rsplit("/", 1)[-1] for r in petition_commands.router.routes}  # type: ignore[attr-defined]
    assert verbs == set(CASES)


@pytest.fixture
def store() -> InMemoryEventStore:
    return InMemoryEventStore()


@pytest.fixture
async def tracking(store: InMemoryEventStore) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(petition_commands.router)
    app.state.runtime = SimpleNamespace(store=store)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def received(store: InMemoryEventStore) -> str:
    """A complaint raised at a conference (so every command has a state it applies to)."""
    pid = uuid.uuid4().hex
    meta = EventMeta(
        event_id=uuid.uuid4(),
        aggregate_type="petition",
        aggregate_id=pid,
        occurred_at=datetime.now(UTC) - timedelta(days=1),
        schema_version=PetitionReceived.SCHEMA_VERSION,
        correlation_id="test",
    )
    event = PetitionReceived(
        code=f"KN-15-26-{pid[:8].upper()}",
        province_code="15",
        channel=Channel.DIALOGUE_CONFERENCE,
        legal_type=LegalType.COMPLAINT,
        content="Đường liên thôn bị sạt lở.",
        conference_id="conf-15-test",
        citizen_ref="cit-test",
    )
    await store.append(petition_subject("15", pid), [NewEvent(meta, event)], expected_last_seq=0)
    return pid


def filled(body: dict[str, Any], primary: str) -> dict[str, Any]:
    return {k: v.format(primary=primary) if isinstance(v, str) else v for k, v in body.items()}


@pytest.mark.parametrize("verb", sorted(CASES))
async def test_a_key_reused_with_another_body_is_refused(
    tracking: httpx.AsyncClient, store: InMemoryEventStore, verb: str
) -> None:
    steps, body, other = CASES[verb]
    pid, primary = await received(store), await received(store)
    body, other = filled(body, primary), filled(other, primary)
    for step, step_body in steps:
        r = await tracking.post(
            f"/v1/petitions/{pid}/{step}", json=step_body, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        assert r.status_code == 200, r.text
    url, headers = f"/v1/petitions/{pid}/{verb}", {"Idempotency-Key": uuid.uuid4().hex}

    first = await tracking.post(url, json=body, headers=headers)
    assert first.status_code == 200 and first.json()["events"], first.text
    after_first = await store.stream_last_seq()

    # The same body written another way (indented, escaped, keys reordered): a true retry.
    rewritten = json.dumps(dict(reversed(body.items())), indent=2, ensure_ascii=True).encode()
    again = await tracking.post(
        url, content=rewritten, headers={**headers, "Content-Type": "application/json"}
    )
    assert (again.status_code, again.json()) == (200, {**first.json(), "events": []})

    reused = await tracking.post(url, json=other, headers=headers)
    assert reused.status_code == 409, reused.text
    assert reused.json() == {
        "errors": [
            {
                "code": "idempotency.key_reused",
                "field": "Idempotency-Key",
                "message": "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khóa mới.",
            }
        ]
    }
    assert await store.stream_last_seq() == after_first


async def test_without_a_key_nothing_is_compared(
    tracking: httpx.AsyncClient, store: InMemoryEventStore
) -> None:
    pid = await received(store)
    r = await tracking.post(f"/v1/petitions/{pid}/assign", json=ASSIGN[1])
    assert r.status_code == 200 and r.json()["events"] == ["petition.assigned"]
    loaded = await store.load(petition_subject("15", pid))
    assert loaded.events[-1].envelope.meta.command_fingerprint is None
