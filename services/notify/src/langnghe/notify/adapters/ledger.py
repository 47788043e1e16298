"""The delivery ledger: which notices were handed to a channel, kept where no rebuild reaches.

Notify's tables are a projection: they may be dropped, its checkpoint reset to 0, its durable
recreated, the stream restored from a backup, and a replay then meets every answer again. A
delivery is an effect on the world and cannot be replayed, so each one is recorded by its key,
(event id, recipient, channel), in the JetStream stream `NOTIFY_DELIVERIES`, one subject per
key. The notify database is not the place: deleting it is a legitimate way to rebuild the
projection, and it would take the ledger with it.

A delivery is two records on its subject:

1. `sending`, written with `Nats-Expected-Last-Subject-Sequence: 0`, so only one writer ever
   claims a key (the server's concurrency check, as for the event store);
2. `sent`, written after the channel accepted the notice, expecting the `sending` record's
   sequence.

A key whose last record is `sent` is never handed to a channel again. A key left at `sending`
(the process died between the claim and the channel's answer, or the channel failed) is handed
to the channel again with the same idempotency key, the key's digest: delivery to the channel
is at least once, and a channel that honours its idempotency key (every `NoticeChannel` must)
tells the citizen once. docs/ARCHITECTURE.md, "Effects happen once".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

import nats.errors
import nats.js.errors
from nats.js import JetStreamContext

from langnghe.contracts.subjects import NOTIFY_DELIVERIES_STREAM, delivery_subject
from langnghe.runtime.eventstore import EventStoreUnavailable

WRONG_LAST_SEQUENCE = 10071


class DeliveryState(StrEnum):
    NEW = "new"  # claimed now, by this call
    SENDING = "sending"  # claimed earlier, the channel's answer never recorded
    SENT = "sent"


@dataclass(frozen=True)
class DeliveryKey:
    event_id: str
    recipient_ref: str
    channel: str

    @property
    def digest(self) -> str:
        """The key as one subject token, and the idempotency key handed to the channel."""
        raw = f"{self.event_id}\n{self.recipient_ref}\n{self.channel}".encode()
        return hashlib.sha256(raw).hexdigest()[:40]


@dataclass(frozen=True)
class Claim:
    state: DeliveryState
    seq: int  # stream sequence of the key's last record


class DeliveryLedger(Protocol):
    async def claim(self, key: DeliveryKey) -> Claim:
        """Claim the key for delivery; SENT means never deliver it again."""

    async def mark_sent(self, key: DeliveryKey, claim: Claim) -> None:
        """Record that the channel accepted the notice."""


class JetStreamDeliveryLedger:
    def __init__(self, jetstream: Callable[[], JetStreamContext]) -> None:
        self._jetstream = jetstream  # the connection exists only once the service has started

    async def claim(self, key: DeliveryKey) -> Claim:
        subject = delivery_subject(key.digest)
        found = await self._last(subject)
        if found is not None:
            return found
        ack = await self._publish(key, DeliveryState.SENDING, expected_last_seq=0)
        if ack is None or ack.duplicate:  # another writer, or our own earlier publish
            found = await self._last(subject)
            if found is None:
                raise EventStoreUnavailable(f"delivery ledger: {subject} refused and empty")
            return found
        return Claim(DeliveryState.NEW, int(ack.seq))

    async def mark_sent(self, key: DeliveryKey, claim: Claim) -> None:
        ack = await self._publish(key, DeliveryState.SENT, expected_last_seq=claim.seq)
        if ack is None:
            found = await self._last(delivery_subject(key.digest))
            if found is None or found.state is not DeliveryState.SENT:
                raise EventStoreUnavailable(f"delivery ledger: {key.digest} changed under us")

    async def _publish(
        self, key: DeliveryKey, state: DeliveryState, *, expected_last_seq: int
    ) -> nats.js.api.PubAck | None:
        """The ack, or None when the subject's last sequence was not the expected one."""
        body = {
            "state": state.value,
            "event_id": key.event_id,
            "recipient_ref": key.recipient_ref,
            "channel": key.channel,
            "idempotency_key": key.digest,
            "at": datetime.now(UTC).isoformat(),
        }
        headers = {
            "Nats-Msg-Id": f"{key.digest}-{state.value}",
            "Nats-Expected-Last-Subject-Sequence": str(expected_last_seq),
        }
        try:
            return await self._jetstream().publish(
                delivery_subject(key.digest), json.dumps(body).encode(), headers=headers
            )
        except nats.js.errors.APIError as exc:
            if exc.err_code == WRONG_LAST_SEQUENCE:
                return None
            raise
        except (TimeoutError, nats.errors.TimeoutError, nats.js.errors.NoStreamResponseError) as exc:
            raise EventStoreUnavailable(f"delivery ledger: {key.digest} not acknowledged") from exc

    async def _last(self, subject: str) -> Claim | None:
        try:
            # From the stream's leader, not Direct Get: a stale replica (docs/ARCHITECTURE.md,
            # P14) could show `sending` for a key already `sent`, and the channel be called again.
            raw = await self._jetstream().get_last_msg(NOTIFY_DELIVERIES_STREAM, subject)
        except nats.js.errors.NotFoundError:
            return None
        except (TimeoutError, nats.errors.TimeoutError) as exc:
            raise EventStoreUnavailable(f"delivery ledger: {subject} unreadable") from exc
        state = DeliveryState(json.loads(raw.data or b"{}")["state"])
        return Claim(state, int(raw.seq or 0))
