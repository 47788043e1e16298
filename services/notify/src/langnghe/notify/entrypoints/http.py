"""Notify's HTTP routes: what was sent to whom (references only), for clerks and operators."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from langnghe.notify.adapters.tables import notices


def router(sessions: async_sessionmaker[AsyncSession]) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["thông báo (notices)"])

    @api.get("/notices", summary="Các thông báo đã gửi (lọc theo kiến nghị)")
    async def list_notices(
        petition_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,64}$")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[dict[str, Any]]:
        query = select(notices).order_by(notices.c.stream_seq.desc()).limit(limit)
        if petition_id:
            query = query.where(notices.c.petition_id == petition_id)
        async with sessions() as session:
            return [dict(r._mapping) for r in await session.execute(query)]

    return api
