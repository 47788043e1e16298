"""Tracking's HTTP routes: agency commands and the case inbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from langnghe.contracts.envelope import Actor
from langnghe.contracts.subjects import InvalidSubjectToken
from langnghe.runtime.eventstore import EventStoreUnavailable, JetStreamEventStore
from langnghe.runtime.http import ApiError, ErrorBody
from langnghe.tracking.adapters.cases import list_cases
from langnghe.tracking.domain.petition import (
    AnswerPetition,
    AssignPetition,
    PetitionRuleBroken,
    decide_answer,
    decide_assign,
    vietnam_date,
)
from langnghe.tracking.handlers import CommandResult, Decide, handle_command

AGENCY_CODE = r"^[A-Za-z0-9_-]{2,64}$"


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency_code: str = Field(pattern=AGENCY_CODE, examples=["UBND-XA-SAPA"])
    promised_date: date = Field(description="Ngày hẹn trả lời (YYYY-MM-DD)")
    officer_ref: str | None = Field(default=None, max_length=128)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_text: str = Field(min_length=1, max_length=20_000)
    answering_agency_code: str = Field(pattern=AGENCY_CODE)
    document_number: str | None = Field(default=None, max_length=64, examples=["125/UBND-VP"])
    document_date: date | None = None


class CommandOut(BaseModel):
    petition_id: str
    stream_seq: int
    events: list[str]


_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody},
    409: {"model": ErrorBody},
    422: {"model": ErrorBody},
    503: {"model": ErrorBody},
}


def router(store: Callable[[], JetStreamEventStore], sessions: async_sessionmaker[AsyncSession]) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["theo dõi giải quyết (tracking)"])

    async def run(
        petition_id: str, decide: Decide, request: Request, key: str | None, actor_ref: str | None
    ) -> CommandOut:
        try:
            result: CommandResult = await handle_command(
                store(),
                petition_id,
                decide,
                command_id=f"{request.url.path}:{key or uuid.uuid4().hex}",
                actor=Actor(kind="agency", ref=actor_ref or "tracking-api"),
                correlation_id=request.headers.get("X-Correlation-Id") or uuid.uuid4().hex,
            )
        except PetitionRuleBroken as exc:
            raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc
        except InvalidSubjectToken as exc:
            raise ApiError(404, "petition.not_found", "Không tìm thấy kiến nghị này.", "petition_id") from exc
        except EventStoreUnavailable as exc:
            raise ApiError(
                503, "store.unavailable", "Hệ thống tạm thời chưa ghi nhận được; vui lòng thử lại."
            ) from exc
        return CommandOut(petition_id=result.petition_id, stream_seq=result.stream_seq, events=result.events)

    @api.post(
        "/petitions/{petition_id}/assign",
        response_model=CommandOut,
        responses=_RESPONSES,
        summary="Giao kiến nghị cho cơ quan chức năng, kèm ngày hẹn trả lời",
    )
    async def assign(
        petition_id: str,
        body: AssignIn,
        request: Request,
        idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
        x_actor_ref: Annotated[str | None, Header(max_length=128)] = None,
    ) -> CommandOut:
        cmd = AssignPetition(body.agency_code, body.promised_date, body.officer_ref)
        return await run(
            petition_id,
            lambda s, now: decide_assign(s, cmd, vietnam_date(now)),
            request,
            idempotency_key,
            x_actor_ref,
        )

    @api.post(
        "/petitions/{petition_id}/answer",
        response_model=CommandOut,
        responses=_RESPONSES,
        summary="Ghi nhận văn bản trả lời kiến nghị",
    )
    async def answer(
        petition_id: str,
        body: AnswerIn,
        request: Request,
        idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
        x_actor_ref: Annotated[str | None, Header(max_length=128)] = None,
    ) -> CommandOut:
        cmd = AnswerPetition(
            body.answer_text, body.answering_agency_code, body.document_number, body.document_date
        )
        return await run(
            petition_id, lambda s, _now: decide_answer(s, cmd), request, idempotency_key, x_actor_ref
        )

    @api.get("/cases", summary="Hộp việc của cơ quan: các kiến nghị được giao, theo ngày hẹn")
    async def cases(
        agency_code: Annotated[str | None, Query(pattern=AGENCY_CODE)] = None,
        status: Annotated[str | None, Query(pattern=r"^(received|assigned|answered)$")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[dict[str, Any]]:
        async with sessions() as session:
            return await list_cases(session, agency_code=agency_code, status=status, limit=limit)

    return api
