"""The fetch loop of a durable pull consumer, feeding the runner batch after batch.

Why not FastStream's batch subscriber: its loop keeps fetching until the batch is full or
its wait ends (each event can sit there for the whole wait), and with nats-py 2.16 it loses
a batch it has already fetched when `fetch` raises asyncio's TimeoutError instead of nats'
(the loop dies and restarts; the events come back only after their ack wait). Measured in
the benchmark: ~30 lost batches per 8 s under load, and a 30 s stall at the end of a run.

This loop keeps one pull request outstanding on one inbox, so whatever the server sends is
read, never orphaned. It waits for the first message, then up to the spec's `linger_s` for
more; everything that has arrived by then is handled as one batch, in order, while the
request keeps prefetching.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass

import structlog
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from langnghe.runtime.consumer import ConsumerRunner

log = structlog.get_logger("langnghe.pull")

#: Statuses that end a pull request: no messages (404), expired (408), and the 409s
#: (consumer deleted, leadership change, max waiting exceeded...).
_REQUEST_ENDED = ("404", "408", "409")


@dataclass
class PullState:
    bound: bool = False
    requests: int = 0


class PullLoop:
    def __init__(self, nc: NatsClient, runner: ConsumerRunner, *, expires_s: float = 5.0) -> None:
        self.nc = nc
        self.runner = runner
        self.spec = runner.spec
        self.expires_s = expires_s
        self.state = PullState()
        self._queue: asyncio.Queue[Msg] = asyncio.Queue()
        self._sub: Subscription | None = None
        self._inbox = ""
        self._outstanding = 0
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        #: True while a batch is in the runner's hands: stop waits for it, and only for it.
        self._handling = False
        self._retries_at_batch = 0

    async def start(self) -> None:
        self._inbox = self.nc.new_inbox()
        self._sub = await self.nc.subscribe(self._inbox, cb=self._on_msg)
        await self._request()
        self.state.bound = True
        self._task = asyncio.create_task(self._run(), name=f"pull-{self.spec.durable}")

    async def stop(self, timeout: float) -> None:
        """Finish the batch in hand (up to `timeout`), then stop pulling.

        An idle loop is cancelled at once: it waits for a message or for its pull request to
        expire (`expires_s`), and nothing it holds needs finishing. A batch in hand is either
        finished (committed, then acked) or, past `timeout`, cancelled before its ack: the
        server redelivers it to the next process and the checkpoint skips what was committed
        (docs/ARCHITECTURE.md, section 5)."""
        self._stopping = True
        self.runner.stopping = True
        if self._task is not None:
            if self._handling:
                await self._finish_batch(timeout)
            if not self._task.done():
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
        self.state.bound = False

    async def _finish_batch(self, timeout: float) -> None:
        """Wait for the batch in hand, up to `timeout`, unless the runner is retrying it after
        a transient failure (the store or the database is unavailable): then it would only
        nak it after its backoff (up to 30 s), so it is cancelled at once, unacked."""
        assert self._task is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._task.done() and loop.time() < deadline:
            if self._retries() > self._retries_at_batch:
                return
            await asyncio.wait({self._task}, timeout=min(0.05, max(0.0, deadline - loop.time())))

    def _retries(self) -> int:
        stats = getattr(self.runner, "stats", None)
        return int(getattr(stats, "transient_retries", 0))

    async def _on_msg(self, msg: Msg) -> None:
        self._queue.put_nowait(msg)

    async def _request(self) -> None:
        body = {"batch": self.spec.batch_size, "expires": int(self.expires_s * 1e9)}
        await self.nc.publish(
            f"$JS.API.CONSUMER.MSG.NEXT.{self.spec.stream}.{self.spec.durable}",
            json.dumps(body).encode(),
            reply=self._inbox,
        )
        self._outstanding = self.spec.batch_size
        self.state.requests += 1

    async def _run(self) -> None:
        while not self._stopping:
            try:
                first = await asyncio.wait_for(self._queue.get(), timeout=self.expires_s + 2.0)
            except TimeoutError:
                await self._ask_again()  # the request was lost (reconnect): ask again
                continue
            if self.spec.linger_s > 0 and self._queue.qsize() + 1 < self.spec.batch_size:
                await self._linger()
            batch: list[Msg] = []
            for msg in [first, *self._drain()]:
                status = (msg.headers or {}).get("Status") if not msg.data else None
                if status is not None:
                    if status in _REQUEST_ENDED:
                        self._outstanding = 0
                    continue  # 100: heartbeat
                batch.append(msg)
                self._outstanding -= 1
            if self._outstanding <= 0:
                await self._ask_again()
            if not batch:
                continue
            self._handling = True
            self._retries_at_batch = self._retries()
            try:
                await self.runner.handle_batch(batch)
            except Exception as exc:  # noqa: BLE001 - never let the loop die; unacked events come back
                log.error(
                    "batch_handler_crashed", consumer=self.spec.durable, error=f"{type(exc).__name__}: {exc}"
                )
                await asyncio.sleep(1.0)
                await self._nak_all(batch)
            finally:
                self._handling = False

    async def _nak_all(self, batch: list[Msg]) -> None:
        """Hand a crashed batch back at once: left unacked it would wait out its ack wait (30 s)
        before coming back, and an ordered consumer applies nothing after it meanwhile (seen
        after a nats-server restart, when the first gap fill's direct get timed out). Events
        already applied are skipped by the checkpoint when they return."""
        for msg in batch:
            try:
                await msg.nak()
            except Exception as exc:  # noqa: BLE001 - no connection: the ack wait brings it back
                log.warning("nak_not_sent", consumer=self.spec.durable, error=f"{type(exc).__name__}: {exc}")
                return

    async def _ask_again(self) -> None:
        """A new pull request; a failure to send it (no connection) is retried by the loop's
        own timeout, so the loop outlives a server restart."""
        try:
            await self._request()
        except Exception as exc:  # noqa: BLE001 - the connection is down: the next wait retries
            error = f"{type(exc).__name__}: {exc}"
            log.warning("pull_request_not_sent", consumer=self.spec.durable, error=error)

    async def _linger(self) -> None:
        """Wait up to the spec's linger for a full batch (or for the loop to be stopped)."""
        deadline = asyncio.get_running_loop().time() + self.spec.linger_s
        while self._queue.qsize() + 1 < self.spec.batch_size and not self._stopping:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return
            await asyncio.sleep(min(remaining, 0.005))

    def _drain(self) -> list[Msg]:
        out: list[Msg] = []
        while not self._queue.empty() and len(out) < self.spec.batch_size * 2:
            out.append(self._queue.get_nowait())
        return out
