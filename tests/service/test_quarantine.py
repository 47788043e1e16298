"""Bad messages on a real petition's subject, with intake, tracking and reporting running on
a real nats-server: a known event type from a future schema version is refused by every
reader, never applied as if it were version 1; a message no reader may apply quarantines its
petition (409, never 500) until an operator voids it, then everything works again; a rebuild
stops cleanly at such a message (no tables left behind) and completes once it is voided."""

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
from tests.service.harness import eventually, running

from langnghe.contracts.codec import Envelope
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
    reporting_db: Path

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

    async def forge(self, pid: str, raw: bytes | None = None, **changes: Any) -> int:
        """Publish `raw`, or a copy of the petition's last event changed, onto its subject."""
        loaded = await self.store.load(petition_subject_any_province(pid))
        last = loaded.events[-1]
        assert isinstance(last.envelope, Envelope)
        body = json.loads(last.envelope.meta.model_dump_json())
        body["type"] = last.envelope.event.type
        body["data"] = last.envelope.event.model_dump(mode="json", exclude={"type"})
        body.update(event_id=str(uuid.uuid4()), **changes)
        headers = {"Ln-Event-Type": str(body.get("type")), "Ln-Schema": str(body.get("schema_version"))}
        ack = await self.nc.jetstream().publish(
            str(loaded.subject),
            raw if raw is not None else json.dumps(body).encode(),
            headers=None if raw is not None else headers,
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
        yield Stack(nc, intake, tracking, reporting, JetStreamEventStore(nc), tmp / "reporting.db")
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
    # Tracking's case is folded from the log: it refuses to fold past the forged event.
    r = await stack.tracking.get(f"/v1/petitions/{pid}/case")
    assert (r.status_code, error(r)["code"]) == (409, "store.aggregate_quarantined")
    parked = (await stack.reporting.get("/ops/parked")).json()
    mine = [p for p in parked if p["aggregate_id"] == pid]
    assert mine and f"v{version} is newer than this reader knows" in mine[0]["reason"]


def error(r: httpx.Response) -> dict[str, Any]:
    errors = r.json()["errors"]
    assert len(errors) == 1, errors
    return dict(errors[0])


async def listed(client: httpx.AsyncClient, seq: int) -> dict[str, Any] | None:
    r = await client.get("/ops/quarantine")
    assert r.status_code == 200, r.text
    return next((q for q in r.json() if q["seq"] == seq), None)


def extension(days: int) -> dict[str, str]:
    new_date = (LATER + timedelta(days=days)).isoformat()
    return {"which": "promised", "reason": "Cần khảo sát hiện trường", "new_date": new_date}


POISONS: dict[str, tuple[bytes | None, dict[str, Any], str]] = {
    "not-json": (b"{not json", {}, "not an event envelope"),
    "future-version": (None, {"type": "petition.closed", "schema_version": 7, "data": {}}, "v7 is newer"),
    "other-aggregate": (None, {"aggregate_id": "someone-else"}, "is not the subject's"),
}


@pytest.mark.parametrize("kind", list(POISONS))
async def test_a_bad_message_quarantines_its_petition_until_an_operator_voids_it(
    stack: Stack, kind: str
) -> None:
    raw, changes, why = POISONS[kind]
    pid, valid = await assigned_petition(stack)
    poison = await stack.forge(pid, raw, **changes)

    # Reads and commands answer 409 with what to do, never 500.
    r = await stack.tracking.get(f"/v1/petitions/{pid}/case")
    assert r.status_code == 409, r.text
    assert error(r)["code"] == "store.aggregate_quarantined"
    assert f"PETITIONS {poison}" in error(r)["message"] and "hủy hiệu lực" in error(r)["message"]
    r = await stack.command(pid, "extend", extension(5))
    assert (r.status_code, error(r)["code"]) == (409, "store.aggregate_quarantined")

    # /ops lists it, with the reason, in tracking (its loads met it) and reporting (parked).
    entry = await listed(stack.tracking, poison)
    assert entry is not None and why in entry["reason"] and "load" in entry["met_by"]
    assert entry["stream"] == "PETITIONS" and entry["subject"].endswith(pid) and entry["first_seen"]
    # Both of reporting's consumers (its view and the oversight feed) park the petition.
    both = ["reporting-oversight-feed", "reporting-petitions"]

    async def met_by_both() -> dict[str, Any] | None:
        entry = await listed(stack.reporting, poison)
        return entry if entry is not None and sorted(entry["met_by"]) == both else None

    on_reporting = await eventually(met_by_both)
    assert sorted(on_reporting["met_by"]) == both

    # Only an operator, named, with a reason, may void it; and only a message readers refuse.
    body = {"stream": "PETITIONS", "seq": poison, "reason": "Thông điệp lỗi do công cụ nhập thử"}
    r = await stack.tracking.post("/ops/void", json=body)
    assert r.status_code == 422, r.text
    r = await stack.tracking.post("/ops/void", json={**body, "seq": valid}, headers={"X-Actor-Ref": "ops-an"})
    assert (r.status_code, error(r)["code"]) == (409, "ops.message_not_quarantined")
    r = await stack.tracking.post("/ops/void", json=body, headers={"X-Actor-Ref": "ops-an"})
    assert r.status_code == 200, r.text
    voided = r.json()
    assert (voided["seq"], voided["actor"], voided["written"]) == (poison, "ops-an", True)
    assert voided["subject"].endswith(pid) and len(voided["sha256"]) == 64

    # The petition works again; the log still holds the message, behind the marker.
    r = await stack.command(pid, "extend", extension(5))
    assert r.status_code == 200, r.text
    extended = int(r.json()["stream_seq"])
    case = (await stack.tracking.get(f"/v1/petitions/{pid}/case")).json()
    assert case["deadlines"]["promised_date"] == (LATER + timedelta(days=5)).isoformat()
    assert await listed(stack.tracking, poison) is None
    stored = await stack.nc.jetstream().get_msg("PETITIONS", seq=poison, direct=True)
    assert stored.subject == voided["subject"]

    # Reporting re-drives its parked petition when the same void reaches it (idempotent).
    r = await stack.reporting.post("/ops/void", json=body, headers={"X-Actor-Ref": "ops-an"})
    assert r.status_code == 200, r.text
    assert r.json()["written"] is False
    assert sorted((d["consumer"], d["status"]) for d in r.json()["redriven"]) == [
        ("reporting-oversight-feed", "redriven"),
        ("reporting-petitions", "redriven"),
    ]
    await stack.caught_up(extended)
    row = await stack.reporting_row(pid)
    assert row["last_seq"] >= extended and row["agency_code"] == "UBND-XA-SAPA"
    assert row["promised_date"] == (LATER + timedelta(days=5)).isoformat()
    assert await listed(stack.reporting, poison) is None
    assert not [p for p in (await stack.reporting.get("/ops/parked")).json() if p["aggregate_id"] == pid]


def generation_tables(db: Path, generation: int) -> list[str]:
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [n for n in names if n.endswith(f"_g{generation}")]


async def test_a_rebuild_stops_cleanly_at_a_quarantined_message_and_completes_once_voided(
    stack: Stack,
) -> None:
    pid, _ = await assigned_petition(stack)
    poison = await stack.forge(pid, b"\xff\xfe not utf-8")
    await eventually(lambda: listed(stack.reporting, poison))
    generation = (await stack.reporting.get("/v1/stats")).json()["generation"]

    r = await stack.reporting.post("/ops/projections/reporting-petitions/rebuild")
    assert r.status_code == 409, r.text
    assert error(r)["code"] == "store.aggregate_quarantined"
    assert generation_tables(stack.reporting_db, generation + 1) == []
    assert (await stack.reporting.get("/v1/stats")).json()["generation"] == generation

    for entry in (await stack.reporting.get("/ops/quarantine")).json():  # this module's others too
        body = {"stream": entry["stream"], "seq": entry["seq"], "reason": "Thông điệp thử nghiệm"}
        r = await stack.reporting.post("/ops/void", json=body, headers={"X-Actor-Ref": "ops-an"})
        assert r.status_code == 200, r.text
    before = await stack.reporting_row(pid)
    r = await stack.reporting.post("/ops/projections/reporting-petitions/rebuild")
    assert r.status_code == 200, r.text
    assert r.json()["generation"] == generation + 1
    assert await stack.reporting_row(pid) == before
