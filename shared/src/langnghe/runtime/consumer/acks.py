"""Acknowledging messages to the server. Best effort: a lost ack only causes a redelivery
that the checkpoint skips, a lost nak or progress signal only a later redelivery. Events
filled in from the stream (no message) have nothing to acknowledge."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from langnghe.runtime.consumer.incoming import Incoming


async def ack(items: Sequence[Incoming]) -> None:
    for item in items:
        if item.msg is not None:
            with contextlib.suppress(Exception):
                await item.msg.ack()


async def nak(items: Sequence[Incoming]) -> None:
    for item in items:
        if item.msg is not None:
            with contextlib.suppress(Exception):
                await item.msg.nak()


async def in_progress(items: Sequence[Incoming]) -> None:
    for item in items:
        if item.msg is not None:
            with contextlib.suppress(Exception):
                await item.msg.in_progress()
