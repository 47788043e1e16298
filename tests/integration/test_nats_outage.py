"""NATS dies or freezes, the system does not: the launcher restarts nats-server on its port
with its JetStream data, a service's connection, pull loop and event store carry on after a
SIGKILL of the server, `/readyz` tells a frozen server (SIGSTOP) from a live one, and a
stopping pull loop does not wait for its idle pull request to expire.

Each test runs its own nats-server (the session's is shared and must not be killed)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
import types
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import nats
import pytest
from nats.aio.msg import Msg

from langnghe.contracts.consumers import ALL_CONSUMERS, ConsumerSpec
from langnghe.contracts.envelope import EventMeta
from langnghe.contracts.events.petition import Channel, PetitionReceived
from langnghe.contracts.subjects import PETITIONS_STREAM, petition_subject
from langnghe.runtime.eventstore import EventStoreUnavailable, JetStreamEventStore, NewEvent
from langnghe.runtime.provisioning import consumer_config, provision
from langnghe.runtime.pull import PullLoop
from langnghe.runtime.service import ServiceRuntime
from langnghe.runtime.settings import ServiceSettings
from langnghe.tools import nats_server
from langnghe.tools.launcher import Launcher, StackConfig


def received(petition_id: str, province: str) -> NewEvent:
    meta = EventMeta(
        event_id=uuid.uuid4(),
        aggregate_type="petition",
        aggregate_id=petition_id,
        occurred_at=datetime.now(UTC),
        schema_version=PetitionReceived.SCHEMA_VERSION,
        correlation_id="test",
    )
    event = PetitionReceived(code="LN-1", province_code=province, channel=Channel.ONLINE, content="Ngập")
    return NewEvent(meta, event)


class RecordingRunner:
    """What PullLoop needs of a ConsumerRunner: it records the subjects it acks."""

    def __init__(self, spec: ConsumerSpec) -> None:
        self.spec = spec
        self.stopping = False
        self.subjects: list[str] = []
        self.delay = 0.0

    async def handle_batch(self, msgs: Sequence[Msg]) -> None:
        await asyncio.sleep(self.delay)
        for msg in msgs:
            self.subjects.append(msg.subject)
            await msg.ack()


async def eventually(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {timeout} s")


@pytest.fixture
def launcher(tmp_path: Path) -> AsyncIterator[Launcher]:
    cfg = StackConfig(
        data_dir=tmp_path / "var",
        nats_port=nats_server.free_port(),
        nats_monitor_port=nats_server.free_port(),
    )
    cfg.logs_dir.mkdir(parents=True)
    launcher = Launcher(cfg)
    launcher.nats = launcher._start_nats()
    yield launcher  # type: ignore[misc]
    if launcher.nats is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(launcher.nats.process.pid, signal.SIGCONT)
        launcher.nats.stop()


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


def runtime_on(url: str, tmp_path: Path) -> ServiceRuntime:
    settings = ServiceSettings(
        nats_url=url, database_url=f"sqlite+aiosqlite:///{tmp_path / 'probe.db'}", http_port=1
    )
    return ServiceRuntime("probe", settings, migrations=tmp_path)


def restart_after_kill(launcher: Launcher) -> None:
    """SIGKILL nats-server, then let the launcher's supervision bring it back."""
    assert launcher.nats is not None
    old = launcher.nats
    old.process.send_signal(signal.SIGKILL)
    old.process.wait()
    now = time.monotonic()
    launcher._check_nats(now)  # notices the death, schedules the restart
    assert launcher.nats_restart_at is not None
    launcher._check_nats(launcher.nats_restart_at)  # its time has come
    assert launcher.nats is not old and launcher.nats.process.poll() is None
    assert launcher.nats.port == old.port and launcher.nats.store_dir == old.store_dir
    assert launcher.nats_restarts == 1


async def test_the_launcher_restarts_nats_server_and_a_service_carries_on(
    launcher: Launcher, tmp_path: Path
) -> None:
    assert launcher.nats is not None
    url = launcher.nats.url
    admin = await nats.connect(url)
    assert (await provision(admin.jetstream(), ALL_CONSUMERS)).ok
    await admin.close()

    runtime = runtime_on(url, tmp_path)
    await runtime.broker.connect()
    province = "t" + uuid.uuid4().hex[:10]
    spec = ConsumerSpec(
        durable=f"outage-{uuid.uuid4().hex[:8]}",
        stream=PETITIONS_STREAM,
        filter_subjects=(f"petitions.events.{province}.>",),
        batch_size=10,
    )
    await runtime.nc.jetstream().add_consumer(PETITIONS_STREAM, consumer_config(spec))
    runner = RecordingRunner(spec)
    loop = PullLoop(runtime.nc, runner, expires_s=1.0)  # type: ignore[arg-type]
    await loop.start()
    try:
        before = received(uuid.uuid4().hex, province)
        await runtime.store.append(
            petition_subject(province, str(before.meta.aggregate_id)), [before], expected_last_seq=0
        )

        async def seen(n: int) -> bool:
            return len(runner.subjects) >= n

        await eventually(lambda: seen(1))

        restart_after_kill(launcher)

        # The connection comes back by itself, and with it the event store and the pull loop.
        async def answers() -> bool:
            return (await runtime.readiness())["nats"] is True

        await eventually(answers)
        after = received(uuid.uuid4().hex, province)
        subject = petition_subject(province, str(after.meta.aggregate_id))
        await runtime.store.append(subject, [after], expected_last_seq=0)
        await eventually(lambda: seen(2))
        assert runner.subjects[-1] == subject
        # The JetStream data survived: the event written before the kill is still there.
        loaded = await runtime.store.load(petition_subject(province, str(before.meta.aggregate_id)))
        assert [e.event_id for e in loaded.events] == [before.meta.event_id]
    finally:
        await loop.stop(timeout=2)
        await runtime.nc.close()
        await runtime.engine.dispose()


async def test_readiness_answers_503_while_nats_is_frozen(launcher: Launcher, tmp_path: Path) -> None:
    assert launcher.nats is not None
    runtime = runtime_on(launcher.nats.url, tmp_path)
    await runtime.broker.connect()
    pid = launcher.nats.process.pid
    try:
        assert (await runtime.readiness())["ready"] is True
        freeze(pid)
        try:
            started = time.monotonic()
            frozen = await runtime.readiness()
            took = time.monotonic() - started
            assert frozen["ready"] is False
            assert frozen["nats"] is False
            assert frozen["nats_error"].startswith("no_answer")
            assert took < 5  # bounded by the round trip's timeout, not by nats-py's 10 s flush
        finally:
            os.kill(pid, signal.SIGCONT)

        async def ready_again() -> bool:
            return (await runtime.readiness())["ready"] is True

        await eventually(ready_again)
    finally:
        await runtime.nc.close()
        await runtime.engine.dispose()


async def test_an_idle_pull_loop_stops_without_waiting_for_its_request_to_expire(
    launcher: Launcher,
) -> None:
    assert launcher.nats is not None
    nc = await nats.connect(launcher.nats.url)
    assert (await provision(nc.jetstream(), ALL_CONSUMERS)).ok
    spec = ConsumerSpec(
        durable=f"idle-{uuid.uuid4().hex[:8]}",
        stream=PETITIONS_STREAM,
        filter_subjects=("petitions.events.nowhere.>",),
        batch_size=10,
    )
    await nc.jetstream().add_consumer(PETITIONS_STREAM, consumer_config(spec))
    loop = PullLoop(nc, RecordingRunner(spec), expires_s=30.0)  # type: ignore[arg-type]
    await loop.start()
    await asyncio.sleep(0.2)
    try:
        # Before: stop waited for the pull request to expire (5 s by default, 30 s here).
        await asyncio.wait_for(loop.stop(timeout=30.0), 5.0)
        assert loop._task is not None and loop._task.done()
    finally:
        await nc.close()


async def test_a_stopping_pull_loop_finishes_and_acks_the_batch_in_hand(launcher: Launcher) -> None:
    assert launcher.nats is not None
    nc = await nats.connect(launcher.nats.url)
    js = nc.jetstream()
    assert (await provision(js, ALL_CONSUMERS)).ok
    province = "t" + uuid.uuid4().hex[:10]
    spec = ConsumerSpec(
        durable=f"busy-{uuid.uuid4().hex[:8]}",
        stream=PETITIONS_STREAM,
        filter_subjects=(f"petitions.events.{province}.>",),
        batch_size=10,
    )
    await js.add_consumer(PETITIONS_STREAM, consumer_config(spec))
    runner = RecordingRunner(spec)
    runner.delay = 1.0
    loop = PullLoop(nc, runner)  # type: ignore[arg-type]
    await loop.start()
    try:
        await js.publish(petition_subject(province, "p1"), b"{}")
        for _ in range(100):
            if loop._handling:
                break
            await asyncio.sleep(0.01)
        assert loop._handling
        await loop.stop(timeout=10.0)
        assert runner.subjects == [petition_subject(province, "p1")]

        async def acked() -> bool:  # the server takes acks in apart from API requests
            info = await js.consumer_info(PETITIONS_STREAM, spec.durable)
            return info.num_ack_pending == 0 and info.num_pending == 0

        await eventually(acked, timeout=5)
    finally:
        await nc.close()


async def test_publishes_buffered_during_a_reconnect_store_the_event_once(launcher: Launcher) -> None:
    """nats-py buffers what is published while it reconnects and sends it afterwards, behind
    the back of a caller that was already told "unavailable". Every append's message carries
    its event id and expected sequence, so those late copies and the caller's own retry
    store the event once."""
    assert launcher.nats is not None
    nc = await nats.connect(launcher.nats.url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    try:
        assert (await provision(nc.jetstream(), ALL_CONSUMERS)).ok
        province = "t" + uuid.uuid4().hex[:10]
        event = received(uuid.uuid4().hex, province)
        subject = petition_subject(province, str(event.meta.aggregate_id))
        store = JetStreamEventStore(nc, timeout=0.5, publish_attempts=2)

        launcher.nats.process.send_signal(signal.SIGKILL)
        launcher.nats.process.wait()

        async def reconnecting() -> bool:
            return bool(nc.is_reconnecting)

        await eventually(reconnecting)
        with pytest.raises(EventStoreUnavailable):
            await store.append(subject, [event], expected_last_seq=0)
        assert nc.pending_data_size > 0  # the two attempts wait in nats-py's buffer

        launcher._check_nats(time.monotonic())
        assert launcher.nats_restart_at is not None
        launcher._check_nats(launcher.nats_restart_at)

        async def stored() -> bool:
            with contextlib.suppress(Exception):
                return len((await store.load(subject)).events) == 1
            return False

        await eventually(stored)  # the buffered publish landed after the caller gave up
        retried = await store.append(subject, [event], expected_last_seq=0)  # the caller's retry
        assert retried.recovered is True
        assert [e.event_id for e in (await store.load(subject)).events] == [event.meta.event_id]
    finally:
        await nc.close()


async def test_a_stopping_pull_loop_does_not_wait_out_a_transient_retry(launcher: Launcher) -> None:
    """A batch the runner keeps retrying (the store or the database is down) would only be
    nak'ed after its backoff: the loop drops it at once, unacked, for the next process."""
    assert launcher.nats is not None
    nc = await nats.connect(launcher.nats.url)
    js = nc.jetstream()
    assert (await provision(js, ALL_CONSUMERS)).ok
    province = "t" + uuid.uuid4().hex[:10]
    spec = ConsumerSpec(
        durable=f"retrying-{uuid.uuid4().hex[:8]}",
        stream=PETITIONS_STREAM,
        filter_subjects=(f"petitions.events.{province}.>",),
        batch_size=10,
    )
    await js.add_consumer(PETITIONS_STREAM, consumer_config(spec))

    class RetryingRunner(RecordingRunner):
        def __init__(self, spec: ConsumerSpec) -> None:
            super().__init__(spec)
            self.stats = types.SimpleNamespace(transient_retries=0)

        async def handle_batch(self, msgs: Sequence[Msg]) -> None:
            self.stats.transient_retries += 1  # as ConsumerRunner._retrying counts one
            await asyncio.sleep(30)  # its backoff

    runner = RetryingRunner(spec)
    loop = PullLoop(nc, runner)  # type: ignore[arg-type]
    await loop.start()
    try:
        await js.publish(petition_subject(province, "p1"), b"{}")
        for _ in range(100):
            if loop._handling:
                break
            await asyncio.sleep(0.01)
        assert loop._handling
        await asyncio.wait_for(loop.stop(timeout=15.0), 5.0)
        info = await js.consumer_info(PETITIONS_STREAM, spec.durable)
        assert info.num_ack_pending == 1  # not acked: it comes back
    finally:
        await nc.close()


def test_a_frozen_nats_server_is_stopped_without_waiting_for_the_kill(launcher: Launcher) -> None:
    """Ctrl-C while nats-server is frozen: it is thawed so that it acts on SIGTERM, instead of
    the launcher waiting out the stop timeout and killing it."""
    assert launcher.nats is not None
    server = launcher.nats
    os.kill(server.process.pid, signal.SIGSTOP)
    server.stop(timeout=10.0)
    assert server.process.returncode != -signal.SIGKILL
