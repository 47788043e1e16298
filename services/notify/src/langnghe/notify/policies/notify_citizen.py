"""What notify does on petition events (consumer `notify-citizen-notices`): remember who raised
a petition; when it is answered, notify them.

The tables are a projection and may be rebuilt from sequence 1; the delivery is an effect and
happens once. A redelivered answer finds its notice already written; a replayed one (tables
rebuilt, checkpoint reset, durable recreated, stream restored) finds its delivery in the
ledger, which no rebuild clears, and writes the notice again without sending anything
(langnghe.notify.adapters.ledger)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from langnghe.contracts.codec import Envelope
from langnghe.contracts.events.petition import PetitionAnswered, PetitionReceived
from langnghe.notify.adapters.channels import NoticeChannel
from langnghe.notify.adapters.ledger import DeliveryKey, DeliveryLedger, DeliveryState
from langnghe.notify.adapters.tables import notices, recipients
from langnghe.notify.domain.notice import answer_notice
from langnghe.runtime.eventstore import RecordedEvent


class UnknownPetition(Exception):
    """An answer arrived for a petition whose receipt notify has not seen: retried, then parked."""


class WhenPetitionAnsweredNotifyCitizen:
    #: The runner hands over only these; every other event is checkpointed undecoded.
    event_types = frozenset({PetitionReceived.type_name(), PetitionAnswered.type_name()})

    def __init__(self, channel: NoticeChannel, ledger: DeliveryLedger) -> None:
        self.channel = channel
        self.ledger = ledger

    async def apply(self, session: AsyncSession, events: Sequence[RecordedEvent]) -> None:
        ids = {r.envelope.meta.aggregate_id for r in events}
        known: dict[str, dict[str, Any]] = {
            r.petition_id: dict(r._mapping)
            for r in await session.execute(select(recipients).where(recipients.c.petition_id.in_(ids)))
        }
        done = {
            r[0]
            for r in await session.execute(
                select(notices.c.notice_id).where(notices.c.notice_id.in_([str(r.event_id) for r in events]))
            )
        }
        new_recipients: list[dict[str, Any]] = []  # one executemany for the batch's receipts
        deliveries: list[_Delivery] = []  # handed to the channel once the batch's rows are written
        for recorded in events:
            env = recorded.envelope
            if not isinstance(env, Envelope):
                continue
            pid = env.meta.aggregate_id
            event = env.event
            if isinstance(event, PetitionReceived) and pid not in known:
                row = {"petition_id": pid, "code": event.code, "citizen_ref": event.citizen_ref}
                new_recipients.append(row)
                known[pid] = row
            elif isinstance(event, PetitionAnswered) and str(recorded.event_id) not in done:
                if pid not in known:
                    raise UnknownPetition(pid)
                who = known[pid]
                notice = answer_notice(
                    petition_id=pid,
                    code=who["code"],
                    citizen_ref=who["citizen_ref"],
                    agency_code=event.answering_agency_code,
                    answer_text=event.answer_text,
                    document_number=event.document_number,
                )
                notice_id = str(recorded.event_id)
                status = "delivered" if notice.deliverable else "not_deliverable_anonymous"
                await session.execute(
                    insert(notices).values(
                        notice_id=notice_id,
                        petition_id=pid,
                        citizen_ref=notice.citizen_ref,
                        kind=notice.kind,
                        channel=self.channel.name,
                        status=status,
                        body=notice.body,
                        stream_seq=recorded.stream_seq,
                        created_at=env.meta.occurred_at,
                    )
                )
                if notice.citizen_ref is not None:
                    key = DeliveryKey(notice_id, notice.citizen_ref, self.channel.name)
                    deliveries.append(_Delivery(key, notice.body, env.meta.occurred_at))
                done.add(notice_id)
        if new_recipients:
            await session.execute(insert(recipients), new_recipients)
        if deliveries:
            await self._deliver_once(session, deliveries)

    async def _deliver_once(self, session: AsyncSession, deliveries: list[_Delivery]) -> None:
        """Claim every delivery of the batch at once (the ledger's round trips overlap), hand
        the unsent ones to the channel in order, record each `sent` as soon as the channel took
        it. A channel that fails stops the batch; what it took before is recorded first."""
        claims = await asyncio.gather(*(self.ledger.claim(d.key) for d in deliveries))
        marks: list[asyncio.Task[None]] = []
        try:
            for delivery, claim in zip(deliveries, claims, strict=True):
                if claim.state is DeliveryState.SENT:
                    continue  # delivered before this replay: never again
                key = delivery.key
                await self.channel.deliver(
                    session,
                    key.event_id,
                    key.recipient_ref,
                    delivery.body,
                    delivery.at,
                    idempotency_key=key.digest,
                )
                marks.append(asyncio.create_task(self.ledger.mark_sent(key, claim)))
        finally:
            await asyncio.gather(*marks)


@dataclass(frozen=True)
class _Delivery:
    key: DeliveryKey
    body: str
    at: datetime
