"""What every service process has: a database, a NATS connection (owned by FastStream's
broker), its durable consumers driven by the runner, health, graceful shutdown.

A service's `create_app(settings, *, store=None, ...)` builds one `ServiceRuntime`, registers
its consumers and routes, and returns the FastAPI app: that is the single wiring point. An
adapter given to it (an event store, a vault, a channel) is used instead of the one the
service would build, as in a bootstrap function. A runtime given its event store and running
no consumer never connects to NATS: such a service runs on an in-memory store alone.

One file, just over 300 lines: start-up, readiness and shutdown act on the same parts in an
order that matters; the consumers' own logic is in `consumer/` and `pull`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import structlog
from fastapi import FastAPI
from faststream.middlewares import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from faststream.specification import AsyncAPI
from faststream.specification.base import Specification
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from langnghe.contracts.consumers import ConsumerSpec
from langnghe.runtime import checkpoints as ck
from langnghe.runtime.consumer import ConsumerRunner, EventHandler
from langnghe.runtime.database import create_engine, session_factory
from langnghe.runtime.eventstore import EventStore, JetStreamEventStore, StoredMessage, VoidMarker
from langnghe.runtime.logging import configure_logging
from langnghe.runtime.migrations import upgrade
from langnghe.runtime.provisioning import align_to_checkpoint, consumer_config
from langnghe.runtime.pull import PullLoop
from langnghe.runtime.settings import ServiceSettings

log = structlog.get_logger("langnghe.service")

#: How long readiness waits for NATS to answer a round trip (PING/PONG).
READY_RTT_TIMEOUT_S = 1
#: How long a stopping service gives the connection to drain before closing it.
CLOSE_TIMEOUT_S = 2.0


class ServiceRuntime:
    def __init__(
        self,
        name: str,
        settings: ServiceSettings,
        *,
        migrations: Path,
        description: str = "",
        store: EventStore | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.migrations = migrations
        self.description = description
        self.engine: AsyncEngine = create_engine(settings.database_url)
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(self.engine)
        # FastStream owns the connection and generates the AsyncAPI document; it is connected,
        # never started (the pull loops consume), and logs nothing itself: structlog does.
        self.broker = NatsBroker(settings.nats_servers, logger=None, max_reconnect_attempts=-1)
        self.runners: list[ConsumerRunner] = []
        self._pulls: list[PullLoop] = []
        #: The event store handlers use: the given one, else JetStream once connected.
        self._store: EventStore | None = store
        self._store_given = store is not None
        #: Run after migrations, before consumers start (e.g. create projection tables).
        self.on_startup: list[Callable[[], Awaitable[None]]] = []
        self._periodic: list[tuple[str, float, Callable[[], Awaitable[None]]]] = []
        self._periodic_use_nats = False
        self._tasks: list[asyncio.Task[None]] = []

    # -- wiring ----------------------------------------------------------------------------

    def add_consumer(self, spec: ConsumerSpec, handler: EventHandler, *, title: str = "") -> ConsumerRunner:
        reader = _StreamReader(self, spec.stream)
        runner = ConsumerRunner(spec, handler, self.sessions, stream_reader=reader, voids=reader)
        # Declared on FastStream's broker for the AsyncAPI document only: the broker is
        # connected, never started, and the runtime's own pull loop consumes the durable
        # (see langnghe.runtime.pull for why FastStream's batch loop is not used).
        self.broker.subscriber(
            spec.filter_subjects[0],
            stream=JStream(spec.stream, declare=False),  # provisioning owns streams: docs/ARCHITECTURE.md, P5
            durable=spec.durable,
            config=consumer_config(spec),
            pull_sub=PullSub(batch_size=spec.batch_size, batch=True),
            ack_policy=AckPolicy.MANUAL,
            title=title or spec.durable,
            description=f"{spec.description} (filters: {', '.join(spec.filter_subjects)})",
        )(_documented_handler(runner))
        self.runners.append(runner)
        return runner

    def add_periodic(
        self, name: str, every_s: float, job: Callable[[], Awaitable[None]], *, uses_nats: bool = True
    ) -> None:
        """Run `job` every `every_s` seconds while the service runs (first run right after
        start). A failing run is logged and the next one goes ahead; jobs must be idempotent,
        since every replica runs them. `uses_nats=False`: the job talks to NATS only through
        the service's event store, so a service given its store needs no connection for it."""
        self._periodic.append((name, every_s, job))
        self._periodic_use_nats = self._periodic_use_nats or uses_nats

    async def _run_periodic(self, name: str, every_s: float, job: Callable[[], Awaitable[None]]) -> None:
        while True:
            try:
                await job()
            except Exception as exc:  # noqa: BLE001 - a periodic job must outlive a bad run
                log.error("periodic_job_failed", job=name, error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(every_s)

    def runner(self, consumer: str) -> ConsumerRunner | None:
        return next((r for r in self.runners if r.name == consumer or r.spec.durable == consumer), None)

    @property
    def nc(self) -> NatsClient:
        return self.broker.connection

    @property
    def needs_nats(self) -> bool:
        """Whether the service talks to NATS: always, unless its event store was given and
        it runs no consumer and no periodic job that uses the connection."""
        return not self._store_given or bool(self.runners) or self._periodic_use_nats

    @property
    def store(self) -> EventStore:
        if self._store is None:
            self._store = JetStreamEventStore(self.nc)
        return self._store

    def asyncapi(self) -> Specification:
        return AsyncAPI(
            self.broker, title=f"Lắng Nghe {self.name}", description=self.description
        ).to_specification()

    # -- lifecycle -------------------------------------------------------------------------

    @asynccontextmanager
    async def lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        configure_logging(self.name, self.settings.log_format, self.settings.log_level)
        if self.settings.run_migrations:
            await upgrade(self.engine, self.migrations)
        for hook in self.on_startup:
            await hook()
        if self.needs_nats:
            await self.broker.connect()
            await self._align_consumers()
        for runner in self.runners:
            loop = PullLoop(self.nc, runner)
            await loop.start()
            self._pulls.append(loop)
        self._tasks = [
            asyncio.create_task(self._run_periodic(*job), name=f"{self.name}-{job[0]}")
            for job in self._periodic
        ]
        log.info("service_started", service=self.name, port=self.settings.http_port)
        try:
            yield
        finally:
            # Finish the batch in hand (up to graceful_timeout; unacked events come back to the
            # next process), then close the connection.
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            # Together: an idle loop stops at once, a busy one finishes its batch.
            await asyncio.gather(*(loop.stop(self.settings.graceful_timeout) for loop in self._pulls))
            with contextlib.suppress(Exception):
                # Drains the connection; bounded, since a server that is gone or frozen
                # would otherwise hold the stop for FastStream's 30 s drain timeout.
                await asyncio.wait_for(self.broker.stop(), CLOSE_TIMEOUT_S)
            if self.needs_nats:
                with contextlib.suppress(Exception):
                    await self.nc.close()
            await self.engine.dispose()
            log.info("service_stopped", service=self.name)

    async def _align_consumers(self) -> None:
        js = self.nc.jetstream()
        for runner in self.runners:
            if not runner.spec.ordered:
                continue  # a shared consumer remembers each sequence; nothing to realign
            async with self.sessions() as session:
                checkpoint = await ck.read_checkpoint(session, runner.name)
            alignment = await align_to_checkpoint(js, runner.spec, checkpoint)
            if alignment.moved:
                runner.suspect_until = alignment.in_flight_until
                log.warning(
                    "consumer_realigned",
                    consumer=runner.spec.durable,
                    from_seq=checkpoint + 1,
                    suspect_until=alignment.in_flight_until,
                )

    # -- health and operations -------------------------------------------------------------

    async def readiness(self) -> dict[str, Any]:
        checks: dict[str, Any] = {}
        if self.needs_nats:
            error = await self._nats_round_trip()
            checks["nats"] = error is None
            if error is not None:
                checks["nats_error"] = error
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = True
        except Exception as exc:  # noqa: BLE001 - readiness reports, never raises
            checks["database"] = False
            checks["database_error"] = type(exc).__name__
        checks["consumers_bound"] = len(self._pulls) == len(self.runners) and all(
            p.state.bound for p in self._pulls
        )
        nats_ok = checks["nats"] if self.needs_nats else True
        ready = bool(nats_ok and checks["database"] and checks["consumers_bound"])
        return {"ready": ready, "service": self.name, **checks}

    async def _nats_round_trip(self) -> str | None:
        """None if the server answered a PING within `READY_RTT_TIMEOUT_S`, else why not. A
        connection that looks open may lead to a server that is frozen or gone: only an
        answer proves it serves."""
        try:
            nc = self.broker.connection
        except Exception:  # noqa: BLE001 - not connected yet
            return "not_connected"
        if nc is None or not nc.is_connected:
            return "reconnecting" if nc is not None and nc.is_reconnecting else "not_connected"
        try:
            # nats-py's own timeout, and asyncio's around it in case PING cannot even be written.
            await asyncio.wait_for(nc.flush(timeout=READY_RTT_TIMEOUT_S), READY_RTT_TIMEOUT_S + 0.5)
        except Exception as exc:  # noqa: BLE001 - readiness reports, never raises
            return f"no_answer: {type(exc).__name__}"
        return None

    async def consumer_lag(self) -> list[dict[str, Any]]:
        out = []
        js = self.nc.jetstream()
        pulls = {p.runner.name: p for p in self._pulls}
        for runner in self.runners:
            pull = pulls.get(runner.name)
            async with self.sessions() as session:
                checkpoint = await ck.read_checkpoint(session, runner.name)
            row: dict[str, Any] = {
                "consumer": runner.name,
                "ordered": runner.spec.ordered,
                "checkpoint": checkpoint if runner.spec.ordered else None,
                "applied": runner.stats.applied,
                "skipped": runner.stats.skipped,
                "parked": runner.stats.parked,
                "transient_retries": runner.stats.transient_retries,
                "last_applied_seq": runner.stats.last_applied_seq,
                "batches": runner.stats.batches,
                "last_batch_at": runner.stats.last_batch_at or None,
                "pull_requests": pull.state.requests if pull else None,
            }
            try:
                info = await js.consumer_info(runner.spec.stream, runner.spec.durable)
                row["num_pending"] = info.num_pending
                row["num_ack_pending"] = info.num_ack_pending
                row["num_redelivered"] = info.num_redelivered
                row["lag"] = (info.num_pending or 0) + (info.num_ack_pending or 0)
            except Exception as exc:  # noqa: BLE001 - lag is best effort
                row["error"] = type(exc).__name__
            out.append(row)
        return out

    async def parked(self) -> list[dict[str, Any]]:
        async with self.sessions() as session:
            rows = await ck.list_parked(session)
        return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in rows]


def _documented_handler(runner: ConsumerRunner) -> Callable[[NatsMessage], Awaitable[None]]:
    async def on_events(msg: NatsMessage) -> None:
        await runner.handle_batch(cast("list[Msg]", msg.raw_message))

    return on_events


class _StreamReader:
    """Reads a stream once the connection exists (the runner is built before the app starts).
    Always JetStream, even when the service's store was given: a consumer fills its gaps from
    the stream its durable consumer is on."""

    def __init__(self, runtime: ServiceRuntime, stream: str) -> None:
        self._runtime = runtime
        self._stream = stream
        self._store: JetStreamEventStore | None = None

    def _jetstream(self) -> JetStreamEventStore:
        if self._store is None:
            self._store = JetStreamEventStore(self._runtime.nc, stream=self._stream)
        return self._store

    async def read_range(self, subject_filter: str, first_seq: int, last_seq: int) -> list[StoredMessage]:
        return await self._jetstream().read_range(subject_filter, first_seq, last_seq)

    async def voided(self, seqs: Iterable[int]) -> dict[int, VoidMarker]:
        return await self._jetstream().voided(seqs)
