"""When a replay may end: only on the server's word that nothing is left to deliver."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from nats.js.errors import NotFoundError

from langnghe.runtime.replay_end import ReplayEnd, ReplayStalled


class FakeSub:
    def __init__(self, info: Any) -> None:
        self.info = info

    async def consumer_info(self) -> Any:
        if self.info is None:
            raise NotFoundError
        return self.info


def info(name: str, pending: int, sent: int) -> Any:
    return SimpleNamespace(name=name, num_pending=pending, delivered=SimpleNamespace(consumer_seq=sent))


def metadata(consumer: str, dseq: int, pending: int) -> Any:
    return SimpleNamespace(consumer=consumer, sequence=SimpleNamespace(consumer=dseq), num_pending=pending)


def test_the_message_sent_as_the_last_one_ends_the_replay() -> None:
    end = ReplayEnd()
    assert end.saw(metadata("c1", 1, 2)) is False
    assert end.saw(metadata("c1", 3, 0)) is True


@pytest.mark.parametrize(
    ("seen", "server", "done"),
    [
        (None, info("c1", 0, 0), True),  # nothing on the filters: an empty replay
        (("c1", 7), info("c1", 0, 7), True),  # everything it sent has arrived
        (("c1", 7), info("c1", 0, 9), False),  # two are still on their way
        (("c1", 7), info("c1", 3, 7), False),  # it has three more to send
        (("c1", 7), info("c2", 0, 0), True),  # recreated after message 7, nothing after it
        (("c1", 7), info("c2", 0, 4), False),  # recreated, and sent four not received yet
        (("c1", 7), None, False),  # the ordered consumer is being recreated
    ],
)
async def test_quiet_ends_the_replay_only_when_the_server_has_nothing_left(
    seen: tuple[str, int] | None, server: Any, done: bool
) -> None:
    end = ReplayEnd(stall_s=60)
    if seen is not None:
        end.saw(metadata(seen[0], seen[1], 5))
    assert await end.caught_up(FakeSub(server), quiet_s=1.0) is done


async def test_a_server_with_more_to_send_that_sends_nothing_for_too_long_stalls_the_replay() -> None:
    end = ReplayEnd(stall_s=30)
    end.saw(metadata("c1", 7, 5))
    assert await end.caught_up(FakeSub(info("c1", 5, 7)), quiet_s=29.0) is False
    with pytest.raises(ReplayStalled, match="5 message"):
        await end.caught_up(FakeSub(info("c1", 5, 7)), quiet_s=30.0)
    with pytest.raises(ReplayStalled, match="unknown number"):
        await end.caught_up(FakeSub(None), quiet_s=31.0)
