"""Speed-up: the helper process of `langnghe.runtime.speedups.replay_process`.

Why it exists: receiving a stream costs nats-py about 15 µs of Python per message; in this
process it runs on another core than the rebuild's decoding and folding.

What it bought (with replay_process, paired with the raw replay): rebuilds from 33-36 % to
38-49 % of the raw replay rate on SQLite, 33-35 % to 38-49 % on PostgreSQL.

How to remove it: together with replay_process, whose docstring says how.

How it runs: `python -m` this module, with the job as JSON in `LN_REPLAY_JOB` (server URLs,
stream, filters, first sequence, idle time). It replays the stream with an ordered consumer
and writes every message on the filters to stdout.

Frame: stream sequence (8 bytes), subject length (2), payload length (4), big-endian, then the
subject (UTF-8) and the payload. The last frame is the end mark: sequence 0 (no message has
it), no subject, and the number of frames before it (8 bytes) as the payload; output without
it, or with another count, is a failed replay, whatever the exit status.

Exit 0 once everything is written and flushed (a process that exits with writes still
buffered loses them) and the replay has ended (`langnghe.runtime.replay_end` says when: never
merely because nothing arrived for the idle time); on a failure (a stall among them), the
reason on stderr and exit 1. The URLs come in the environment, not on the command line (which
other users of the machine can read).

It imports nothing heavy (no pydantic, no SQLAlchemy): it starts in 0.15-0.25 s (measured).
"""

from __future__ import annotations

import asyncio
import json
import os
import struct
import sys
from typing import Any, Final

HEADER: Final = struct.Struct(">QHI")
ENV: Final = "LN_REPLAY_JOB"
#: Stop writing into the pipe's buffer (let the server's flow control hold the stream) above this.
HIGH_WATER: Final = 4 << 20


def frame(seq: int, subject: str, data: bytes) -> bytes:
    name = subject.encode()
    return HEADER.pack(seq, len(name), len(data)) + name + data


def end_mark(frames: int) -> bytes:
    return frame(0, "", frames.to_bytes(8, "big"))


async def replay_to_stdout(job: dict[str, Any]) -> None:
    import nats
    from nats.aio.msg import Msg
    from nats.js.api import ConsumerConfig, DeliverPolicy

    from langnghe.contracts.subjects import subject_matcher
    from langnghe.runtime.replay_end import ReplayEnd

    filters = [str(f) for f in job["filters"]]
    idle_s = float(job["idle_s"])
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, sys.stdout.buffer)
    out = asyncio.StreamWriter(transport, protocol, None, loop)
    matches = None if len(filters) == 1 else subject_matcher(filters)
    done = asyncio.Event()
    end = ReplayEnd()
    last = loop.time()  # when the server last handed a message over
    waiting = False  # for the reader: a slow reader is not an idle stream
    written = 0

    async def on_msg(msg: Msg) -> None:
        nonlocal last, waiting, written
        last = loop.time()
        md = msg.metadata
        if matches is None or matches(msg.subject):
            out.write(frame(md.sequence.stream, msg.subject, msg.data))
            written += 1
            if transport.get_write_buffer_size() > HIGH_WATER:
                waiting = True
                try:
                    await out.drain()
                finally:
                    waiting = False
                    last = loop.time()
        if end.saw(md):
            done.set()

    async def quiet(_: Exception) -> None:  # nats-py prints tracebacks otherwise; the reason is raised
        return None

    nc = await nats.connect(
        servers=[str(s) for s in job["servers"]],
        max_reconnect_attempts=3,
        reconnect_time_wait=0.5,
        connect_timeout=5,
        error_cb=quiet,
    )
    try:
        sub = await nc.jetstream(timeout=10).subscribe(
            filters[0] if len(filters) == 1 else ">",
            stream=str(job["stream"]),
            cb=on_msg,
            ordered_consumer=True,
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            config=ConsumerConfig(opt_start_seq=max(int(job["start_seq"]), 1)),
        )
        while not done.is_set():
            try:
                await asyncio.wait_for(done.wait(), timeout=idle_s)
            except TimeoutError:
                quiet_s = loop.time() - last  # a slow reader is not a quiet server
                if not waiting and quiet_s >= idle_s and await end.caught_up(sub, quiet_s):
                    break
        await sub.unsubscribe()
        out.write(end_mark(written))
        # drain() waits only while the buffer is above its high-water mark: with the mark at
        # zero it returns once everything is handed to the pipe.
        transport.set_write_buffer_limits(high=0)
        await out.drain()
        out.close()
    finally:
        await nc.close()


def main() -> int:
    try:
        asyncio.run(replay_to_stdout(json.loads(os.environ[ENV])))
    except Exception as exc:  # noqa: BLE001 - the parent reports it
        print(f"replay failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
