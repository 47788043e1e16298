"""A receipt that repeats another petition's code (forged, or from a log older than intake's
unique codes) is treated alike by the two read models: tracking's case inbox and reporting's
petition view both park it with its petition, and both show the first. On a real
nats-server: parking is the consumer runner's work."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import nats
import pytest
from tests.service.harness import eventually, running

from langnghe.contracts.envelope import EventMeta
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import Channel, PetitionAssigned, PetitionReceived
from langnghe.contracts.subjects import petition_subject
from langnghe.reporting.app import create_app as reporting_app
from langnghe.reporting.settings import ReportingSettings
from langnghe.runtime.eventstore import JetStreamEventStore, NewEvent
from langnghe.tracking.app import create_app as tracking_app
from langnghe.tracking.settings import TrackingSettings


@pytest.fixture(scope="module")
async def services(
    module_nats: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, JetStreamEventStore]]:
    tmp = tmp_path_factory.mktemp("codes")
    nc = await nats.connect(module_nats)
    async with (
        running(tracking_app, TrackingSettings, module_nats, tmp / "tracking.db") as tracking,
        running(reporting_app, ReportingSettings, module_nats, tmp / "reporting.db") as reporting,
    ):
        yield tracking, reporting, JetStreamEventStore(nc)
    await nc.close()


async def append(store: JetStreamEventStore, pid: str, event: DomainEvent, expected: int) -> int:
    meta = EventMeta(
        event_id=uuid.uuid4(),
        aggregate_type="petition",
        aggregate_id=pid,
        occurred_at=datetime(2026, 3, 3, 2, 0, tzinfo=UTC),
        schema_version=1,
        correlation_id="test",
    )
    result = await store.append(
        petition_subject("15", pid), [NewEvent(meta, event)], expected_last_seq=expected
    )
    return result.last_seq


def receipt(code: str) -> PetitionReceived:
    return PetitionReceived(code=code, province_code="15", channel=Channel.ONLINE, content="Đường hỏng.")


async def parked_ids(client: httpx.AsyncClient) -> set[tuple[str, str]]:
    rows: list[dict[str, Any]] = (await client.get("/ops/parked")).json()
    return {(r["consumer"], r["aggregate_id"]) for r in rows}


async def test_a_repeated_code_is_parked_by_both_read_models(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient, JetStreamEventStore],
) -> None:
    tracking, reporting, store = services
    code = "KN-15-26-" + uuid.uuid4().hex[:8].upper()
    first, forged, other = (uuid.uuid4().hex for _ in range(3))
    await append(store, first, receipt(code), 0)
    seq = await append(store, forged, receipt(code), 0)
    assigned = PetitionAssigned(agency_code="UBND-XA", promised_date=date(2026, 4, 1), deadline_version=1)
    await append(store, forged, assigned, seq)
    await append(store, other, receipt(code[:-1] + "Z" if code[-1] != "Z" else code[:-1] + "Y"), 0)

    await eventually(lambda: _has(reporting, f"/v1/petitions/{other}"), timeout=30)
    assert (await reporting.get(f"/v1/petitions/{first}")).status_code == 200
    assert (await reporting.get(f"/v1/petitions/{forged}")).status_code == 404
    assert ("reporting-petitions", forged) in await eventually(lambda: parked_ids(reporting), timeout=30)

    assert ("tracking-cases", forged) in await eventually(lambda: _parked(tracking, forged), timeout=30)
    inbox = {r["petition_id"] for r in (await tracking.get("/v1/cases", params={"limit": 500})).json()}
    assert first in inbox and other in inbox and forged not in inbox


async def _has(client: httpx.AsyncClient, url: str) -> bool:
    return (await client.get(url)).status_code == 200


async def _parked(client: httpx.AsyncClient, aggregate_id: str) -> set[tuple[str, str]]:
    found = await parked_ids(client)
    return found if any(a == aggregate_id for _, a in found) else set()
