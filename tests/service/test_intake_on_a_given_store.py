"""Intake built with an event store given to `create_app` uses that store and, running no
consumer, never connects to NATS: it is ready with no nats-server anywhere."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from tests.service.harness import NO_NATS

from langnghe.contracts.subjects import petition_subject
from langnghe.intake.app import create_app
from langnghe.intake.settings import IntakeSettings
from langnghe.runtime.eventstore import InMemoryEventStore


async def test_intake_on_a_given_store_is_ready_without_nats_and_appends_there(tmp_path: Path) -> None:
    store = InMemoryEventStore()
    settings = IntakeSettings(
        nats_url=NO_NATS,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}",
        http_port=8000,
        log_format="console",
    )
    app = create_app(settings, store=store)
    runtime = app.state.runtime
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            ready = await client.get("/readyz")
            submitted = await client.post(
                "/v1/petitions",
                json={
                    "province_code": "15",
                    "commune_code": "03006",
                    "channel": "online",
                    "content": "Đường vào bản bị sạt lở sau mưa lớn, đề nghị sửa chữa.",
                },
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )

        # Nothing listens at NO_NATS: had the lifespan tried to connect, it would not have
        # come up at all.
        assert (runtime.needs_nats, runtime.store) == (False, store)
    assert ready.status_code == 200, ready.text
    assert ready.json()["ready"] is True and "nats" not in ready.json()
    assert submitted.status_code == 202, submitted.text
    accepted = submitted.json()
    assert await store.last_seq_of(petition_subject("15", accepted["petition_id"])) != (0, None)
    assert accepted["stream_seq"] == await store.stream_last_seq() == 1
