"""MTTQ supervision routes: translate the request into a domain command, call one handler, return."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from langnghe.contracts.events.conference import SupervisionForm, UnitLevel
from langnghe.domain.codes import recommendation_petition_id
from langnghe.intake.domain.supervision import (
    HoldSupervision,
    IssueRecommendation,
    PlanSupervision,
    RecordFindings,
    Status,
)
from langnghe.intake.entrypoints.codes import CONFERENCE_ID, FIELD_CODE, PETITION_ID, PROVINCE_CODE
from langnghe.intake.entrypoints.command_headers import command_context
from langnghe.intake.handlers.context import CommandContext
from langnghe.intake.handlers.supervisions import (
    SupervisionView,
    change_supervision,
    get_supervision,
    plan_supervision,
)
from langnghe.runtime.clean_text import Cleaned, CleanedLine
from langnghe.runtime.commands import CommandOutcome
from langnghe.runtime.dependencies import Store
from langnghe.runtime.http import responses

# Free text is cleaned (NFC, stripped) once its limits have passed on what was sent.
AgencyCode = Annotated[str, Field(max_length=64, examples=["UBND-XA-03006"]), CleanedLine]
Ref = Annotated[str, Field(max_length=128), CleanedLine]
Number = Annotated[str, Field(max_length=64), CleanedLine]
LongText = Annotated[str, Field(max_length=20_000), Cleaned]
PetitionId = Annotated[str, Field(pattern=PETITION_ID)]
ConferenceId = Annotated[str, Field(pattern=CONFERENCE_ID)]

SessionId = Annotated[str, Path(max_length=64, description="Mã cuộc giám sát, ví dụ supv-15-…")]
Context = Annotated[CommandContext, Depends(command_context("mttq", "intake-api"))]


class PlanSupervisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    province_code: str = Field(pattern=PROVINCE_CODE, examples=["15"])
    level: UnitLevel
    lead_body_ref: Ref = Field(
        description="Ủy ban MTTQ hoặc tổ chức thành viên chủ trì", examples=["MTTQ-XA-03006"]
    )
    topic: Annotated[str, Field(max_length=2000), Cleaned] = Field(description="Nội dung giám sát")
    supervised_agency_codes: list[AgencyCode] = Field(max_length=50)
    planned_on: date = Field(description="Ngày dự kiến giám sát (YYYY-MM-DD)")
    form: SupervisionForm = SupervisionForm.MTTQ_DELEGATION
    conference_ids: list[ConferenceId] = Field(default_factory=list, max_length=100)
    petition_ids: list[PetitionId] = Field(default_factory=list, max_length=1000)


class HoldSupervisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    held_on: date
    member_refs: list[Ref] = Field(
        max_length=100, description="Thành viên đoàn giám sát (mã, không ghi họ tên)"
    )
    agencies_present: list[AgencyCode] = Field(default_factory=list, max_length=50)


class FindingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report_date: date
    findings: LongText
    report_number: Number | None = Field(default=None, examples=["05/BC-MTTQ"])


class RecommendationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recommendation_id: str = Field(
        max_length=100, description="Mã kiến nghị trong cuộc giám sát", examples=["kn-1"]
    )
    addressee_agency_code: AgencyCode
    content: LongText
    issued_on: date
    field_code: str | None = Field(default=None, pattern=FIELD_CODE, examples=["land"])
    document_number: Number | None = None
    response_due: date | None = Field(default=None, description="Thời hạn trả lời MTTQ đề nghị")
    conference_id: str | None = Field(default=None, pattern=CONFERENCE_ID)
    petition_ids: list[PetitionId] = Field(default_factory=list, max_length=1000)


class SupervisionPlannedOut(BaseModel):
    session_id: str
    stream_seq: int
    replayed: bool = Field(description="Đã lập kế hoạch từ trước với cùng khóa Idempotency-Key")
    status_url: str


class SupervisionChangedOut(BaseModel):
    session_id: str
    stream_seq: int
    events: list[str] = Field(description="Sự kiện vừa ghi; rỗng nếu không có gì thay đổi")


class RecommendationOut(BaseModel):
    recommendation_id: str
    addressee_agency_code: str
    content: str
    issued_on: date
    tracking_petition_id: str = Field(description="Kiến nghị mà bộ phận theo dõi mở để theo dõi việc trả lời")


class SupervisionOut(BaseModel):
    session_id: str
    status: Status
    province_code: str | None
    level: UnitLevel | None
    form: SupervisionForm | None
    planned_on: date | None
    held_on: date | None
    findings_on: date | None
    recommendations: list[RecommendationOut]
    version: int
    stream_seq: int


def _changed(outcome: CommandOutcome) -> SupervisionChangedOut:
    return SupervisionChangedOut(
        session_id=outcome.aggregate_id, stream_seq=outcome.stream_seq, events=outcome.events
    )


def _view(view: SupervisionView) -> SupervisionOut:
    s = view.state
    return SupervisionOut(
        session_id=view.session_id,
        status=s.status,
        province_code=s.province_code,
        level=s.level,
        form=s.form,
        planned_on=s.planned_on,
        held_on=s.held_on,
        findings_on=s.findings_on,
        recommendations=[
            RecommendationOut(
                recommendation_id=r.recommendation_id,
                addressee_agency_code=r.addressee_agency_code,
                content=r.content,
                issued_on=r.issued_on,
                tracking_petition_id=recommendation_petition_id(view.session_id, r.recommendation_id).hex,
            )
            for r in s.recommendations
        ],
        version=s.version,
        stream_seq=view.stream_seq,
    )


router = APIRouter(prefix="/v1/supervisions", tags=["giám sát (MTTQ supervision)"])
CHANGE: dict[str, Any] = {"response_model": SupervisionChangedOut, "responses": responses(404, 409, 422, 503)}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SupervisionPlannedOut,
    responses=responses(409, 422, 503),
    summary="Lập kế hoạch một cuộc giám sát của MTTQ",
)
async def plan(
    body: PlanSupervisionIn, ctx: Context, store: Store, response: Response
) -> SupervisionPlannedOut:
    cmd = PlanSupervision(
        province_code=body.province_code,
        level=body.level,
        lead_body_ref=body.lead_body_ref,
        topic=body.topic,
        supervised_agency_codes=tuple(body.supervised_agency_codes),
        planned_on=body.planned_on,
        form=body.form,
        conference_ids=tuple(body.conference_ids),
        petition_ids=tuple(body.petition_ids),
    )
    outcome = await plan_supervision(store, cmd, ctx)
    url = f"/v1/supervisions/{outcome.aggregate_id}"
    response.headers["Location"] = url
    return SupervisionPlannedOut(
        session_id=outcome.aggregate_id,
        stream_seq=outcome.stream_seq,
        replayed=not outcome.events,
        status_url=url,
    )


@router.post("/{session_id}/hold", **CHANGE, summary="Ghi nhận việc tiến hành cuộc giám sát")
async def hold(
    session_id: SessionId, body: HoldSupervisionIn, ctx: Context, store: Store
) -> SupervisionChangedOut:
    cmd = HoldSupervision(
        held_on=body.held_on,
        member_refs=tuple(body.member_refs),
        agencies_present=tuple(body.agencies_present),
    )
    return _changed(await change_supervision(store, session_id, "supervision.hold", cmd, ctx))


@router.post("/{session_id}/findings", **CHANGE, summary="Ghi nhận báo cáo kết quả giám sát")
async def findings(
    session_id: SessionId, body: FindingsIn, ctx: Context, store: Store
) -> SupervisionChangedOut:
    cmd = RecordFindings(
        report_date=body.report_date, findings=body.findings, report_number=body.report_number
    )
    return _changed(await change_supervision(store, session_id, "supervision.record_findings", cmd, ctx))


@router.post(
    "/{session_id}/recommendations", **CHANGE, summary="Ban hành một kiến nghị sau giám sát, gửi một cơ quan"
)
async def recommend(
    session_id: SessionId, body: RecommendationIn, ctx: Context, store: Store
) -> SupervisionChangedOut:
    cmd = IssueRecommendation(
        recommendation_id=body.recommendation_id,
        addressee_agency_code=body.addressee_agency_code,
        content=body.content,
        issued_on=body.issued_on,
        field_code=body.field_code,
        document_number=body.document_number,
        response_due=body.response_due,
        conference_id=body.conference_id,
        petition_ids=tuple(body.petition_ids),
    )
    return _changed(await change_supervision(store, session_id, "supervision.issue_recommendation", cmd, ctx))


@router.get(
    "/{session_id}",
    response_model=SupervisionOut,
    responses=responses(404, 409, 503),
    summary="Tình trạng một cuộc giám sát và các kiến nghị sau giám sát",
)
async def read(session_id: SessionId, store: Store) -> SupervisionOut:
    return _view(await get_supervision(store, session_id))
