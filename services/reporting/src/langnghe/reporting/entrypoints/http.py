"""Reporting's HTTP routes: what oversight reads."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import nats.errors
import structlog
from fastapi import APIRouter, Path, Query
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from langnghe.reporting.entrypoints.responses import PetitionStats, PetitionStatusView
from langnghe.reporting.projections.petition_view import PetitionView
from langnghe.runtime.http import ApiError, ErrorBody
from langnghe.runtime.rebuild import RebuildReport
from langnghe.runtime.replay_end import ReplayStalled
from langnghe.runtime.speedups.replay_process import ReplayFailed

log = structlog.get_logger("langnghe.reporting")

#: A rebuild that could not read the whole stream: it switched nothing.
REPLAY_FAILURES = (ReplayFailed, ReplayStalled, nats.errors.Error, TimeoutError, ConnectionError)

UnitCode = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,16}$")]


def router(
    sessions: async_sessionmaker[AsyncSession],
    view: PetitionView,
    rebuild: Callable[[], Awaitable[RebuildReport]],
) -> APIRouter:
    api = APIRouter(tags=["báo cáo giám sát (reporting)"])

    @api.get(
        "/v1/petitions/{petition_id}",
        responses={404: {"model": ErrorBody}},
        response_model=PetitionStatusView,
        summary="Tình trạng một kiến nghị: cơ quan được giao, thời hạn, trả lời, công khai, ý kiến phản hồi",
    )
    async def petition(petition_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]) -> Any:
        async with sessions() as session:
            row = await view.petition(session, petition_id)
        if row is None:
            raise ApiError(
                404,
                "petition.not_found",
                "Chưa có kiến nghị này trong báo cáo (có thể vừa gửi, hãy thử lại).",
                "petition_id",
            )
        return row

    @api.get(
        "/v1/stats",
        response_model=PetitionStats,
        summary="Số liệu giám sát: theo tình trạng, loại, quá hạn, trả lời đúng hạn, công khai, phản hồi",
    )
    async def stats(province_code: UnitCode = None, commune_code: UnitCode = None) -> Any:
        async with sessions() as session:
            return await view.stats(session, province_code=province_code, commune_code=commune_code)

    # One rebuild at a time: a second would make the same next generation and drop the
    # first one's tables. (The projection has one writer, so one reporting process runs it.)
    rebuilding = asyncio.Lock()

    @api.post("/ops/projections/reporting-petitions/rebuild", tags=["vận hành (operations)"],
              responses={409: {"model": ErrorBody}, 503: {"model": ErrorBody}},
              summary="Rebuild the projection from sequence 1 into fresh tables, then switch")  # fmt: skip
    async def rebuild_projection() -> dict[str, Any]:
        if rebuilding.locked():
            raise ApiError(
                409,
                "rebuild.already_running",
                "Bảng số liệu đang được dựng lại; hãy đợi lần dựng lại này xong rồi thử lại.",
            )
        async with rebuilding:
            try:
                report = await rebuild()
            except REPLAY_FAILURES as exc:
                log.error("projection_rebuild_failed", error=f"{type(exc).__name__}: {exc}")
                raise ApiError(
                    503,
                    "rebuild.replay_failed",
                    "Không đọc hết được luồng sự kiện nên chưa dựng lại được; bảng số liệu đang "
                    f"dùng không thay đổi. Chi tiết kỹ thuật: {type(exc).__name__}: {exc}",
                ) from exc
        return {**report.__dict__, "events_per_second": round(report.events_per_second, 1)}

    return api
