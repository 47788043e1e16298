"""Delivery channels.

A channel is called by notify's handler once the delivery ledger has claimed the notice
(langnghe.notify.adapters.ledger), and may be called again for the same notice after a crash
between the claim and the channel's answer: it gets the same `idempotency_key` every time and
must deliver at most once per key (an SMS or e-mail gateway's client reference does this).

The development channel writes to its own table in notify's database, within the batch's
transaction, and skips a key it has already written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from langnghe.notify.adapters.tables import dev_channel_messages


class NoticeChannel(Protocol):
    name: str

    async def deliver(
        self,
        session: AsyncSession,
        notice_id: str,
        recipient_ref: str,
        body: str,
        at: datetime,
        *,
        idempotency_key: str,
    ) -> None: ...


class DevChannel:
    name = "dev"

    async def deliver(
        self,
        session: AsyncSession,
        notice_id: str,
        recipient_ref: str,
        body: str,
        at: datetime,
        *,
        idempotency_key: str,
    ) -> None:
        # One notice has one recipient on this channel, so the notice id stands for the key.
        seen = await session.scalar(
            select(dev_channel_messages.c.id).where(dev_channel_messages.c.notice_id == notice_id)
        )
        if seen is not None:
            return
        await session.execute(
            insert(dev_channel_messages).values(
                notice_id=notice_id, recipient_ref=recipient_ref, body=body, delivered_at=at
            )
        )
