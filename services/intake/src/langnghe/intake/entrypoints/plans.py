"""Conference-plan routes: a unit's plan for a year (`2026`) or a quarter (`2026-Q1`), set as a
whole (PUT: setting the same plan again changes nothing) and read back."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from langnghe.contracts.events.conference import ConferenceKind, PlannedConferences, UnitLevel
from langnghe.intake.domain.plan import Period, PlanState, SetConferencePlan
from langnghe.intake.domain.references import place_name
from langnghe.intake.entrypoints.codes import UNIT_CODE
from langnghe.intake.entrypoints.command_headers import command_context
from langnghe.intake.handlers.context import CommandContext
from langnghe.intake.handlers.plans import get_plan, plan_province, set_plan
from langnghe.runtime.dependencies import Store
from langnghe.runtime.http import ApiError, responses

_PERIOD = re.compile(r"^([0-9]{4})(?:-[Qq]([1-4]))?$")
MIN_YEAR, MAX_YEAR = 2000, 2100  # ConferencePlanSet.year

IssuerUnitCode = Annotated[
    str,
    Path(pattern=UNIT_CODE, description="Đơn vị ban hành kế hoạch (mã tỉnh, xã; đơn vị cũ theo mã CU-…)"),
]
PeriodText = Annotated[str, Path(max_length=7, description="Năm (2026) hoặc quý (2026-Q1)")]
Context = Annotated[CommandContext, Depends(command_context("clerk", "intake-api"))]


def parse_period(text: str) -> Period:
    match = _PERIOD.fullmatch(text)
    if match is None or not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
        raise ApiError(
            422,
            "conference.plan_period_invalid",
            f"Kỳ kế hoạch “{text}” không hợp lệ: ghi năm (ví dụ 2026) hoặc quý (ví dụ 2026-Q1), "
            f"từ năm {MIN_YEAR} đến {MAX_YEAR}.",
            "period",
        )
    return Period(int(match.group(1)), int(match.group(2)) if match.group(2) else None)


class PlanLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str = Field(pattern=UNIT_CODE, examples=["03006"])
    level: UnitLevel
    quarter: int | None = Field(default=None, ge=1, le=4, description="Bỏ trống: chỉ tiêu cả năm")
    count: int = Field(ge=0, le=10_000, description="Số hội nghị dự kiến")


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ConferenceKind = ConferenceKind.DIALOGUE_CONFERENCE
    lines: list[PlanLineIn] = Field(max_length=2000)
    document_number: str | None = Field(default=None, max_length=64, examples=["12/KH-UBND"])
    document_date: date | None = None


class PlanSetOut(BaseModel):
    plan_id: str
    stream_seq: int
    events: list[str] = Field(description="Sự kiện vừa ghi; rỗng nếu kế hoạch không thay đổi")
    status_url: str


class PlanLineOut(BaseModel):
    unit_code: str
    unit_name: str | None
    level: UnitLevel
    quarter: int | None
    count: int


class PlanOut(BaseModel):
    plan_id: str
    province_code: str | None
    issuer_unit_code: str | None
    issuer_name: str | None
    kind: ConferenceKind
    period: str
    year: int
    quarter: int | None
    lines: list[PlanLineOut]
    planned_total: int
    document_number: str | None
    document_date: date | None
    revisions: int = Field(description="Số lần điều chỉnh kế hoạch")
    version: int
    stream_seq: int


def _plan(plan_id: str, state: PlanState, stream_seq: int) -> PlanOut:
    assert state.period is not None
    return PlanOut(
        plan_id=plan_id,
        province_code=state.province_code,
        issuer_unit_code=state.issuer_unit_code,
        issuer_name=place_name(state.issuer_unit_code),
        kind=state.kind,
        period=str(state.period),
        year=state.period.year,
        quarter=state.period.quarter,
        lines=[
            PlanLineOut(
                unit_code=line.unit_code,
                unit_name=place_name(line.unit_code),
                level=line.level,
                quarter=line.quarter,
                count=line.count,
            )
            for line in state.lines
        ],
        planned_total=state.planned_total,
        document_number=state.document_number,
        document_date=state.document_date,
        revisions=state.revisions,
        version=state.version,
        stream_seq=stream_seq,
    )


router = APIRouter(prefix="/v1/conference-plans", tags=["hội nghị (conferences)"])


@router.put(
    "/{issuer_unit_code}/{period}",
    response_model=PlanSetOut,
    responses=responses(404, 409, 422, 503),
    summary="Ban hành hoặc điều chỉnh kế hoạch tổ chức hội nghị của một đơn vị cho một năm hoặc một quý",
)
async def put_plan(
    issuer_unit_code: IssuerUnitCode, period: PeriodText, body: PlanIn, ctx: Context, store: Store
) -> PlanSetOut:
    when = parse_period(period)
    cmd = SetConferencePlan(
        province_code=plan_province(issuer_unit_code),
        issuer_unit_code=issuer_unit_code,
        year=when.year,
        quarter=when.quarter,
        lines=tuple(
            PlannedConferences(
                unit_code=line.unit_code, level=line.level, quarter=line.quarter, count=line.count
            )
            for line in body.lines
        ),
        kind=body.kind,
        document_number=body.document_number,
        document_date=body.document_date,
    )
    outcome = await set_plan(store, cmd, ctx)
    return PlanSetOut(
        plan_id=outcome.aggregate_id,
        stream_seq=outcome.stream_seq,
        events=outcome.events,
        status_url=f"/v1/conference-plans/{issuer_unit_code}/{when}",
    )


@router.get(
    "/{issuer_unit_code}/{period}",
    response_model=PlanOut,
    responses=responses(404, 409, 422, 503),
    summary="Kế hoạch tổ chức hội nghị của một đơn vị cho một năm hoặc một quý",
    description="Chưa có so sánh kế hoạch với số hội nghị đã tổ chức: việc này cần một bảng tổng hợp "
    "(read model) các hội nghị theo tỉnh, chưa có.",
)
async def read_plan(issuer_unit_code: IssuerUnitCode, period: PeriodText, store: Store) -> PlanOut:
    when = parse_period(period)
    view = await get_plan(store, issuer_unit_code, when.year, when.quarter)
    return _plan(view.plan_id, view.state, view.stream_seq)
