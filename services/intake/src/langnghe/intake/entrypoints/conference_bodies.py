"""What the conference routes read and answer: request bodies, responses, and the view of one
conference in the response's terms."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from langnghe.contracts.events.conference import (
    AttendanceMode,
    ChairRole,
    ConferenceKind,
    ConvocationReason,
    PublicationChannel,
    UnitLevel,
)
from langnghe.intake.domain.conference import Status
from langnghe.intake.domain.references import place_name
from langnghe.intake.entrypoints.codes import PETITION_ID, PROVINCE_CODE, UNIT_CODE
from langnghe.intake.handlers.conferences import ConferenceView
from langnghe.runtime.clean_text import Cleaned, CleanedLine
from langnghe.runtime.commands import CommandOutcome

# Free text is cleaned (NFC, stripped) once its limits have passed on what was sent.
ShortText = Annotated[str, Field(max_length=200), CleanedLine]


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
    mttq_co_organiser_ref: Annotated[str, Field(max_length=128), CleanedLine] | None = Field(
        default=None, description="Ủy ban MTTQ phối hợp tổ chức", examples=["MTTQ-XA-03006"]
    )
    attendance_mode: AttendanceMode = AttendanceMode.IN_PERSON
    place: Annotated[str, Field(max_length=500), CleanedLine] | None = None
    topic: Annotated[str, Field(max_length=1000), CleanedLine] | None = None
    reason: ConvocationReason = ConvocationReason.PERIODIC


class AnnounceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    announced_on: date = Field(description="Ngày thông báo (YYYY-MM-DD)")
    channels: list[PublicationChannel] = Field(default_factory=list, max_length=10)


class PostponeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_date: date = Field(description="Ngày tổ chức mới (YYYY-MM-DD)")
    reason: Annotated[str, Field(max_length=2000), Cleaned]


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(max_length=2000), Cleaned]


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    held_on: date = Field(description="Ngày tổ chức (YYYY-MM-DD)")
    attendance: int = Field(le=1_000_000, description="Số lượt đại biểu tham dự")
    organisations_present: list[ShortText] = Field(default_factory=list, max_length=100)
    minutes_ref: ShortText | None = Field(default=None, description="Số, ký hiệu biên bản hội nghị")


class LinkOpinionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    petition_id: str = Field(pattern=PETITION_ID, description="Mã kiến nghị đã tiếp nhận")


class ConcludeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conclusion_number: Annotated[str, Field(max_length=64), CleanedLine] = Field(examples=["125/TB-UBND"])
    conclusion_date: date
    text: Annotated[str, Field(max_length=20_000), Cleaned]
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


def changed(outcome: CommandOutcome) -> ConferenceChangedOut:
    return ConferenceChangedOut(
        conference_id=outcome.aggregate_id, stream_seq=outcome.stream_seq, events=outcome.events
    )


def conference_out(view: ConferenceView) -> ConferenceOut:
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
