"""The pull loop on a real server: a batch is what has arrived when the first message came,
plus what arrives within the consumer's linger."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Sequence

from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

from langnghe.contracts.consumers import ConsumerSpec
from langnghe.contracts.subjects import PETITIONS_STREAM, petition_subject
from langnghe.runtime.provisioning import consumer_config
from langnghe.runtime.pull import PullLoop


class RecordingRunner:
    """What PullLoop needs of a ConsumerRunner: it records batch sizes and acks."""

    def __init__(self, spec: ConsumerSpec) -> None:
        self.spec = spec
        self.stopping = False
        self.batches: list[int] = []

    async def handle_batch(self, msgs: Sequence[Msg]) -> None:
        self.batches.append(len(msgs))
        for msg in msgs:
            await msg.ack()


async def _batches(nc: NatsClient, province: str, linger_s: float) -> list[int]:
    spec = ConsumerSpec(
        durable=f"pull-{uuid.uuid4().hex[:8]}",
        stream=PETITIONS_STREAM,
        filter_subjects=(f"petitions.events.{province}.>",),
        batch_size=50,
    )
    spec = dataclasses.replace(spec, linger_s=linger_s)
    js = nc.jetstream()
    await js.add_consumer(PETITIONS_STREAM, consumer_config(spec))
    runner = RecordingRunner(spec)
    loop = PullLoop(nc, runner)  # type: ignore[arg-type]
    await loop.start()
    try:
        for n in range(6):  # one, then five more 20 ms apart: 100 ms in all
            await js.publish(petition_subject(province, f"p{n}"), b"{}")
            await asyncio.sleep(0.02)
        for _ in range(200):
            if sum(runner.batches) == 6:
                break
            await asyncio.sleep(0.01)
    finally:
        await loop.stop(timeout=2)
        await js.delete_consumer(PETITIONS_STREAM, spec.durable)
    return runner.batches


async def test_without_linger_each_message_is_its_own_batch(nc: NatsClient, province: str) -> None:
    batches = await _batches(nc, province, linger_s=0.0)
    assert sum(batches) == 6
    assert len(batches) >= 4  # the handler is idle between messages 20 ms apart


async def test_linger_gathers_what_arrives_meanwhile(nc: NatsClient, province: str) -> None:
    batches = await _batches(nc, province, linger_s=1.0)
    assert batches == [6]  # the first message waited for the other five (under a second)
