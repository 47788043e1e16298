"""A replay delivers the whole stream or fails; it never ends early as if it were complete
(a rebuild would switch readers to tables missing the tail of the stream).

- It ends only when the server says there is nothing left: a server that stops delivering for
  a while (paused, busy, recreating its consumer) stalls it.
- The helper process's output is complete: it flushes everything before it exits, and ends
  with a mark that counts what it wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import AsyncGenerator, Iterator
from pathlib import Path
from typing import Any

import nats
import nats.errors
import pytest
from nats.js.api import StorageType, StreamConfig

from langnghe.contracts.consumers import ConsumerSpec
from langnghe.runtime.rebuild import replay
from langnghe.runtime.speedups.replay_process import ReplayFailed, replay_via_helper
from langnghe.tools import nats_server

MESSAGES = 5000
PAYLOAD = b"x" * 8000  # 40 MB in all: more than the socket and pipe buffers hold
SPEC = ConsumerSpec(durable="stall-test", stream="STALL", filter_subjects=("stall.>",))
TAIL = 75  # about 77 kB of frames: more than a pipe holds (64 kB)


def _start(store: Path) -> nats_server.NatsServer:
    srv = nats_server.start(store, log_file=store / "nats.log")
    asyncio.run(_fill(srv.url))
    return srv


async def _fill(url: str) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream(timeout=10, publish_async_max_pending=1000)
    await js.add_stream(StreamConfig(name="STALL", subjects=["stall.>"], storage=StorageType.FILE))
    acks = [await js.publish_async(f"stall.{n % 7}", PAYLOAD, wait_stall=10) for n in range(MESSAGES)]
    # A stream a little larger than a pipe holds, for the helper to finish while unread.
    await js.add_stream(StreamConfig(name="TAIL", subjects=["tail.>"], storage=StorageType.FILE))
    acks += [await js.publish_async(f"tail.{n % 7}", b"y" * 1000, wait_stall=10) for n in range(TAIL)]
    await asyncio.gather(*acks)
    await nc.close()


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[nats_server.NatsServer]:
    """A server of this module's own, filled once: it is paused (and let go)."""
    srv = _start(tmp_path_factory.mktemp("stall"))
    yield srv
    os.kill(srv.process.pid, signal.SIGCONT)
    srv.stop()


@pytest.fixture
def doomed(tmp_path: Path) -> Iterator[nats_server.NatsServer]:
    """A server of the test's own: it is killed."""
    srv = _start(tmp_path / "nats")
    yield srv
    srv.stop()


def _batches(source: str, url: str, js: Any, idle_s: float) -> AsyncGenerator[list[Any], None]:
    if source == "helper":
        return replay_via_helper([url], SPEC, start_seq=1, batch_size=250, idle_s=idle_s)
    return replay(js, SPEC, start_seq=1, batch_size=250, idle_s=idle_s)


def _seq(message: Any) -> int:
    return int(message.seq) if hasattr(message, "seq") else int(message.metadata.sequence.stream)


@pytest.mark.parametrize("source", ["helper", "in-process"])
async def test_a_server_that_pauses_mid_replay_stalls_the_replay_without_ending_it(
    filled: nats_server.NatsServer, source: str
) -> None:
    nc = await nats.connect(filled.url)
    loop = asyncio.get_running_loop()
    seqs: list[int] = []
    paused_at = None
    try:
        async for batch in _batches(source, filled.url, nc.jetstream(timeout=10), idle_s=0.2):
            seqs.extend(_seq(m) for m in batch)
            if paused_at is None:
                # Paused for many idle times, then let go, while this side keeps reading.
                paused_at = len(seqs)
                os.kill(filled.process.pid, signal.SIGSTOP)
                loop.call_later(1.5, os.kill, filled.process.pid, signal.SIGCONT)
    finally:
        await nc.close()
    assert paused_at is not None and paused_at < MESSAGES
    assert seqs == list(range(1, MESSAGES + 1))


@pytest.mark.parametrize("source", ["helper", "in-process"])
async def test_a_replay_of_nothing_ends(filled: nats_server.NatsServer, source: str) -> None:
    nc = await nats.connect(filled.url)
    try:
        spec = ConsumerSpec(durable="stall-test", stream="STALL", filter_subjects=("stall.none",))
        if source == "helper":
            batches = replay_via_helper([filled.url], spec, start_seq=1, batch_size=250, idle_s=0.2)
        else:
            batches = replay(nc.jetstream(timeout=10), spec, start_seq=1, batch_size=250, idle_s=0.2)
        got = [m async for batch in batches for m in batch]
    finally:
        await nc.close()
    assert got == []


@pytest.mark.parametrize("source", ["helper", "in-process"])
async def test_a_replay_from_past_the_end_ends(filled: nats_server.NatsServer, source: str) -> None:
    nc = await nats.connect(filled.url)
    try:
        if source == "helper":
            batches = replay_via_helper(
                [filled.url], SPEC, start_seq=MESSAGES + 1, batch_size=250, idle_s=0.2
            )
        else:
            batches = replay(
                nc.jetstream(timeout=10), SPEC, start_seq=MESSAGES + 1, batch_size=250, idle_s=0.2
            )
        got = [m async for batch in batches for m in batch]
    finally:
        await nc.close()
    assert got == []


@pytest.mark.parametrize("source", ["helper", "in-process"])
async def test_a_server_that_never_comes_back_fails_the_replay(
    doomed: nats_server.NatsServer, source: str
) -> None:
    nc = await nats.connect(doomed.url)
    seqs: list[int] = []
    try:
        # Whichever way the loss shows (the helper's exit, a request timing out, the connection
        # reset), the replay fails: it does not end as if it were complete.
        with pytest.raises((ReplayFailed, TimeoutError, ConnectionError, nats.errors.Error)):
            async for batch in _batches(source, doomed.url, nc.jetstream(timeout=2), idle_s=0.2):
                seqs.extend(_seq(m) for m in batch)
                if len(seqs) == len(batch):
                    os.kill(doomed.process.pid, signal.SIGKILL)
    finally:
        with contextlib.suppress(ConnectionError):  # nats-py's close of a connection reset
            await nc.close()
    assert 0 < len(seqs) < MESSAGES


async def test_the_helper_hands_over_everything_it_received_before_it_exits(
    filled: nats_server.NatsServer,
) -> None:
    """While this side reads nothing (its loop busy, as a rebuild's is), the helper receives a
    stream a little larger than the pipe holds: the pipe fills, the rest waits in the helper's
    buffer, and the helper must not exit before that rest is written."""
    spec = ConsumerSpec(durable="tail-test", stream="TAIL", filter_subjects=("tail.>",))
    batches = replay_via_helper([filled.url], spec, start_seq=1, batch_size=TAIL, idle_s=0.2)
    first = asyncio.ensure_future(anext(batches))
    await asyncio.sleep(0.2)  # the helper is started
    time.sleep(3.0)  # noqa: ASYNC251 - the point: nothing on this side runs, the pipe is not read
    seqs = [m.seq for m in await first]
    seqs += [m.seq async for batch in batches for m in batch]
    assert seqs == list(range(1, TAIL + 1))
