"""Tracking's case reads: one case, read from the event store (always current), and an agency's
inbox of cases, read from the `cases` table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from langnghe.contracts.events.conference import PublicationChannel, UnitLevel
from langnghe.contracts.events.petition import DeadlineKind, Disposition, LegalType
from langnghe.runtime.dependencies import Sessions, Store
from langnghe.runtime.http import ApiError, responses
from langnghe.tracking.domain.case_view import case_view
from langnghe.tracking.domain.state import Status
from langnghe.tracking.entrypoints.petition_bodies import AGENCY_CODE, PETITION_ID
from langnghe.tracking.handlers import load_petition
from langnghe.tracking.projections.case_inbox import list_cases

STATUSES = r"^(received|assigned|escalated|answered|closed|withdrawn|merged)$"


class StatutoryOut(BaseModel):
    clock: str = Field(description="Mã thời hạn luật định, ví dụ denunciation, complaint_acceptance")
    start: date
    due: date
    days: int
    extensions: int


class DeadlinesOut(BaseModel):
    version: int = Field(description="Tăng mỗi lần một thời hạn được đặt, dời hoặc bỏ")
    promised_date: date | None
    promised_extensions: int
    statutory: StatutoryOut | None
    due_soon: list[DeadlineKind]
    overdue: list[DeadlineKind]


class CaseOut(BaseModel):
    petition_id: str
    status: Status
    province_code: str | None
    legal_type: LegalType | None
    received_on: date | None
    conference_id: str | None
    disposition: Disposition | None
    agency_code: str | None
    officer_ref: str | None
    handling_level: UnitLevel | None
    handling_unit_code: str | None
    deadlines: DeadlinesOut
    overdue: bool
    accepted_on: date | None
    answered_on: date | None
    answered_at_conference: bool
    answer_public: bool
    published_on: date | None
    published_channels: list[PublicationChannel]
    feedback_satisfied: bool | None
    times_reopened: int
    merged_into: str | None
    duplicates: list[str]
    cosigners: int = Field(description="Số người đồng ký")
    version: int


class CaseSummaryOut(BaseModel):
    petition_id: str
    code: str
    province_code: str
    status: str
    agency_code: str | None
    promised_date: date | None
    received_at: datetime
    legal_type: str | None
    statutory_due: date | None
    overdue: bool
    due_soon: bool
    handling_unit_code: str | None
    marks: dict[str, str] = Field(description='Dấu theo từng thời hạn, ví dụ {"promised": "overdue"}')


router = APIRouter(prefix="/v1", tags=["theo dõi giải quyết (tracking)"])


@router.get(
    "/petitions/{petition_id}/case",
    response_model=CaseOut,
    responses=responses(404, 409, 503),
    summary="Hồ sơ giải quyết của một kiến nghị, đọc thẳng từ kho sự kiện (luôn mới nhất)",
)
async def case(petition_id: Annotated[str, Path(pattern=PETITION_ID)], store: Store) -> dict[str, Any]:
    state = await load_petition(store, petition_id)
    if not state.exists:
        raise ApiError(404, "petition.not_found", "Không tìm thấy kiến nghị này.", "petition_id")
    return case_view(petition_id, state)


@router.get(
    "/cases",
    response_model=list[CaseSummaryOut],
    summary="Hộp việc của cơ quan: các kiến nghị được giao, theo ngày hẹn",
)
async def cases(
    sessions: Sessions,
    agency_code: Annotated[str | None, Query(pattern=AGENCY_CODE)] = None,
    status: Annotated[str | None, Query(pattern=STATUSES)] = None,
    overdue: Annotated[bool | None, Query(description="Chỉ các kiến nghị quá hạn")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    async with sessions() as session:
        return await list_cases(session, agency_code=agency_code, status=status, overdue=overdue, limit=limit)
