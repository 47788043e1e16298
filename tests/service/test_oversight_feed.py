"""The oversight feed from the real services on a real nats-server: petitions submitted to
intake (a denunciation with its content and the denouncer's contact among them), assigned,
accepted, answered and published through tracking, projected by reporting onto `OVERSIGHT`.

The feed carries one message per internal event, with no contact data, no denunciation
content, and an answer's text only in the message of its publication. Replaying the events
(the projector's checkpoint reset; then a projector with an empty database) publishes nothing
again: the first time because of the projector's table of published ids, the second because of
the stream's duplicate window (the ids are derived from the events)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from nats.aio.client import Client as NatsClient
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from tests.service.harness import eventually, running

from langnghe.contracts.codec import Envelope
from langnghe.contracts.consumers import REPORTING_OVERSIGHT_FEED
from langnghe.contracts.oversight_feed import feed_id_for
from langnghe.contracts.subjects import OVERSIGHT_STREAM, PETITIONS_STREAM, petition_subject_any_province
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.intake.app import create_app as intake_app
from langnghe.intake.settings import IntakeSettings
from langnghe.reporting.app import create_app as reporting_app
from langnghe.reporting.settings import ReportingSettings
from langnghe.runtime.eventstore import JetStreamEventStore
from langnghe.tracking.app import create_app as tracking_app
from langnghe.tracking.settings import TrackingSettings

TODAY = vietnam_date(datetime.now(UTC))
LATER = TODAY + timedelta(days=40)
PROVINCE = "15"
DENOUNCER = {"full_name": "Hoàng Văn Tố", "phone": "0987 654 321", "email": "to.cao@example.vn"}
DENOUNCED = "Tố cáo cán bộ địa chính xã nhận tiền để hợp thức hóa đất lấn chiếm."
ANSWER = "Thanh tra huyện đã xác minh; cán bộ vi phạm bị kỷ luật khiển trách."
CITIZEN = {"full_name": "Lò Thị Mai", "phone": "0912 111 222"}


@dataclass
class Stack:
    intake: httpx.AsyncClient
    tracking: httpx.AsyncClient
    nc: NatsClient

    async def submit(self, content: str, citizen: dict[str, str], **extra: Any) -> str:
        body = {
            "province_code": PROVINCE,
            "commune_code": "03006",
            "channel": "citizen_reception",
            "content": content,
            "citizen": citizen,
            **extra,
        }
        r = await self.intake.post("/v1/petitions", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
        assert r.status_code == 202, r.text
        return str(r.json()["petition_id"])

    async def ok(self, pid: str, verb: str, body: dict[str, Any]) -> None:
        r = await self.tracking.post(
            f"/v1/petitions/{pid}/{verb}", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
async def stack(module_nats: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    tmp = tmp_path_factory.mktemp("oversight")
    nc = await nats.connect(module_nats)
    async with (
        running(intake_app, IntakeSettings, module_nats, tmp / "intake.db") as intake,
        running(tracking_app, TrackingSettings, module_nats, tmp / "tracking.db") as tracking,
    ):
        yield Stack(intake, tracking, nc)
    await nc.close()


async def feed_messages(nc: NatsClient) -> list[tuple[str, dict[str, str], bytes]]:
    """Every message in `OVERSIGHT`, read with a consumer of the test's own (subject, headers, data)."""
    js = nc.jetstream()
    name = "test-reader-" + uuid.uuid4().hex[:8]
    await js.add_consumer(
        OVERSIGHT_STREAM,
        ConsumerConfig(
            name=name, ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, inactive_threshold=60
        ),
    )
    pending = (await js.stream_info(OVERSIGHT_STREAM)).state.messages
    sub = await js.pull_subscribe_bind(name, stream=OVERSIGHT_STREAM)
    out: list[tuple[str, dict[str, str], bytes]] = []
    while len(out) < pending:
        for m in await sub.fetch(min(200, pending - len(out)), timeout=5):
            out.append((m.subject, dict(m.headers or {}), m.data))
    await sub.unsubscribe()
    await js.delete_consumer(OVERSIGHT_STREAM, name)
    return out


def checkpoint(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT stream_seq FROM consumer_checkpoints WHERE consumer = ?",
            (REPORTING_OVERSIGHT_FEED.durable,),
        ).fetchone()
    return int(row[0]) if row else 0


async def project(module_nats: str, db: Path, nc: NatsClient) -> None:
    """Run reporting until its feed projector has applied everything in the event store."""
    last = (await nc.jetstream().stream_info(PETITIONS_STREAM)).state.last_seq
    async with running(reporting_app, ReportingSettings, module_nats, db):

        async def caught_up() -> bool:
            return checkpoint(db) >= last

        assert await eventually(caught_up, timeout=60), "the feed projector did not catch up"


async def test_the_feed_carries_what_oversight_may_read_once_per_event(
    stack: Stack, module_nats: str, tmp_path: Path
) -> None:
    denunciation = await stack.submit(DENOUNCED, DENOUNCER, legal_type="denunciation")
    await stack.ok(
        denunciation, "assign", {"agency_code": "THANH-TRA-HUYEN", "promised_date": LATER.isoformat()}
    )
    await stack.ok(denunciation, "accept", {"accepted_on": TODAY.isoformat(), "decision_number": "12/QĐ-TTr"})
    await stack.ok(
        denunciation, "answer", {"answer_text": ANSWER, "answering_agency_code": "THANH-TRA-HUYEN"}
    )
    other = await stack.submit("Đề nghị nạo vét kênh mương nội đồng trước mùa mưa.", CITIZEN)
    await stack.ok(other, "assign", {"agency_code": "UBND-XA", "promised_date": LATER.isoformat()})

    db = tmp_path / "reporting.db"
    await project(module_nats, db, stack.nc)
    before_publication = await feed_messages(stack.nc)
    texts = [data.decode() for _, _, data in before_publication]
    assert texts and not any(ANSWER in t for t in texts), (
        "an answer's text was on the feed before publication"
    )

    await stack.ok(
        denunciation,
        "publish-answer",
        {"published_on": TODAY.isoformat(), "channels": ["headquarters_notice_board"]},
    )
    await project(module_nats, db, stack.nc)
    messages = await feed_messages(stack.nc)
    bodies = [json.loads(data) for _, _, data in messages]

    # One message per internal event of each petition, with the id derived from the event's.
    store = JetStreamEventStore(stack.nc)
    vault_refs: list[str] = []
    for pid in (denunciation, other):
        loaded = await store.load(petition_subject_any_province(pid))
        events = [r.envelope for r in loaded.events if isinstance(r.envelope, Envelope)]
        received = events[0].event
        vault_refs.append(getattr(received, "citizen_ref", None) or "")
        ours = [b for b in bodies if b.get("petition_id") == pid]
        assert sorted(b["feed_id"] for b in ours) == sorted(str(feed_id_for(e.meta.event_id)) for e in events)
        assert [b["transition"] for b in ours] == [e.event.type.removeprefix("petition.") for e in events]
    for subject, headers, data in messages:
        body = json.loads(data)
        assert subject == f"oversight.v1.{body['province_code']}.{body['kind']}"
        assert headers["Nats-Msg-Id"] == body["feed_id"]
        assert body["feed_version"] == 1

    # No contact data, no vault reference, no denunciation content anywhere on the feed.
    raw = "\n".join(data.decode() for _, _, data in messages)
    for secret in (*DENOUNCER.values(), *CITIZEN.values(), DENOUNCED, *filter(None, vault_refs)):
        assert secret not in raw, secret
    assert "content" not in raw
    by_transition = {b["transition"]: b for b in bodies if b.get("petition_id") == denunciation}
    assert by_transition["received"]["legal_type"] == "denunciation"
    assert "answer_text" not in by_transition["answered"]
    assert by_transition["answer_published"]["answer_text"] == ANSWER
    assert by_transition["accepted"]["agency_code"] == "THANH-TRA-HUYEN"

    # A replay from the first event (checkpoint reset) publishes nothing again.
    count = len(messages)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "DELETE FROM consumer_checkpoints WHERE consumer = ?", (REPORTING_OVERSIGHT_FEED.durable,)
        )
    await project(module_nats, db, stack.nc)
    assert (await stack.nc.jetstream().stream_info(OVERSIGHT_STREAM)).state.messages == count
    # Nor does a projector that remembers nothing (a new database), within the duplicate window.
    await project(module_nats, tmp_path / "fresh.db", stack.nc)
    assert (await stack.nc.jetstream().stream_info(OVERSIGHT_STREAM)).state.messages == count
    with sqlite3.connect(db) as conn:
        published = conn.execute("SELECT COUNT(*) FROM oversight_published").fetchone()[0]
    assert published == count
