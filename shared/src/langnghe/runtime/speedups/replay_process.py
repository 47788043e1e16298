"""Speed-up: replaying a stream for a rebuild in a helper process, so that receiving runs on
another core.

Why it exists: a rebuild is CPU-bound in one process: nats-py spends about 15 µs of Python on
each message it receives (parsing, headers, the ordered consumer's bookkeeping), and the
rebuild decodes and folds on the same core.

What it bought, paired with the raw replay (20,000 events, 5-6 rounds): the rebuild went from
33-36 % to 38-49 % of the raw replay rate on SQLite, and from 33-35 % to 38-49 % on
PostgreSQL.

How to remove it: call `langnghe.runtime.rebuild.rebuild` without `servers=` (reporting's
app passes them): it then receives in process with `replay`, as the switch's catch-up already
does. Then drop its `servers` branch, this module, `replay_helper`, and their tests
(tests/unit/test_replay_frames.py, the helper cases of tests/integration/test_rebuild.py and
tests/integration/test_replay_completeness.py).

How it works: the helper (`langnghe.runtime.speedups.replay_helper`, which says how it
frames messages and ends) runs the ordered consumer; this side reads its stdout in large
chunks and cuts frames at about 1 µs each, and raises `ReplayFailed` with the helper's reason
if it fails.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import deque
from collections.abc import AsyncGenerator, Sequence
from typing import Final

from langnghe.contracts.consumers import ConsumerSpec
from langnghe.runtime.eventstore import StoredMessage
from langnghe.runtime.speedups import replay_helper

_CHUNK: Final = 1 << 20


class ReplayFailed(RuntimeError):
    """The helper process could not replay the stream."""


def cut(buffer: bytearray) -> tuple[list[StoredMessage], int]:
    """The whole frames at the start of `buffer`, and how many bytes they took."""
    out: list[StoredMessage] = []
    pos, end, size = 0, len(buffer), replay_helper.HEADER.size
    unpack = replay_helper.HEADER.unpack_from
    with memoryview(buffer) as view:  # released before the caller trims the buffer
        while end - pos >= size:
            seq, name_len, data_len = unpack(buffer, pos)
            stop = pos + size + name_len + data_len
            if stop > end:
                break
            start = pos + size
            subject = str(view[start : start + name_len], "utf-8")
            out.append(StoredMessage(seq, subject, bytes(view[start + name_len : stop])))
            pos = stop
    return out, pos


async def replay_via_helper(
    servers: Sequence[str], spec: ConsumerSpec, *, start_seq: int, batch_size: int, idle_s: float = 0.5
) -> AsyncGenerator[list[StoredMessage], None]:
    """Like `langnghe.runtime.rebuild.replay`, the receiving done by a helper process."""
    job = {"servers": list(servers), "stream": spec.stream, "filters": list(spec.filter_subjects),
           "start_seq": start_seq, "idle_s": idle_s}  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        replay_helper.__name__,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, replay_helper.ENV: json.dumps(job)},
        limit=_CHUNK,
    )
    assert proc.stdout is not None and proc.stderr is not None
    errors = asyncio.create_task(proc.stderr.read())
    pending: deque[StoredMessage] = deque()
    buffer = bytearray()
    received, mark = 0, None
    try:
        while True:
            chunk = await proc.stdout.read(_CHUNK)
            if chunk:
                buffer += chunk
                messages, used = cut(buffer)
                del buffer[:used]
                if messages and messages[-1].seq == 0:  # the end mark comes last, alone
                    mark = int.from_bytes(messages.pop().data, "big")
                received += len(messages)
                pending.extend(messages)
            while len(pending) >= batch_size or (pending and not chunk):
                yield [pending.popleft() for _ in range(min(batch_size, len(pending)))]
            if not chunk:
                break
        code = await proc.wait()
        if code != 0 or buffer:
            reason = (await errors).decode(errors="replace").strip().splitlines()
            raise ReplayFailed(reason[-1] if reason else f"the replay helper exited with {code}")
        if mark != received:
            raise ReplayFailed(
                f"the replay helper's output ended after {received} message(s) "
                + ("without its end mark" if mark is None else f"where its end mark says {mark}")
            )
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        errors.cancel()
