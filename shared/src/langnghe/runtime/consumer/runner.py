"""The consumer runner every service uses to apply events from a durable pull consumer.

For each fetched batch (in stream order):

1. One transaction: skip what was already applied (sequence <= checkpoint for an ordered
   consumer; the processed set for a shared one), park events of aggregates that are already
   parked and messages that cannot be read (with their aggregate; skipped instead if an
   operator voided them), hand the rest to the handler in one call (so it can use
   executemany), store the new checkpoint, commit. Then ack. A crash between commit and
   ack only causes a redelivery that the checkpoint skips.
2. A transient failure (database unreachable, locked, timed out) never parks anything: the
   batch is retried in process with backoff, its ack deadline extended, until it goes through
   or the service stops (then the batch is nak'ed for prompt redelivery; whatever the order
   of redelivery, the gap filling of point 5 applies events in stream order).
3. Any other failure isolates the batch: events are applied one transaction each; one that
   still fails after `poison_attempts` tries is **parked** together with every later event of
   the same aggregate (Axon's sequenced dead-letter queue). The rest of the stream flows on.
   An operator lists and re-drives parked aggregates (`redrive`).
4. A message that kept killing the process is parked without another attempt: either the
   server delivered it `max_deliver - 1` times without an ack, or, after a restart that
   realigned the consumer (`suspect_until`), a committed attempt counter passed
   `crash_limit`.
5. An ordered consumer never trusts delivery order for completeness: before a batch is
   applied, every stored event on its filter between the checkpoint and the batch's last
   sequence is read from the stream (Direct Get) and any the server has not handed over
   yet is applied in its place. A message orphaned by a fetch that timed out on the client,
   or held by a dead process, would otherwise arrive after later events and be skipped by
   the checkpoint; when it is redelivered, the checkpoint skips it harmlessly.

Why this file is a little over 300 lines: the five rules act on one state (the position,
the last delivery, the stats, the stop flag) in one retry loop; split further, each piece
would reach back into the runner. What stands alone sits beside it: decoding and the
handler's interface (incoming.py), transient failures (failures.py), acks, re-drive.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from nats.aio.msg import Msg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from langnghe.contracts.codec import REGISTRY, EventRegistry
from langnghe.contracts.consumers import ConsumerSpec
from langnghe.contracts.subjects import HEADER_EVENT_TYPE
from langnghe.runtime import checkpoints as ck
from langnghe.runtime.consumer import acks
from langnghe.runtime.consumer.failures import is_transient
from langnghe.runtime.consumer.incoming import EventHandler, Incoming, RangeReader, VoidLookup, decode
from langnghe.runtime.consumer.redrive import redrive

log = structlog.get_logger("langnghe.consumer")


@dataclass
class RunnerStats:
    batches: int = 0
    applied: int = 0
    skipped: int = 0
    parked: int = 0
    transient_retries: int = 0
    last_applied_seq: int = 0
    last_batch_at: float = 0.0


class ConsumerRunner:
    def __init__(
        self,
        spec: ConsumerSpec,
        handler: EventHandler,
        sessions: async_sessionmaker[AsyncSession],
        *,
        registry: EventRegistry = REGISTRY,
        checkpoint_name: str | None = None,
        poison_attempts: int = 3,
        backoff: Sequence[float] = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
        stream_reader: RangeReader | None = None,
        crash_limit: int = 3,
        voids: VoidLookup | None = None,
    ) -> None:
        self.spec = spec
        self.handler = handler
        self.sessions = sessions
        self.registry = registry
        self.name = checkpoint_name or spec.durable
        self.poison_attempts = poison_attempts
        self.backoff = tuple(backoff)
        self.stats = RunnerStats()
        self.stopping = False
        self.stream_reader = stream_reader
        self.crash_limit = crash_limit
        #: Where voided messages are looked up (asked only for a message that cannot be read).
        self.voids = voids
        #: Sequences up to here were in a previous process's hands when it died; they are
        #: applied one by one, each attempt counted in the database first.
        self.suspect_until = 0
        self._position: int | None = None  # last committed checkpoint, known to this writer
        self._last_delivery: int | None = None  # consumer sequence of the last message handed to us
        wanted = getattr(handler, "event_types", None)
        self.event_types: frozenset[str] | None = frozenset(wanted) if wanted is not None else None

    # -- entry point -----------------------------------------------------------------------

    def incoming(self, msg: Msg) -> Incoming:
        md = msg.metadata
        event_type = msg.headers.get(HEADER_EVENT_TYPE) if msg.headers else None
        item = decode(
            self.registry,
            self.event_types,
            msg,
            md.sequence.stream,
            msg.subject,
            msg.data,
            md.num_delivered,
            event_type,
        )
        item.delivery_seq = md.sequence.consumer
        return item

    async def _with_gaps_filled(self, items: list[Incoming]) -> list[Incoming]:
        if not self.spec.ordered or self.stream_reader is None or not items:
            return items
        if self._position is None:
            async with self.sessions() as session:
                self._position = await ck.read_checkpoint(session, self.name)
        top = max(i.seq for i in items)
        deliveries = sorted(i.delivery_seq for i in items)
        contiguous = (
            self._last_delivery is not None
            and deliveries == list(range(self._last_delivery + 1, self._last_delivery + 1 + len(items)))
            and all(i.num_delivered == 1 for i in items)
            and self.stats.last_applied_seq >= self._position
        )
        self._last_delivery = max(self._last_delivery or 0, deliveries[-1])
        if top <= self._position or contiguous:
            # Every delivery since the last batch is here, and new deliveries come in
            # stream order: nothing on the filter can be missing below `top`.
            return items
        have = {i.seq for i in items}
        missing: list[Incoming] = []
        for subject_filter in self.spec.filter_subjects:
            for stored in await self.stream_reader.read_range(subject_filter, self._position + 1, top):
                if stored.seq not in have:
                    have.add(stored.seq)
                    missing.append(
                        decode(
                            self.registry, self.event_types, None, stored.seq, stored.subject, stored.data, 1
                        )
                    )
        if not missing:
            return items
        log.warning(
            "consumer_gap_filled", consumer=self.name, events=len(missing), first=min(m.seq for m in missing)
        )
        return sorted(items + missing, key=lambda i: i.seq)

    async def handle_batch(self, msgs: Sequence[Msg]) -> None:
        """Apply a fetched batch and ack it; see the module docstring for the failure rules."""
        items = await self._with_gaps_filled([self.incoming(m) for m in msgs])
        self.stats.batches += 1
        self.stats.last_batch_at = time.time()
        if self.suspect_until and all(i.seq > self.suspect_until for i in items):
            async with self.sessions.begin() as session:
                await ck.clear_attempts(session, self.name)
            self.suspect_until = 0
        if not any(i.num_delivered > 1 or i.seq <= self.suspect_until for i in items):
            try:
                if await self._retrying(items, self._apply_together, items):
                    await self._ack(items)
                return
            except Exception as exc:  # noqa: BLE001 - any handler failure: isolate the culprit
                log.warning(
                    "batch_failed_isolating", consumer=self.name, error=f"{type(exc).__name__}: {exc}"
                )
        await self._apply_isolated(items)

    # -- the two ways of applying ----------------------------------------------------------

    async def _apply_together(self, items: Sequence[Incoming]) -> None:
        # A message that cannot be read is known without trying: parked (or, if voided,
        # skipped) in the batch's own transaction, the rest applied together.
        await self._skip_voided(items)
        await self._transaction(items, None)

    async def _skip_voided(self, items: Sequence[Incoming]) -> None:
        """Messages an operator voided are checkpointed like events the handler does not act
        on: never parked, never applied. Asked only about messages that cannot be read."""
        refused = [i.seq for i in items if i.decode_error is not None]
        if not refused or self.voids is None:
            return
        voided = await self.voids.voided(refused)
        for item in items:
            if item.seq in voided:
                item.decode_error, item.ignored_type = None, "voided"
                log.info("voided_message_skipped", consumer=self.name, seq=item.seq)

    async def _apply_isolated(self, items: Sequence[Incoming]) -> None:
        await self._skip_voided(items)
        for item in items:
            reason = item.decode_error
            if reason is None and item.num_delivered >= max(self.spec.max_deliver - 1, 2):
                reason = f"delivered {item.num_delivered} times without an ack (it may crash the consumer)"
            if reason is None and item.seq <= self.suspect_until:
                async with self.sessions.begin() as session:
                    attempts = await ck.bump_attempt(session, self.name, item.seq)
                if attempts > self.crash_limit:
                    reason = f"the consumer stopped {attempts - 1} times while applying it"
            if reason is None:
                for attempt in range(1, self.poison_attempts + 1):
                    try:
                        if not await self._retrying([item], self._transaction, [item], None):
                            return
                        reason = None
                        break
                    except Exception as exc:  # noqa: BLE001 - a handler bug of any kind parks the aggregate
                        reason = f"{type(exc).__name__}: {exc}"
                        log.warning(
                            "event_apply_failed",
                            consumer=self.name,
                            seq=item.seq,
                            attempt=attempt,
                            error=reason,
                        )
                        if attempt < self.poison_attempts:
                            await asyncio.sleep(self.backoff[min(attempt - 1, len(self.backoff) - 1)])
            if reason is not None and not await self._retrying([item], self._transaction, [item], reason):
                return
            await self._ack([item])

    async def _transaction(self, items: Sequence[Incoming], park_reason: str | None) -> None:
        """One transaction: dedupe, park-or-apply, checkpoint. `park_reason` parks the items;
        without it, an item that could not be decoded parks its aggregate (and what follows)."""
        if not self.spec.ordered and park_reason is None:
            # A shared consumer remembers what it applied, to skip redeliveries; an event its
            # handler does not act on needs no memory, and a batch of only those no database.
            ignored = [i for i in items if i.ignored_type is not None]
            if ignored:
                self.stats.applied += len(ignored)
                self.stats.last_applied_seq = max(self.stats.last_applied_seq, *(i.seq for i in ignored))
                items = [i for i in items if i.ignored_type is None]
                if not items:
                    return
        async with self.sessions.begin() as session:
            seqs = [i.seq for i in items]
            if self.spec.ordered:
                high = await ck.read_checkpoint(session, self.name, lock=True)
                fresh = [i for i in items if i.seq > high]
            else:
                seen = await ck.already_processed(session, self.name, seqs)
                fresh = [i for i in items if i.seq not in seen]
            self.stats.skipped += len(items) - len(fresh)
            if not fresh:
                return
            parked = await ck.parked_among(session, self.name, (i.aggregate_id for i in fresh), lock=True)
            to_park: list[tuple[Incoming, str]] = []
            to_apply: list[Incoming] = []
            for item in fresh:
                reason = park_reason if park_reason is not None else item.decode_error
                if reason is not None and item.aggregate_id not in parked:
                    await ck.park_aggregate(session, self.name, item.aggregate_id, item.seq, reason)
                    parked.add(item.aggregate_id)
                    to_park.append((item, reason))
                elif item.aggregate_id in parked:
                    to_park.append((item, "an earlier event of this aggregate is parked"))
                else:
                    to_apply.append(item)
            events = [i.recorded for i in to_apply if i.recorded is not None]
            if events:
                await self.handler.apply(session, events)
            await ck.park_messages(
                session,
                self.name,
                [
                    {
                        "stream_seq": i.seq,
                        "aggregate_id": i.aggregate_id,
                        "subject": i.subject,
                        "event_type": i.event_type,
                        "payload": i.payload,
                        "error": reason,
                        "attempts": 0,
                    }
                    for i, reason in to_park
                ],
            )
            if self.spec.ordered:
                await ck.write_checkpoint(session, self.name, max(i.seq for i in fresh))
            else:
                await ck.mark_processed(session, self.name, [i.seq for i in fresh])
        self.stats.applied += len(to_apply)
        self.stats.parked += len(to_park)
        self.stats.last_applied_seq = max(self.stats.last_applied_seq, *(i.seq for i in fresh))
        if self.spec.ordered:
            self._position = max(self._position or 0, self.stats.last_applied_seq)
        for item, reason in to_park:
            log.error(
                "event_parked",
                consumer=self.name,
                seq=item.seq,
                aggregate_id=item.aggregate_id,
                reason=reason,
            )

    async def _retrying(self, items: Sequence[Incoming], fn: Any, *args: Any) -> bool:
        """Run fn, retrying transient failures with backoff while extending the ack deadline.
        True once it succeeds; False if the runner stops first (the items are then nak'ed).
        Non-transient errors propagate."""
        attempt = 0
        while True:
            try:
                await fn(*args)
                return True
            except Exception as exc:
                if not is_transient(exc):
                    raise
                delay = self.backoff[min(attempt, len(self.backoff) - 1)]
                attempt += 1
                self.stats.transient_retries += 1
                log.warning(
                    "batch_transient_failure",
                    consumer=self.name,
                    error=f"{type(exc).__name__}: {exc}",
                    retry_in=delay,
                )
            if self.stopping:
                await self._nak(items)
                return False
            await self._in_progress(items)
            await asyncio.sleep(delay)

    # -- acks (instance attributes, so a test can stand in for the server) ----------------

    _ack = staticmethod(acks.ack)
    _nak = staticmethod(acks.nak)
    _in_progress = staticmethod(acks.in_progress)

    # -- operators -------------------------------------------------------------------------

    async def redrive(self, aggregate_id: str) -> dict[str, Any]:
        """Re-apply a parked aggregate's events in order; unpark it if they all apply."""
        return await redrive(self.sessions, self.name, self.registry, self.handler, aggregate_id, self.voids)
