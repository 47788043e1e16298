"""Publishes oversight feed messages to the stream `OVERSIGHT`, with the feed id as
`Nats-Msg-Id`, waiting for each acknowledgement. Any failure to get one is raised as
`FeedUnavailable`, a `ConnectionError`: the consumer runner then retries the batch (same
ids, so the server drops what it already stored) instead of parking petitions because the
feed's stream did not answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import nats.errors
from nats.aio.client import Client as NatsClient

from langnghe.contracts.oversight_feed import FEED_VERSION, HEADER_FEED_KIND, HEADER_FEED_VERSION
from langnghe.contracts.subjects import OVERSIGHT_STREAM

PUBLISH_TIMEOUT_S = 5.0


class FeedUnavailable(ConnectionError):
    """The feed's stream did not acknowledge a message (retried, never parked)."""


class FeedPublisher(Protocol):
    async def publish(self, subject: str, data: bytes, *, feed_id: str, kind: str) -> int:
        """Store one message; return its sequence in the feed's stream."""
        ...


class JetStreamFeedPublisher:
    def __init__(self, connection: Callable[[], NatsClient]) -> None:
        self._connection = connection

    async def publish(self, subject: str, data: bytes, *, feed_id: str, kind: str) -> int:
        js = self._connection().jetstream()
        headers = {"Nats-Msg-Id": feed_id, HEADER_FEED_VERSION: str(FEED_VERSION), HEADER_FEED_KIND: kind}
        try:
            # `stream=` makes the server refuse the message if the subject is captured by any
            # other stream than the feed's.
            ack = await js.publish(
                subject, data, stream=OVERSIGHT_STREAM, headers=headers, timeout=PUBLISH_TIMEOUT_S
            )
        except nats.errors.Error as exc:  # JetStream's errors derive from it too
            raise FeedUnavailable(f"{OVERSIGHT_STREAM} did not acknowledge {subject}: {exc!r}") from exc
        return int(ack.seq)
