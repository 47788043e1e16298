"""The frames a rebuild's replay helper writes, cut back into messages wherever the pipe
happened to split them, and the end mark that says the output is whole."""

from __future__ import annotations

import asyncio
import random
import sys
from typing import Any

import pytest

from langnghe.contracts.consumers import ConsumerSpec
from langnghe.runtime.eventstore import StoredMessage
from langnghe.runtime.speedups import replay_process
from langnghe.runtime.speedups.replay_helper import end_mark, frame
from langnghe.runtime.speedups.replay_process import cut

MESSAGES = [
    StoredMessage(1, "petitions.events.01.a", b'{"type":"petition.received"}'),
    StoredMessage(2, "petitions.events.79.b", "Ý kiến cử tri về đường liên thôn".encode()),
    StoredMessage(2**40, "timers.fired.01.due_soon.c", b""),
    StoredMessage(7, "conferences.events.01.hội-nghị", b"x" * 70_000),
]


def test_whole_frames_come_back_as_they_were_written() -> None:
    wire = bytearray(b"".join(frame(m.seq, m.subject, m.data) for m in MESSAGES))
    messages, used = cut(wire)
    assert messages == MESSAGES and used == len(wire)


def test_frames_split_anywhere_are_cut_once_whole() -> None:
    wire = b"".join(frame(m.seq, m.subject, m.data) for m in MESSAGES)
    rng = random.Random(7)
    for _ in range(50):
        buffer, got = bytearray(), []
        pos = 0
        while pos < len(wire):
            step = rng.choice((1, 3, 14, 100, 5_000, 80_000))
            buffer += wire[pos : pos + step]
            pos += step
            messages, used = cut(buffer)
            del buffer[:used]
            got += messages
        assert got == MESSAGES and not buffer


def test_a_partial_frame_is_left_in_the_buffer() -> None:
    one = frame(5, "petitions.events.01.a", b"abc")
    for size in range(len(one)):
        messages, used = cut(bytearray(one[:size]))
        assert (messages, used) == ([], 0)


FAKE_HELPER = """
import sys
from langnghe.runtime.speedups.replay_helper import end_mark, frame
out = sys.stdout.buffer
out.write(frame(1, "petitions.events.01.a", b"{}"))
out.write(frame(2, "petitions.events.01.a", b"{}"))
if sys.argv[1] != "none":
    out.write(end_mark(int(sys.argv[1])))
"""


@pytest.mark.parametrize(("mark", "complete"), [("2", True), ("none", False), ("3", False)])
async def test_output_counts_only_when_the_end_mark_counts_it(
    mark: str, complete: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A helper that exits 0 without its end mark, or with another count, lost output."""
    spawn = asyncio.create_subprocess_exec

    async def fake(*_: Any, **kwargs: Any) -> Any:
        return await spawn(sys.executable, "-c", FAKE_HELPER, mark, **kwargs)

    monkeypatch.setattr(replay_process.asyncio, "create_subprocess_exec", fake)
    spec = ConsumerSpec(durable="d", stream="S", filter_subjects=("petitions.events.>",))
    got: list[int] = []
    batches = replay_process.replay_via_helper(["nats://unused"], spec, start_seq=1, batch_size=10)
    if complete:
        got = [m.seq async for batch in batches for m in batch]
        assert got == [1, 2]
    else:
        with pytest.raises(replay_process.ReplayFailed, match="after 2 message"):
            got = [m.seq async for batch in batches for m in batch]


def test_the_end_mark_is_a_frame_no_message_can_be() -> None:
    messages, _ = cut(bytearray(frame(1, "a.b", b"x") + end_mark(1)))
    assert [m.seq for m in messages] == [1, 0] and int.from_bytes(messages[-1].data, "big") == 1
