"""When an ordered-consumer replay has received everything, for the rebuild's replays (in
this process, `langnghe.runtime.rebuild.replay`, and in the helper process,
`langnghe.runtime.speedups.replay_helper`, which is why this imports nothing but nats-py).

A replay is done when a message arrives that was the last one on its filters when the server
sent it (`num_pending == 0`). Quiet is not an end: a server that is busy, paused or recreating
the ordered consumer delivers nothing for a while, and a replay that stopped there would let a
rebuild switch readers to tables missing the tail of the stream. So when nothing arrives for a
while, the server is asked: the replay is done only if its consumer has nothing left to
deliver and everything it delivered has arrived (its delivered count is the consumer sequence
of the last message received, or it delivered nothing at all: an empty range). Otherwise the
replay waits, and fails (`ReplayStalled`) when nothing has arrived for `stall_s`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from nats.js.errors import NotFoundError

#: How long a replay waits for a server that says it has more to deliver.
STALL_S: Final = 30.0


class ReplayStalled(RuntimeError):
    """The server has more to deliver and has delivered nothing for too long."""


@dataclass
class ReplayEnd:
    stall_s: float = STALL_S
    consumer: str | None = None  # the consumer that sent the last message received
    delivered: int = 0  # that message's consumer sequence

    def saw(self, metadata: Any) -> bool:
        """Note a received message (nats-py's `Msg.metadata`); True if it was the last."""
        self.consumer = metadata.consumer
        self.delivered = metadata.sequence.consumer
        return bool(metadata.num_pending == 0)

    async def caught_up(self, sub: Any, quiet_s: float) -> bool:
        """Asked after `quiet_s` without a message: True if the replay has everything; raises
        `ReplayStalled` if not and the quiet has lasted `stall_s`."""
        try:
            info = await sub.consumer_info()
        except NotFoundError:  # an ordered consumer being recreated: not caught up yet
            pending, sent, name = None, None, None
        else:
            pending, name = info.num_pending, info.name
            sent = info.delivered.consumer_seq if info.delivered else 0
        if pending == 0 and (sent == 0 or (name == self.consumer and sent == self.delivered)):
            return True
        if quiet_s >= self.stall_s:
            raise ReplayStalled(
                f"nothing received for {quiet_s:.0f} s while the server has "
                f"{'an unknown number of' if pending is None else pending} message(s) to deliver"
            )
        return False
