"""Reporting's reads: one petition's status and the oversight figures, from the projection."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from langnghe.reporting.entrypoints.responses import PetitionStats, PetitionStatusView
from langnghe.reporting.projections.petition_view import PetitionView
from langnghe.runtime.dependencies import Sessions
from langnghe.runtime.http import ApiError, responses

UnitCode = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,16}$")]


def petition_view(request: Request) -> PetitionView:
    """The projection `create_app` registered (`app.state.view`): it knows its active tables."""
    view: PetitionView = request.app.state.view
    return view


View = Annotated[PetitionView, Depends(petition_view)]

router = APIRouter(tags=["báo cáo giám sát (reporting)"])


@router.get(
    "/v1/petitions/{petition_id}",
    response_model=PetitionStatusView,
    responses=responses(404),
    summary="Tình trạng một kiến nghị: cơ quan được giao, thời hạn, trả lời, công khai, ý kiến phản hồi",
)
async def petition(
    petition_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")], sessions: Sessions, view: View
) -> Any:
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


@router.get(
    "/v1/stats",
    response_model=PetitionStats,
    summary="Số liệu giám sát: theo tình trạng, loại, quá hạn, trả lời đúng hạn, công khai, phản hồi",
)
async def stats(
    sessions: Sessions, view: View, province_code: UnitCode = None, commune_code: UnitCode = None
) -> Any:
    async with sessions() as session:
        return await view.stats(session, province_code=province_code, commune_code=commune_code)
