"""Bad messages on a real petition's subject, with intake, tracking and reporting running on
a real nats-server: a known event type from a future schema version is refused by every
reader, never applied as if it were version 1."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import nats
import pytest
from nats.aio.client import Client as NatsClient
from tests.service.harness import eventually, running

from langnghe.contracts.subjects import petition_subject_any_province
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.intake.app import create_app as intake_app
from langnghe.intake.settings import IntakeSettings
from langnghe.reporting.app import create_app as reporting_app
from langnghe.reporting.settings import ReportingSettings
from langnghe.runtime.eventstore import JetStreamEventStore
from langnghe.tracking.app import create_app as tracking_app
from langnghe.tracking.settings import TrackingSettings

LATER = vietnam_date(datetime.now(UTC)) + timedelta(days=40)


@dataclass
class Stack:
    nc: NatsClient
    intake: httpx.AsyncClient
    tracking: httpx.AsyncClient
    reporting: httpx.AsyncClient
    store: JetStreamEventStore

    async def submit(self) -> str:
        body = {
            "province_code": "15",
            "commune_code": "03006",
            "channel": "citizen_reception",
            "content": "Đường liên thôn bị sạt lở sau mưa lớn, đề nghị sửa chữa.",
        }
        r = await self.intake.post("/v1/petitions", json=body)
        assert r.status_code == 202, r.text
        return str(r.json()["petition_id"])

    async def command(self, pid: str, verb: str, body: dict[str, Any]) -> httpx.Response:
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        return await self.tracking.post(f"/v1/petitions/{pid}/{verb}", json=body, headers=headers)

    async def forge(self, pid: str, **changes: Any) -> int:
        """Publish a copy of the petition's last event, changed, straight onto its subject."""
        loaded = await self.store.load(petition_subject_any_province(pid))
        last = loaded.events[-1]
        body = json.loads(last.envelope.meta.model_dump_json())
        body.update(event_id=str(uuid.uuid4()), **changes)
        ack = await self.nc.jetstream().publish(
            str(loaded.subject),
            json.dumps(body).encode(),
            headers={"Ln-Event-Type": str(body.get("type")), "Ln-Schema": str(body.get("schema_version"))},
        )
        return int(ack.seq)

    async def reporting_row(self, pid: str) -> dict[str, Any]:
        r = await self.reporting.get(f"/v1/petitions/{pid}")
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def caught_up(self, seq: int) -> None:
        """Every ordered consumer of both readers has passed `seq`."""

        async def probe() -> bool:
            for client in (self.tracking, self.reporting):
                for c in (await client.get("/ops/consumers")).json():
                    if c["ordered"] and c["consumer"] != "tracking-timers" and (c["checkpoint"] or 0) < seq:
                        return False
            return True

        await eventually(probe)


@pytest.fixture(scope="module")
async def stack(module_nats: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    tmp = tmp_path_factory.mktemp("quarantine")
    nc = await nats.connect(module_nats)
    async with (
        running(intake_app, IntakeSettings, module_nats, tmp / "intake.db") as intake,
        running(tracking_app, TrackingSettings, module_nats, tmp / "tracking.db") as tracking,
        running(reporting_app, ReportingSettings, module_nats, tmp / "reporting.db") as reporting,
    ):
        yield Stack(nc, intake, tracking, reporting, JetStreamEventStore(nc))
    await nc.close()


async def assigned_petition(stack: Stack) -> tuple[str, int]:
    pid = await stack.submit()
    r = await stack.command(
        pid, "assign", {"agency_code": "UBND-XA-SAPA", "promised_date": LATER.isoformat()}
    )
    assert r.status_code == 200, r.text
    seq = int(r.json()["stream_seq"])
    await stack.caught_up(seq)
    return pid, seq


@pytest.mark.parametrize("version", [2, 99])
async def test_a_forged_future_version_changes_no_read_model(stack: Stack, version: int) -> None:
    pid, _ = await assigned_petition(stack)
    before = await stack.reporting_row(pid)
    assert before["agency_code"] == "UBND-XA-SAPA"
    seq = await stack.forge(
        pid,
        type="petition.assigned",
        schema_version=version,
        data={"agency_code": "GIA-MAO", "promised_date": LATER.isoformat()},
    )
    await stack.caught_up(seq)
    after = await stack.reporting_row(pid)
    assert after["agency_code"] == "UBND-XA-SAPA"
    assert after["last_seq"] == before["last_seq"]
    inbox = (await stack.tracking.get("/v1/cases", params={"agency_code": "GIA-MAO"})).json()
    assert inbox == []
    parked = (await stack.reporting.get("/ops/parked")).json()
    mine = [p for p in parked if p["aggregate_id"] == pid]
    assert mine and f"v{version} is newer than this reader knows" in mine[0]["reason"]
