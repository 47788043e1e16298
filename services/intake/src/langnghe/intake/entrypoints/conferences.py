"""Conference routes: translate the request into a domain command, call one handler, return."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from langnghe.contracts.events.conference import (
    AttendanceMode,
    Chair,
    ChairRole,
    ConferenceKind,
    ConvocationReason,
    PublicationChannel,
    UnitLevel,
)
from langnghe.intake.domain.conference import (
    AnnounceConference,
    CancelConference,
    ConcludeConference,
    ConferenceCommand,
    HoldConference,
    PostponeConference,
    PublishResults,
    ScheduleConference,
    Status,
)
from langnghe.intake.domain.references import place_name
from langnghe.intake.entrypoints.codes import PETITION_ID, PROVINCE_CODE, UNIT_CODE
from langnghe.intake.entrypoints.command_headers import command_context
from langnghe.intake.entrypoints.errors import CREATION_RESPONSES, RESPONSES, refusals_as_api_errors
from langnghe.intake.handlers.conferences import (
    ConferenceView,
    change_conference,
    get_conference,
    link_petition,
    schedule_conference,
)
from langnghe.intake.handlers.context import CommandContext
from langnghe.runtime.commands import CommandOutcome
from langnghe.runtime.eventstore import EventStore

ShortText = Annotated[str, Field(max_length=200)]

ConferenceId = Annotated[str, Path(max_length=64, description="Mã hội nghị, ví dụ conf-15-…")]
Context = Annotated[CommandContext, Depends(command_context("clerk", "intake-api"))]


class ChairIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ref: str = Field(min_length=1, max_length=128, description="Mã cán bộ (không ghi họ tên)")
    role: ChairRole


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ConferenceKind = ConferenceKind.DIALOGUE_CONFERENCE
    level: UnitLevel = Field(examples=["commune"])
    province_code: str = Field(pattern=PROVINCE_CODE, description="Mã tỉnh/thành (2 chữ số)", examples=["15"])
    unit_code: str = Field(
        pattern=UNIT_CODE,
        description="Đơn vị tổ chức: mã tỉnh (2 chữ số) hoặc xã, phường, đặc khu (5 chữ số); "
        "đơn vị trước 01/7/2025 theo mã CU-…",
        examples=["03006"],
    )
    chairs: list[ChairIn] = Field(max_length=10, description="Người chủ trì hoặc các đồng chủ trì")
    planned_on: date = Field(description="Ngày dự kiến tổ chức (YYYY-MM-DD)")
    mttq_co_organiser_ref: str | None = Field(
        default=None, max_length=128, description="Ủy ban MTTQ phối hợp tổ chức", examples=["MTTQ-XA-03006"]
    )
    attendance_mode: AttendanceMode = AttendanceMode.IN_PERSON
    place: str | None = Field(default=None, max_length=500)
    topic: str | None = Field(default=None, max_length=1000)
    reason: ConvocationReason = ConvocationReason.PERIODIC


class AnnounceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    announced_on: date = Field(description="Ngày thông báo (YYYY-MM-DD)")
    channels: list[PublicationChannel] = Field(default_factory=list, max_length=10)


class PostponeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_date: date = Field(description="Ngày tổ chức mới (YYYY-MM-DD)")
    reason: str = Field(max_length=2000)


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=2000)


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    held_on: date = Field(description="Ngày tổ chức (YYYY-MM-DD)")
    attendance: int = Field(le=1_000_000, description="Số lượt đại biểu tham dự")
    organisations_present: list[ShortText] = Field(default_factory=list, max_length=100)
    minutes_ref: str | None = Field(default=None, max_length=200, description="Số, ký hiệu biên bản hội nghị")


class LinkOpinionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    petition_id: str = Field(pattern=PETITION_ID, description="Mã kiến nghị đã tiếp nhận")


class ConcludeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conclusion_number: str = Field(max_length=64, examples=["125/TB-UBND"])
    conclusion_date: date
    text: str = Field(max_length=20_000)
    distribution: list[ShortText] = Field(max_length=200, description="Nơi nhận thông báo kết luận")


class PublishResultsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    published_on: date
    channels: list[PublicationChannel] = Field(max_length=10)


class ConferenceScheduledOut(BaseModel):
    conference_id: str
    stream_seq: int
    replayed: bool = Field(description="Đã lên lịch từ trước với cùng khóa Idempotency-Key")
    status_url: str


class ConferenceChangedOut(BaseModel):
    conference_id: str
    stream_seq: int
    events: list[str] = Field(description="Sự kiện vừa ghi; rỗng nếu không có gì thay đổi")


class ConferenceOut(BaseModel):
    conference_id: str
    status: Status
    kind: ConferenceKind | None
    level: UnitLevel | None
    province_code: str | None
    unit_code: str | None
    unit_name: str | None
    chair_roles: list[ChairRole]
    has_mttq_co_organiser: bool
    original_planned_on: date | None
    planned_on: date | None
    postponements: int
    announced_on: date | None
    late_notice: bool = Field(description="Thông báo muộn: vi phạm quy định thông báo trước ít nhất 7 ngày")
    held_on: date | None
    attendance: int | None
    opinions_count: int
    opinion_ids: list[str]
    concluded_on: date | None
    results_published_on: date | None
    late_publication: bool = Field(description="Công khai muộn: quá 10 ngày sau hội nghị")
    art43_applies: bool = Field(description="Áp dụng quy định về hội nghị đối thoại cấp xã (Điều 43)")
    announce_by: date | None = Field(description="Hạn cuối thông báo đúng quy định")
    notice_overdue: bool = Field(description="Chưa thông báo và đã quá hạn thông báo đúng quy định")
    publish_results_by: date | None = Field(description="Hạn cuối công khai kết quả")
    publication_overdue: bool = Field(description="Chưa công khai kết quả và đã quá hạn")
    version: int
    stream_seq: int


def _changed(outcome: CommandOutcome) -> ConferenceChangedOut:
    return ConferenceChangedOut(
        conference_id=outcome.aggregate_id, stream_seq=outcome.stream_seq, events=outcome.events
    )


def _view(view: ConferenceView) -> ConferenceOut:
    s, d = view.state, view.duties
    return ConferenceOut(
        conference_id=view.conference_id,
        status=s.status,
        kind=s.kind,
        level=s.level,
        province_code=s.province_code,
        unit_code=s.unit_code,
        unit_name=place_name(s.unit_code),
        chair_roles=sorted(s.chair_roles),
        has_mttq_co_organiser=s.has_mttq_co_organiser,
        original_planned_on=s.original_planned_on,
        planned_on=s.planned_on,
        postponements=s.postponements,
        announced_on=s.announced_on,
        late_notice=s.late_notice,
        held_on=s.held_on,
        attendance=s.attendance,
        opinions_count=len(s.opinions),
        opinion_ids=list(s.opinions),
        concluded_on=s.concluded_on,
        results_published_on=s.results_published_on,
        late_publication=s.late_publication,
        art43_applies=d.applies,
        announce_by=d.announce_by,
        notice_overdue=d.notice_overdue,
        publish_results_by=d.publish_results_by,
        publication_overdue=d.publication_overdue,
        version=s.version,
        stream_seq=view.stream_seq,
    )


def router(store: Callable[[], EventStore]) -> APIRouter:
    api = APIRouter(prefix="/v1/conferences", tags=["hội nghị (conferences)"])

    async def change(
        conference_id: str, name: str, cmd: ConferenceCommand, ctx: CommandContext
    ) -> ConferenceChangedOut:
        with refusals_as_api_errors():
            return _changed(await change_conference(store(), conference_id, name, cmd, ctx))

    @api.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=ConferenceScheduledOut,
        responses=CREATION_RESPONSES,
        summary="Lên lịch một hội nghị đối thoại, tiếp xúc cử tri hoặc tiếp công dân",
    )
    async def schedule(body: ScheduleIn, ctx: Context, response: Response) -> ConferenceScheduledOut:
        cmd = ScheduleConference(
            kind=body.kind,
            level=body.level,
            province_code=body.province_code,
            unit_code=body.unit_code,
            chairs=tuple(Chair(ref=c.ref, role=c.role) for c in body.chairs),
            planned_on=body.planned_on,
            mttq_co_organiser_ref=body.mttq_co_organiser_ref,
            attendance_mode=body.attendance_mode,
            place=body.place,
            topic=body.topic,
            reason=body.reason,
        )
        with refusals_as_api_errors():
            outcome = await schedule_conference(store(), cmd, ctx)
        url = f"/v1/conferences/{outcome.aggregate_id}"
        response.headers["Location"] = url
        return ConferenceScheduledOut(
            conference_id=outcome.aggregate_id,
            stream_seq=outcome.stream_seq,
            replayed=not outcome.events,
            status_url=url,
        )

    @api.post(
        "/{conference_id}/announce",
        response_model=ConferenceChangedOut,
        responses=RESPONSES,
        summary="Ghi nhận việc thông báo hội nghị cho Nhân dân",
    )
    async def announce(conference_id: ConferenceId, body: AnnounceIn, ctx: Context) -> ConferenceChangedOut:
        cmd = AnnounceConference(announced_on=body.announced_on, channels=tuple(body.channels))
        return await change(conference_id, "conference.announce", cmd, ctx)

    @api.post(
        "/{conference_id}/postpone",
        response_model=ConferenceChangedOut,
        responses=RESPONSES,
        summary="Hoãn hội nghị sang ngày khác",
    )
    async def postpone(conference_id: ConferenceId, body: PostponeIn, ctx: Context) -> ConferenceChangedOut:
        cmd = PostponeConference(new_date=body.new_date, reason=body.reason)
        return await change(conference_id, "conference.postpone", cmd, ctx)

    @api.post(
        "/{conference_id}/cancel",
        response_model=ConferenceChangedOut,
        responses=RESPONSES,
        summary="Hủy hội nghị chưa diễn ra",
    )
    async def cancel(conference_id: ConferenceId, body: CancelIn, ctx: Context) -> ConferenceChangedOut:
        return await change(conference_id, "conference.cancel", CancelConference(reason=body.reason), ctx)

    @api.post(
        "/{conference_id}/hold",
        response_model=ConferenceChangedOut,
        responses=RESPONSES,
        summary="Ghi nhận việc tổ chức hội nghị (ngày, số người tham dự, biên bản)",
    )
    async def hold(conference_id: ConferenceId, body: HoldIn, ctx: Context) -> ConferenceChangedOut:
        cmd = HoldConference(
            held_on=body.held_on,
            attendance=body.attendance,
            organisations_present=tuple(body.organisations_present),
            minutes_ref=body.minutes_ref,
        )
        return await change(conference_id, "conference.hold", cmd, ctx)

    @api.post(
        "/{conference_id}/opinions",
        response_model=ConferenceChangedOut,
        responses=RESPONSES,
        summary="Gắn một ý kiến, kiến nghị đã tiếp nhận vào hội nghị nơi nó được nêu",
    )
    async def link_opinion(
        conference_id: ConferenceId, body: LinkOpinionIn, ctx: Context
    ) -> ConferenceChangedOut:
        with refusals_as_api_errors():
            return _changed(await link_petition(store(), conference_id, body.petition_id, ctx))

    @api.post(
        "/{conference_id}/conclude",
        response_model=ConferenceChangedOut,
        responses=RESPONSES,
        summary="Ghi nhận thông báo kết luận hội nghị",
    )
    async def conclude(conference_id: ConferenceId, body: ConcludeIn, ctx: Context) -> ConferenceChangedOut:
        cmd = ConcludeConference(
            conclusion_number=body.conclusion_number,
            conclusion_date=body.conclusion_date,
            text=body.text,
            distribution=tuple(body.distribution),
        )
        return await change(conference_id, "conference.conclude", cmd, ctx)

    @api.post(
        "/{conference_id}/publish-results",
        response_model=ConferenceChangedOut,
        responses=RESPONSES,
        summary="Ghi nhận việc công khai kết quả hội nghị",
    )
    async def publish_results(
        conference_id: ConferenceId, body: PublishResultsIn, ctx: Context
    ) -> ConferenceChangedOut:
        cmd = PublishResults(published_on=body.published_on, channels=tuple(body.channels))
        return await change(conference_id, "conference.publish_results", cmd, ctx)

    @api.get(
        "/{conference_id}",
        response_model=ConferenceOut,
        responses={404: RESPONSES[404], 503: RESPONSES[503]},
        summary="Tình trạng một hội nghị: lịch, thông báo, tổ chức, kết luận, công khai, số ý kiến",
    )
    async def read(conference_id: ConferenceId) -> ConferenceOut:
        with refusals_as_api_errors():
            return _view(await get_conference(store(), conference_id))

    return api
