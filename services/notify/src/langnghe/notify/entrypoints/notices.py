"""Notify's HTTP routes: what was sent to whom (references only), for clerks and operators."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from langnghe.notify.adapters.tables import notices
from langnghe.runtime.dependencies import Sessions


class NoticeOut(BaseModel):
    notice_id: str
    petition_id: str
    citizen_ref: str | None
    kind: str
    channel: str
    status: str
    body: str
    stream_seq: int
    created_at: datetime


router = APIRouter(prefix="/v1", tags=["thông báo (notices)"])


@router.get("/notices", response_model=list[NoticeOut], summary="Các thông báo đã gửi (lọc theo kiến nghị)")
async def list_notices(
    sessions: Sessions,
    petition_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,64}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    query = select(notices).order_by(notices.c.stream_seq.desc()).limit(limit)
    if petition_id:
        query = query.where(notices.c.petition_id == petition_id)
    async with sessions() as session:
        rows = [dict(r._mapping) for r in await session.execute(query)]
    for row in rows:
        # SQLite keeps no offset; every time written is UTC.
        if row["created_at"].tzinfo is None:
            row["created_at"] = row["created_at"].replace(tzinfo=UTC)
    return rows
