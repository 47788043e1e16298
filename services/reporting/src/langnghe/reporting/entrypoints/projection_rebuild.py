"""Rebuilding reporting's projection on an operator's request: from sequence 1 into fresh
tables, then the switch. One rebuild at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated

import nats.errors
import structlog
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from langnghe.runtime.http import ApiError, responses
from langnghe.runtime.rebuild import RebuildReport
from langnghe.runtime.replay_end import ReplayStalled
from langnghe.runtime.speedups.replay_process import ReplayFailed

log = structlog.get_logger("langnghe.reporting")

#: A rebuild that could not read the whole stream: it switched nothing.
REPLAY_FAILURES = (ReplayFailed, ReplayStalled, nats.errors.Error, TimeoutError, ConnectionError)


@dataclass
class ProjectionRebuild:
    """What `create_app` puts on `app.state.rebuild`: how to rebuild, and the guard that keeps
    it to one at a time (a second would make the same next generation and drop the first one's
    tables; the projection has one writer, so one reporting process runs it)."""

    run: Callable[[], Awaitable[RebuildReport]]
    running: asyncio.Lock = field(default_factory=asyncio.Lock)


def projection_rebuild(request: Request) -> ProjectionRebuild:
    rebuild: ProjectionRebuild = request.app.state.rebuild
    return rebuild


class RebuildOut(BaseModel):
    projection: str
    generation: int
    events: int
    seconds: float
    position: int
    events_per_second: float


router = APIRouter(tags=["vận hành (operations)"])


@router.post(
    "/ops/projections/reporting-petitions/rebuild",
    response_model=RebuildOut,
    responses=responses(409, 503),
    summary="Rebuild the projection from sequence 1 into fresh tables, then switch",
)
async def rebuild_projection(
    rebuild: Annotated[ProjectionRebuild, Depends(projection_rebuild)],
) -> RebuildOut:
    if rebuild.running.locked():
        raise ApiError(
            409,
            "rebuild.already_running",
            "Bảng số liệu đang được dựng lại; hãy đợi lần dựng lại này xong rồi thử lại.",
        )
    async with rebuild.running:
        try:
            report = await rebuild.run()
        except REPLAY_FAILURES as exc:
            log.error("projection_rebuild_failed", error=f"{type(exc).__name__}: {exc}")
            raise ApiError(
                503,
                "rebuild.replay_failed",
                "Không đọc hết được luồng sự kiện nên chưa dựng lại được; bảng số liệu đang "
                f"dùng không thay đổi. Chi tiết kỹ thuật: {type(exc).__name__}: {exc}",
            ) from exc
    return RebuildOut(**report.__dict__, events_per_second=round(report.events_per_second, 1))
