"""The frames a rebuild's replay helper writes, cut back into messages wherever the pipe
happened to split them."""

from __future__ import annotations

import random

from langnghe.runtime.eventstore import StoredMessage
from langnghe.runtime.replay_helper import frame
from langnghe.runtime.replay_process import cut

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
