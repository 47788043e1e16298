"""Rebuilding a projection from sequence 1 into fresh tables while the old ones keep serving.

1. Create generation N+1's tables; replay the stream into them with an ordered consumer
   (received in this process, or by a helper process on another core when given the server
   URLs: `langnghe.runtime.speedups.replay_process`), batch by batch, each batch in one transaction
   with the rebuild's own checkpoint, the projection's counters summed in memory and written
   once at the end; then build the secondary indexes (a rebuild fills the tables without
   them).
2. Switch, in one transaction that holds the live consumer's checkpoint row: apply what the
   live consumer has applied since (up to its checkpoint), point readers and the live
   consumer at generation N+1, set the live checkpoint to the rebuild's position.
3. Generation N stays for rollback; N-1 is dropped.

A message no reader may apply stops the rebuild (`AggregateQuarantined`) unless an operator
voided it, and a rebuild that fails for any reason before the switch drops the tables of the
generation it was filling: nothing half-built is left behind.

Projections are deterministic (event time, never the wall clock), so a rebuild equals the
live result.

One file, a little over 300 lines: the replay, the screening of voided messages and the two
phases share the rebuild's state and are read in order; `replay_end` (when a replay is done)
and `speedups.replay_process` (receiving on another core) are already apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from langnghe.contracts.codec import REGISTRY, UndecodableEvent
from langnghe.contracts.consumers import ConsumerSpec
from langnghe.contracts.subjects import subject_matcher
from langnghe.runtime import checkpoints as ck
from langnghe.runtime.consumer import VoidLookup
from langnghe.runtime.eventstore import (
    AggregateQuarantined,
    QuarantinedMessage,
    RecordedEvent,
    StoredMessage,
    VoidMarker,
    decode_stored,
)
from langnghe.runtime.eventstore.voids import find_voids
from langnghe.runtime.replay_end import ReplayEnd
from langnghe.runtime.speedups.replay_process import replay_via_helper

log = structlog.get_logger("langnghe.rebuild")


class GenerationalProjection(Protocol):
    name: str

    async def active_generation(self, session: AsyncSession) -> int: ...

    async def set_active_generation(self, session: AsyncSession, generation: int) -> None: ...

    async def create_generation(
        self, engine: AsyncEngine, generation: int, *, indexes: bool = True
    ) -> None: ...

    async def create_indexes(self, engine: AsyncEngine, generation: int) -> None: ...

    async def drop_generation(self, engine: AsyncEngine, generation: int) -> None: ...

    def new_tallies(self) -> Any:
        """Counters the projection keeps in memory while it fills a generation no reader sees
        (instead of writing them with every batch)."""

    async def write_tallies(self, session: AsyncSession, generation: int, tallies: Any) -> None: ...

    async def apply_to(
        self,
        session: AsyncSession,
        events: Sequence[RecordedEvent],
        generation: int,
        tallies: Any = None,
    ) -> None: ...


@dataclass(frozen=True)
class RebuildReport:
    projection: str
    generation: int
    events: int
    seconds: float
    position: int

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


async def replay(
    js: JetStreamContext, spec: ConsumerSpec, *, start_seq: int, batch_size: int, idle_s: float = 0.5
) -> AsyncGenerator[list[Msg], None]:
    """Ordered-consumer replay from `start_seq`, yielding batches, until the server has nothing
    left to deliver (`langnghe.runtime.replay_end`: after `idle_s` without a message, it is
    asked; quiet alone never ends a replay).

    Messages wait in a deque, and the reader is woken only when it is waiting: at tens of
    thousands of messages a second, an asyncio.Queue's put and get are a measurable share of
    a rebuild."""
    pending: deque[Msg] = deque()
    arrived = asyncio.Event()

    async def on_msg(msg: Msg) -> None:
        pending.append(msg)
        if not arrived.is_set():
            arrived.set()

    one_filter = len(spec.filter_subjects) == 1
    subject = spec.filter_subjects[0] if one_filter else ">"
    # On one filter the server delivers nothing else; on several, the others are dropped here.
    matches = None if one_filter else subject_matcher(spec.filter_subjects)
    sub = await js.subscribe(
        subject,
        stream=spec.stream,
        cb=on_msg,
        ordered_consumer=True,
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        config=ConsumerConfig(opt_start_seq=max(start_seq, 1)),
    )
    end = ReplayEnd()
    try:
        while True:
            quiet_s = 0.0
            while not pending:
                arrived.clear()
                try:
                    await asyncio.wait_for(arrived.wait(), timeout=idle_s)
                except TimeoutError:
                    quiet_s += idle_s
                    if await end.caught_up(sub, quiet_s):
                        return
            take = min(batch_size, len(pending))
            batch = [pending.popleft() for _ in range(take)]
            yield batch if matches is None else [m for m in batch if matches(m.subject)]
            if end.saw(batch[-1].metadata):
                return  # caught up with the stream as it was when this message was sent
    finally:
        await sub.unsubscribe()


def _triples(msgs: Sequence[Msg]) -> list[tuple[int, str, bytes]]:
    return [(m.metadata.sequence.stream, m.subject, m.data) for m in msgs]


def _triples_stored(msgs: Sequence[StoredMessage]) -> list[tuple[int, str, bytes]]:
    return [(m.seq, m.subject, m.data) for m in msgs]


class _JetStreamVoids:
    def __init__(self, js: JetStreamContext, stream: str) -> None:
        self._js = js
        self._stream = stream

    async def voided(self, seqs: Iterable[int]) -> dict[int, VoidMarker]:
        return await find_voids(self._js, self._stream, seqs)


async def _screened(
    items: list[tuple[int, str, bytes]], stream: str, voids: VoidLookup
) -> list[RecordedEvent]:
    """The batch's events; a message no reader may apply is skipped if voided, else stops
    the rebuild. The common case (every message valid) is one comprehension."""
    try:
        return [decode_stored(REGISTRY, seq, subject, data) for seq, subject, data in items]
    except UndecodableEvent:
        pass
    events: list[RecordedEvent] = []
    refused: list[tuple[int, str, str]] = []
    for seq, subject, data in items:
        try:
            events.append(decode_stored(REGISTRY, seq, subject, data))
        except UndecodableEvent as exc:
            refused.append((seq, subject, str(exc)))
    voided = await voids.voided(seq for seq, _, _ in refused)
    now = datetime.now(UTC)
    blocking = [
        QuarantinedMessage(stream, seq, subj, why, now) for seq, subj, why in refused if seq not in voided
    ]
    if blocking:
        raise AggregateQuarantined(None, blocking)
    return events


async def rebuild(
    js: JetStreamContext,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    projection: GenerationalProjection,
    spec: ConsumerSpec,
    *,
    batch_size: int = 1000,
    servers: Sequence[str] | None = None,
    voids: VoidLookup | None = None,
) -> RebuildReport:
    """Rebuild `projection` into its next generation and switch to it. With `servers` (the
    URLs the service connects with), the stream is received by a helper process on another
    core (`langnghe.runtime.speedups.replay_process`); without, in this one. Voided messages
    are looked up in `voids` (by default, the stream's own markers)."""
    started = time.perf_counter()
    lookup: VoidLookup = voids if voids is not None else _JetStreamVoids(js, spec.stream)
    async with sessions() as session:
        old = await projection.active_generation(session)
    new = old + 1
    # Decoding (CPU, here) overlaps the previous batch's write (the driver's thread or
    # socket): on PostgreSQL the rebuild otherwise spends a third of its time waiting.
    decoded: asyncio.Queue[list[RecordedEvent] | None] = asyncio.Queue(maxsize=4)

    async def decode_batches() -> None:
        batches: AsyncGenerator[Any, None]
        to_triples: Callable[[Any], list[tuple[int, str, bytes]]]
        batch: Any  # StoredMessages from the helper, or nats-py's Msgs
        if servers:
            batches = replay_via_helper(servers, spec, start_seq=1, batch_size=batch_size)
            to_triples = _triples_stored
        else:
            batches, to_triples = replay(js, spec, start_seq=1, batch_size=batch_size), _triples
        try:
            async with contextlib.aclosing(batches):
                async for batch in batches:
                    if batch:
                        events = await _screened(to_triples(batch), spec.stream, lookup)
                        if events:
                            await decoded.put(events)
        finally:
            await decoded.put(None)

    # The replay (and its helper process) starts while the tables are made.
    producer = asyncio.create_task(decode_batches())
    try:
        applied, position = await _fill_and_switch(
            js, engine, sessions, projection, spec, producer, decoded, new, batch_size, lookup
        )
    except BaseException:
        # Nothing was switched (the switch is one transaction): drop what was half-built.
        with contextlib.suppress(Exception):
            await projection.drop_generation(engine, new)
        log.error("projection_rebuild_failed", projection=projection.name, generation=new)
        raise
    if old > 1:
        await projection.drop_generation(engine, old - 1)
    seconds = time.perf_counter() - started
    log.info(
        "projection_rebuilt",
        projection=projection.name,
        generation=new,
        events=applied,
        seconds=round(seconds, 3),
    )
    return RebuildReport(projection.name, new, applied, seconds, position)


async def _fill_and_switch(
    js: JetStreamContext,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    projection: GenerationalProjection,
    spec: ConsumerSpec,
    producer: asyncio.Task[None],
    decoded: asyncio.Queue[list[RecordedEvent] | None],
    new: int,
    batch_size: int,
    voids: VoidLookup,
) -> tuple[int, int]:
    """Fill generation `new` from the decoded batches, then switch to it; (events applied,
    position reached)."""
    rebuild_ck = f"{spec.durable}@g{new}"
    applied = 0
    position = 0
    try:
        await projection.drop_generation(engine, new)  # leftovers of an abandoned rebuild
        # Rows first, secondary indexes after: one sorted build instead of an update per row.
        await projection.create_generation(engine, new, indexes=False)
        # Nobody reads the new generation before the switch, and an abandoned rebuild starts
        # over (its tables are dropped above): its counters can wait in memory until the end.
        tallies = projection.new_tallies()
        while (events := await decoded.get()) is not None:
            async with sessions.begin() as session:
                await projection.apply_to(session, events, new, tallies)
                position = events[-1].stream_seq
                await ck.write_checkpoint(session, rebuild_ck, position)
            applied += len(events)
        await producer  # re-raises a replay failure
    finally:
        if not producer.done():  # the rebuild failed: stop reading (and the helper)
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await producer
    async with sessions.begin() as session:
        await projection.write_tallies(session, new, tallies)
    await projection.create_indexes(engine, new)
    # Switch. The live consumer's checkpoint row is locked, so it cannot apply a batch to
    # the old generation while we move it to the new one.
    async with sessions.begin() as session:
        live = await ck.read_checkpoint(session, spec.durable, lock=True)
        if live > position:
            async for msgs in replay(js, spec, start_seq=position + 1, batch_size=batch_size, idle_s=0.2):
                upto = [t for t in _triples(msgs) if t[0] <= live]
                events = await _screened(upto, spec.stream, voids)
                if events:
                    await projection.apply_to(session, events, new)
                    applied += len(events)
                if upto:
                    position = upto[-1][0]
                if not upto or position >= live:
                    break
        await projection.set_active_generation(session, new)
        await ck.write_checkpoint(session, spec.durable, max(live, position))
        await ck.write_checkpoint(session, rebuild_ck, 0)
    return applied, max(live, position)
