"""Tracking's HTTP routes: every command of the petition's life, the case inbox, one case.

Each command route translates its body into one domain command and hands it to
`handle_command`; the rules are the domain's. Commands are idempotent under the
`Idempotency-Key` header: the same key on the same route does the work once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from langnghe.contracts.envelope import Actor, ActorKind
from langnghe.contracts.events.conference import PublicationChannel, UnitLevel
from langnghe.contracts.events.petition import ComplaintInstance, DeadlineKind, Disposition, TransferKind
from langnghe.contracts.subjects import InvalidSubjectToken
from langnghe.runtime.commands import command_id
from langnghe.runtime.eventstore import EventStore, EventStoreUnavailable
from langnghe.runtime.http import ApiError, ErrorBody
from langnghe.tracking.domain.case_view import case_view
from langnghe.tracking.domain.petition import (
    AcceptPetition,
    AnswerPetition,
    AssignPetition,
    ClosePetition,
    DisposeAtConference,
    EscalatePetition,
    ExtendDeadline,
    GiveFeedback,
    MergeAsDuplicate,
    PetitionCommand,
    PetitionRuleBroken,
    PublishAnswer,
    ReassignPetition,
    ReopenPetition,
    WithdrawPetition,
)
from langnghe.tracking.handlers import Decide, deciding, handle_command, load_petition
from langnghe.tracking.projections.case_inbox import list_cases

AGENCY_CODE = r"^[A-Za-z0-9_.-]{2,64}$"
UNIT_CODE = r"^[0-9]{2}([0-9]{3})?$"
PETITION_ID = r"^[A-Za-z0-9_-]{1,128}$"
STATUSES = r"^(received|assigned|escalated|answered|closed|withdrawn|merged)$"

Reason = Annotated[str, Field(min_length=1, max_length=2_000, description="Lý do")]
Note = Annotated[str | None, Field(default=None, max_length=2_000)]
Ref = Annotated[str | None, Field(default=None, max_length=128)]
Agency = Annotated[str, Field(pattern=AGENCY_CODE, examples=["UBND-XA-SAPA"])]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DispositionIn(_Body):
    disposition: Disposition
    note: Note = None
    answer_text: str | None = Field(default=None, max_length=20_000)
    answering_agency_code: str | None = Field(default=None, pattern=AGENCY_CODE)
    agency_code: str | None = Field(default=None, pattern=AGENCY_CODE)
    promised_date: date | None = None
    officer_ref: Ref = None
    to_level: UnitLevel | None = None
    to_unit_code: str | None = Field(default=None, pattern=UNIT_CODE)

    def command(self) -> PetitionCommand:
        return DisposeAtConference(**self.model_dump())


class AssignIn(_Body):
    agency_code: Agency
    promised_date: date = Field(description="Ngày hẹn trả lời (YYYY-MM-DD)")
    officer_ref: Ref = None

    def command(self) -> PetitionCommand:
        return AssignPetition(self.agency_code, self.promised_date, self.officer_ref)


class AcceptIn(_Body):
    accepted_on: date = Field(description="Ngày thụ lý")
    decision_number: str | None = Field(default=None, max_length=64)
    complaint_instance: ComplaintInstance | None = None
    complex_case: bool = False
    remote_area: bool = False

    def command(self) -> PetitionCommand:
        return AcceptPetition(**self.model_dump())


class ExtendIn(_Body):
    which: DeadlineKind = Field(description="promised: dời ngày hẹn; statutory: gia hạn theo luật")
    reason: Reason
    new_date: date | None = Field(default=None, description="Ngày hẹn mới (chỉ với promised)")
    decision_number: str | None = Field(default=None, max_length=64)
    decision_date: date | None = None

    def command(self) -> PetitionCommand:
        return ExtendDeadline(**self.model_dump())


class ReassignIn(_Body):
    agency_code: Agency
    reason: Reason
    officer_ref: Ref = None
    promised_date: date | None = Field(default=None, description="Bỏ trống để giữ ngày hẹn cũ")

    def command(self) -> PetitionCommand:
        return ReassignPetition(**self.model_dump())


class EscalateIn(_Body):
    kind: TransferKind
    to_level: UnitLevel
    to_unit_code: str = Field(pattern=UNIT_CODE, examples=["15"])
    reason: Reason

    def command(self) -> PetitionCommand:
        return EscalatePetition(**self.model_dump())


class AnswerIn(_Body):
    answer_text: str = Field(min_length=1, max_length=20_000)
    answering_agency_code: Agency
    document_number: str | None = Field(default=None, max_length=64, examples=["125/UBND-VP"])
    document_date: date | None = None

    def command(self) -> PetitionCommand:
        return AnswerPetition(**self.model_dump())


class PublishIn(_Body):
    published_on: date
    channels: list[PublicationChannel] = Field(min_length=1, max_length=len(PublicationChannel))
    note: Note = None

    def command(self) -> PetitionCommand:
        return PublishAnswer(self.published_on, tuple(dict.fromkeys(self.channels)), self.note)


class FeedbackIn(_Body):
    satisfied: bool
    reason: Note = None

    def command(self) -> PetitionCommand:
        return GiveFeedback(self.satisfied, self.reason)


class ReopenIn(_Body):
    reason: Reason
    promised_date: date | None = None

    def command(self) -> PetitionCommand:
        return ReopenPetition(self.reason, self.promised_date)


class CloseIn(_Body):
    note: Note = None

    def command(self) -> PetitionCommand:
        return ClosePetition(self.note)


class WithdrawIn(_Body):
    reason: Reason

    def command(self) -> PetitionCommand:
        return WithdrawPetition(self.reason)


class MergeIn(_Body):
    primary_petition_id: str = Field(pattern=PETITION_ID, description="Kiến nghị chính để gộp vào")
    reason: Reason


class CommandOut(BaseModel):
    petition_id: str
    stream_seq: int = Field(description="Chờ đến số thứ tự này để đọc được kết quả (read-your-writes)")
    events: list[str] = Field(description="Các sự kiện vừa ghi; rỗng nếu không có gì thay đổi")


#: (path, body, who usually sends it, summary)
_COMMANDS: tuple[tuple[str, type[_Body], ActorKind, str], ...] = (
    ("disposition", DispositionIn, "official", "Ghi nhận cách xử lý ý kiến tại hội nghị"),
    ("assign", AssignIn, "agency", "Giao kiến nghị cho cơ quan chức năng, kèm ngày hẹn trả lời"),
    ("accept", AcceptIn, "agency", "Thụ lý khiếu nại, tố cáo (bắt đầu thời hạn giải quyết theo luật)"),
    ("extend", ExtendIn, "agency", "Gia hạn: dời ngày hẹn hoặc gia hạn thời hạn luật định"),
    ("reassign", ReassignIn, "agency", "Giao lại cho cơ quan khác"),
    ("escalate", EscalateIn, "agency", "Chuyển cấp có thẩm quyền hoặc chuyển đơn"),
    ("answer", AnswerIn, "agency", "Ghi nhận văn bản trả lời kiến nghị"),
    ("publish-answer", PublishIn, "agency", "Công khai nội dung trả lời"),
    ("feedback", FeedbackIn, "citizen", "Ý kiến của người dân về câu trả lời (hài lòng hay không)"),
    ("reopen", ReopenIn, "clerk", "Mở lại kiến nghị đã trả lời hoặc đã kết thúc"),
    ("close", CloseIn, "clerk", "Kết thúc kiến nghị đã được trả lời"),
    ("withdraw", WithdrawIn, "clerk", "Người dân rút kiến nghị"),
)

_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody},
    409: {"model": ErrorBody},
    422: {"model": ErrorBody},
    503: {"model": ErrorBody},
}

PetitionId = Annotated[str, Path(pattern=PETITION_ID)]
IdempotencyKey = Annotated[str | None, Header(max_length=128)]
ActorRef = Annotated[str | None, Header(max_length=128)]


def router(store: Callable[[], EventStore], sessions: async_sessionmaker[AsyncSession]) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["theo dõi giải quyết (tracking)"])

    async def run(
        petition_id: str,
        decide_fn: Decide,
        request: Request,
        key: str | None,
        actor: Actor,
    ) -> CommandOut:
        try:
            result = await handle_command(
                store(),
                petition_id,
                decide_fn,
                command_id=command_id(
                    request.url.path.rsplit("/", 1)[-1], petition_id, key or uuid.uuid4().hex
                ),
                actor=actor,
                correlation_id=(request.headers.get("X-Correlation-Id") or uuid.uuid4().hex)[:128],
            )
        except PetitionRuleBroken as exc:
            raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc
        except InvalidSubjectToken as exc:
            raise ApiError(404, "petition.not_found", "Không tìm thấy kiến nghị này.", "petition_id") from exc
        except EventStoreUnavailable as exc:
            raise ApiError(
                503, "store.unavailable", "Hệ thống tạm thời chưa ghi nhận được; vui lòng thử lại."
            ) from exc
        return CommandOut(petition_id=result.aggregate_id, stream_seq=result.stream_seq, events=result.events)

    def add_command(path: str, body_type: type[_Body], actor_kind: ActorKind, summary: str) -> None:
        async def endpoint(
            petition_id: PetitionId,
            body: Any,
            request: Request,
            idempotency_key: IdempotencyKey = None,
            x_actor_ref: ActorRef = None,
        ) -> CommandOut:
            return await run(
                petition_id,
                deciding(body.command()),
                request,
                idempotency_key,
                Actor(kind=actor_kind, ref=x_actor_ref or f"tracking-api-{actor_kind}"),
            )

        # The body's model is only known here; FastAPI reads it from the annotation.
        endpoint.__annotations__["body"] = body_type
        endpoint.__name__ = path.replace("-", "_")
        api.post(
            f"/petitions/{{petition_id}}/{path}",
            response_model=CommandOut,
            responses=_RESPONSES,
            summary=summary,
            operation_id=f"petition_{endpoint.__name__}",
        )(endpoint)

    for path, body_type, actor_kind, summary in _COMMANDS:
        add_command(path, body_type, actor_kind, summary)

    @api.post(
        "/petitions/{petition_id}/merge",
        response_model=CommandOut,
        responses=_RESPONSES,
        summary="Gộp kiến nghị trùng lặp vào một kiến nghị chính (giữ mọi người đồng ký)",
        operation_id="petition_merge",
    )
    async def merge(
        petition_id: PetitionId,
        body: MergeIn,
        request: Request,
        idempotency_key: IdempotencyKey = None,
        x_actor_ref: ActorRef = None,
    ) -> CommandOut:
        try:
            primary = await load_petition(store(), body.primary_petition_id)
        except InvalidSubjectToken as exc:
            raise ApiError(
                404, "petition.not_found", "Không tìm thấy kiến nghị chính.", "primary_petition_id"
            ) from exc
        return await run(
            petition_id,
            deciding(MergeAsDuplicate(petition_id, body.primary_petition_id, body.reason), primary=primary),
            request,
            idempotency_key,
            Actor(kind="clerk", ref=x_actor_ref or "tracking-api-clerk"),
        )

    @api.get(
        "/petitions/{petition_id}/case",
        responses={404: {"model": ErrorBody}},
        summary="Hồ sơ giải quyết của một kiến nghị, đọc thẳng từ kho sự kiện (luôn mới nhất)",
    )
    async def case(petition_id: PetitionId) -> dict[str, Any]:
        try:
            state = await load_petition(store(), petition_id)
        except EventStoreUnavailable as exc:
            raise ApiError(
                503, "store.unavailable", "Hệ thống tạm thời chưa đọc được; vui lòng thử lại."
            ) from exc
        if not state.exists:
            raise ApiError(404, "petition.not_found", "Không tìm thấy kiến nghị này.", "petition_id")
        return case_view(petition_id, state)

    @api.get("/cases", summary="Hộp việc của cơ quan: các kiến nghị được giao, theo ngày hẹn")
    async def cases(
        agency_code: Annotated[str | None, Query(pattern=AGENCY_CODE)] = None,
        status: Annotated[str | None, Query(pattern=STATUSES)] = None,
        overdue: Annotated[bool | None, Query(description="Chỉ các kiến nghị quá hạn")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[dict[str, Any]]:
        async with sessions() as session:
            return await list_cases(
                session, agency_code=agency_code, status=status, overdue=overdue, limit=limit
            )

    return api
