"""Delivery channels. The development channel writes to its own table, in the same
transaction as the notice, so a delivery is recorded exactly once with the checkpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from langnghe.notify.adapters.tables import dev_channel_messages


class NoticeChannel(Protocol):
    name: str

    async def deliver(
        self, session: AsyncSession, notice_id: str, recipient_ref: str, body: str, at: datetime
    ) -> None: ...


class DevChannel:
    name = "dev"

    async def deliver(
        self, session: AsyncSession, notice_id: str, recipient_ref: str, body: str, at: datetime
    ) -> None:
        await session.execute(
            insert(dev_channel_messages).values(
                notice_id=notice_id, recipient_ref=recipient_ref, body=body, delivered_at=at
            )
        )
