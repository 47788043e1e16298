"""An honest 503 on a submission, on a real nats-server: with the server frozen (SIGSTOP) the
answer is 503 with the key the server used, so the client's retry with it finishes the same
petition, whatever the thawed server did with the writes it had been sent; the vault
sweeper settles a submission whose append never happened (a killed append) and one whose
event arrived but whose mark did not.

The server is this module's own (the session's must not be frozen)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from nats.aio.client import Client as NatsClient
from tests.service.harness import eventually, running

from langnghe.contracts.consumers import ALL_CONSUMERS
from langnghe.contracts.subjects import PETITIONS_STREAM
from langnghe.intake.adapters.vault import SqlVault
from langnghe.intake.app import create_app
from langnghe.intake.handlers.submission_sweeper import sweep_unsettled
from langnghe.intake.settings import IntakeSettings
from langnghe.runtime.database import create_engine, session_factory
from langnghe.runtime.eventstore import (
    AppendResult,
    EventStoreUnavailable,
    JetStreamEventStore,
    NewEvent,
)
from langnghe.runtime.provisioning import provision
from langnghe.tools import nats_server

PETITION = {
    "province_code": "15",
    "commune_code": "03006",
    "channel": "citizen_reception",
    "content": "Đề nghị sửa cầu treo qua suối bị hư hỏng sau lũ.",
    "citizen": {"full_name": "Nguyễn Văn Bình", "phone": "0912 345 678"},
}


def freeze(pid: int) -> None:
    """SIGSTOP, then wait until the kernel has stopped the process: the signal is delivered
    asynchronously, and a request sent at once may still be answered."""
    os.kill(pid, signal.SIGSTOP)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state in ("T", "t"):
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not stop")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[nats_server.NatsServer]:
    srv = nats_server.start(tmp_path / "nats", log_file=tmp_path / "nats.log")
    yield srv
    with contextlib.suppress(ProcessLookupError):
        os.kill(srv.process.pid, signal.SIGCONT)
    srv.stop()


@pytest.fixture
async def nc(server: nats_server.NatsServer) -> AsyncIterator[NatsClient]:
    client = await nats.connect(server.url)
    assert (await provision(client.jetstream(), ALL_CONSUMERS)).ok
    yield client
    await client.close()


@pytest.fixture
async def vault(tmp_path: Path) -> AsyncIterator[SqlVault]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}")
    yield SqlVault(session_factory(engine))
    await engine.dispose()


@contextlib.asynccontextmanager
async def intake(store: Any, vault: SqlVault, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with running(
        create_app, IntakeSettings, None, tmp_path / "intake.db", store=store, vault=vault
    ) as c:
        yield c


async def petitions_stored(nc: NatsClient) -> int:
    info = await nc.jetstream().stream_info(PETITIONS_STREAM, subjects_filter="petitions.events.>")
    return int(info.state.messages)


async def post(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    return await client.post("/v1/petitions", json=PETITION, headers=sent, timeout=60)


@pytest.mark.parametrize("path", ["fast", "route"])
async def test_a_petition_sent_to_a_frozen_server_is_stored_once_by_a_retry_with_the_returned_key(
    server: nats_server.NatsServer, nc: NatsClient, vault: SqlVault, tmp_path: Path, path: str
) -> None:
    # Short timeouts, so the 503 comes in 2 s rather than 15.
    store = JetStreamEventStore(nc, timeout=1.0, publish_attempts=2)
    content_type = "application/json" if path == "fast" else "application/vnd.langnghe+json"
    async with intake(store, vault, tmp_path) as client:
        freeze(server.process.pid)
        try:
            unconfirmed = await post(client, Content_Type=content_type)
        finally:
            os.kill(server.process.pid, signal.SIGCONT)

        assert unconfirmed.status_code == 503, unconfirmed.text
        body = unconfirmed.json()
        key = unconfirmed.headers["Idempotency-Key"]
        assert body["idempotency_key"] == key
        assert body["errors"][0]["code"] == "store.unavailable"
        assert "Idempotency-Key" in body["errors"][0]["message"]
        assert await vault.count_unsettled() == 1

        # The thawed server reads the publishes it had been sent: the petition lands anyway.
        await eventually(lambda: petitions_stored(nc), timeout=10)

        retried = await post(client, Idempotency_Key=key, Content_Type=content_type)
        assert retried.status_code == 202, retried.text
        assert retried.json()["replayed"] is True
        assert retried.headers["Idempotency-Key"] == key
        again = await post(client, Idempotency_Key=key, Content_Type=content_type)
        assert again.json()["petition_id"] == retried.json()["petition_id"]

        async def settled() -> bool:
            return await vault.count_unsettled() == 0

        await eventually(settled)
    assert await petitions_stored(nc) == 1


class KilledAppend:
    """A store whose appends die before anything is sent (a process killed mid-request)."""

    def __init__(self, real: JetStreamEventStore) -> None:
        self.real = real

    async def append(
        self, subject: str, events: Sequence[NewEvent], *, expected_last_seq: int
    ) -> AppendResult:
        raise EventStoreUnavailable("killed before the publish")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


async def test_the_sweeper_stores_a_submission_whose_append_never_happened(
    nc: NatsClient, vault: SqlVault, tmp_path: Path
) -> None:
    store = JetStreamEventStore(nc)
    async with intake(KilledAppend(store), vault, tmp_path) as client:
        first = await post(client)
        assert first.status_code == 503
        ops = (await client.get("/ops/vault")).json()
        assert ops["unsettled"] == 1 and ops["unsettled_older_than_age"] == 0
    assert await petitions_stored(nc) == 0

    report = await sweep_unsettled(vault, store, older_than=timedelta(0))

    assert (report.checked, report.appended, report.already_stored, report.remaining) == (1, 1, 0, 0)
    assert await petitions_stored(nc) == 1
    assert await vault.count_unsettled() == 0
    # The client's retry with the key it was given finds the stored petition: still one.
    async with intake(store, vault, tmp_path) as client:
        retried = await post(client, Idempotency_Key=first.headers["Idempotency-Key"])
        assert retried.status_code == 202 and retried.json()["replayed"] is True
        assert (await client.get("/ops/vault")).json()["unsettled"] == 0
    assert await petitions_stored(nc) == 1
    assert (await sweep_unsettled(vault, store, older_than=timedelta(0))).checked == 0


async def test_the_sweeper_settles_a_submission_whose_event_arrived_without_writing_it_again(
    server: nats_server.NatsServer, nc: NatsClient, vault: SqlVault, tmp_path: Path
) -> None:
    store = JetStreamEventStore(nc, timeout=1.0, publish_attempts=1)
    async with intake(store, vault, tmp_path) as client:
        freeze(server.process.pid)
        try:
            assert (await post(client)).status_code == 503
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
    await eventually(lambda: petitions_stored(nc), timeout=10)

    report = await sweep_unsettled(vault, store, older_than=timedelta(0))

    assert (report.checked, report.appended, report.already_stored) == (1, 0, 1)
    assert await vault.count_unsettled() == 0
    assert await petitions_stored(nc) == 1


async def test_a_retry_with_the_key_finishes_a_submission_whose_append_never_happened(
    nc: NatsClient, vault: SqlVault, tmp_path: Path
) -> None:
    store = JetStreamEventStore(nc)
    async with intake(KilledAppend(store), vault, tmp_path) as client:
        first = await post(client)
        assert first.status_code == 503
    assert await petitions_stored(nc) == 0
    async with intake(store, vault, tmp_path) as client:
        retried = await post(client, Idempotency_Key=first.headers["Idempotency-Key"])
        assert retried.status_code == 202, retried.text
        assert retried.json()["idempotency_key"] == first.json()["idempotency_key"]

        async def settled() -> bool:
            return await vault.count_unsettled() == 0

        await eventually(settled)
    assert await petitions_stored(nc) == 1
