"""Tracking's command routes: every command of the petition's life, one plain function each.

Each route turns its body into one domain command (`petition_bodies`) and hands it to
`handle_command`; the rules are the domain's, and refusals become HTTP errors in
`langnghe.runtime.http`. Commands are idempotent under the `Idempotency-Key` header: the same
key on the same route does the work once, and the same key with a different body is refused
(`409 idempotency.key_reused`): the body's fingerprint travels in the events' metadata.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request

from langnghe.contracts.envelope import Actor, ActorKind
from langnghe.runtime.commands import command_id, request_fingerprint
from langnghe.runtime.dependencies import Store
from langnghe.runtime.eventstore import EventStore
from langnghe.runtime.http import responses
from langnghe.tracking.domain.petition import MergeAsDuplicate
from langnghe.tracking.entrypoints.petition_bodies import (
    PETITION_ID,
    AcceptIn,
    AnswerIn,
    AssignIn,
    CloseIn,
    CommandOut,
    DispositionIn,
    EscalateIn,
    ExtendIn,
    FeedbackIn,
    MergeIn,
    PublishIn,
    ReassignIn,
    ReopenIn,
    WithdrawIn,
)
from langnghe.tracking.handlers import Decide, deciding, handle_command, load_petition

MAX_HEADER = 128  # Idempotency-Key, X-Actor-Ref, and EventMeta.correlation_id


@dataclass(frozen=True)
class CommandCall:
    """Which petition a command is for, who sent it, and the id that makes a retry a no-op."""

    petition_id: str
    command_id: str
    actor: Actor
    correlation_id: str
    fingerprint: str | None = None
    """Of the request body, when the client sent a key: compared on a replay of the key."""


def sent_by(kind: ActorKind) -> Callable[..., Awaitable[CommandCall]]:
    """The dependency reading a command's path and headers; `kind` is who usually sends it."""

    async def call(
        petition_id: Annotated[str, Path(pattern=PETITION_ID)],
        request: Request,
        idempotency_key: Annotated[str | None, Header(max_length=MAX_HEADER)] = None,
        x_actor_ref: Annotated[str | None, Header(max_length=MAX_HEADER)] = None,
    ) -> CommandCall:
        name = request.url.path.rsplit("/", 1)[-1]
        # The body as sent (Starlette keeps it once read, so the route's own parsing reads it too).
        fingerprint = request_fingerprint(await request.body()) if idempotency_key else None
        return CommandCall(
            petition_id=petition_id,
            command_id=command_id(name, petition_id, idempotency_key or uuid.uuid4().hex),
            actor=Actor(kind=kind, ref=x_actor_ref or f"tracking-api-{kind}"),
            correlation_id=(request.headers.get("X-Correlation-Id") or uuid.uuid4().hex)[:MAX_HEADER],
            fingerprint=fingerprint,
        )

    return call


Official = Annotated[CommandCall, Depends(sent_by("official"))]
Agency = Annotated[CommandCall, Depends(sent_by("agency"))]
Citizen = Annotated[CommandCall, Depends(sent_by("citizen"))]
Clerk = Annotated[CommandCall, Depends(sent_by("clerk"))]


async def run(store: EventStore, call: CommandCall, decide: Decide) -> CommandOut:
    result = await handle_command(
        store,
        call.petition_id,
        decide,
        command_id=call.command_id,
        actor=call.actor,
        correlation_id=call.correlation_id,
        request_fingerprint=call.fingerprint,
    )
    return CommandOut(petition_id=result.aggregate_id, stream_seq=result.stream_seq, events=result.events)


router = APIRouter(prefix="/v1/petitions/{petition_id}", tags=["theo dõi giải quyết (tracking)"])
COMMAND: dict[str, Any] = {"response_model": CommandOut, "responses": responses(404, 409, 422, 503)}


@router.post(
    "/disposition",
    operation_id="petition_disposition",
    summary="Ghi nhận cách xử lý ý kiến tại hội nghị",
    **COMMAND,
)
async def disposition(body: DispositionIn, call: Official, store: Store) -> CommandOut:
    return await run(store, call, deciding(body.command()))


@router.post(
    "/assign",
    operation_id="petition_assign",
    summary="Giao kiến nghị cho cơ quan chức năng, kèm ngày hẹn trả lời",
    **COMMAND,
)
async def assign(body: AssignIn, call: Agency, store: Store) -> CommandOut:
    return await run(store, call, deciding(body.command()))


@router.post(
    "/accept",
    operation_id="petition_accept",
    summary="Thụ lý khiếu nại, tố cáo (bắt đầu thời hạn giải quyết theo luật)",
    **COMMAND,
)
async def accept(body: AcceptIn, call: Agency, store: Store) -> CommandOut:
    return await run(store, call, deciding(body.command()))


@router.post(
    "/extend",
    operation_id="petition_extend",
    summary="Gia hạn: dời ngày hẹn hoặc gia hạn thời hạn luật định",
    **COMMAND,
)
async def extend(body: ExtendIn, call: Agency, store: Store) -> CommandOut:
    return await run(store, call, deciding(body.command()))


@router.post("/reassign", operation_id="petition_reassign", summary="Giao lại cho cơ quan khác", **COMMAND)
async def reassign(body: ReassignIn, call: Agency, store: Store) -> CommandOut:
    return await run(store, call, deciding(body.command()))


@router.post(
    "/escalate",
    operation_id="petition_escalate",
    summary="Chuyển cấp có thẩm quyền hoặc chuyển đơn",
    **COMMAND,
)
async def escalate(body: EscalateIn, call: Agency, store: Store) -> CommandOut:
    return await run(store, call, deciding(body.command()))


@router.post(
    "/answer", operation_id="petition_answer", summary="Ghi nhận văn bản trả lời kiến nghị", **COMMAND
)
async def answer(body: AnswerIn, call: Agency, store: Store) -> CommandOut:
    return await run(store, call, deciding(body.command()))


@router.post(
    "/publish-answer", operation_id="petition_publish_answer", summary="Công khai nội dung trả lời", **COMMAND
)
async def publish_answer(body: PublishIn, call: Agency, store: Store) -> CommandOut:
    return await run(store, call, deciding(body.command()))


@router.post(
    "/feedback",
    operation_id="petition_feedback",
    summary="Ý kiến của người dân về câu trả lời (hài lòng hay không)",
    **COMMAND,
)
async def feedback(body: FeedbackIn, call: Citizen, store: Store) -> CommandOut:
    return await run(store, call, deciding(body.command()))


@router.post(
    "/reopen",
    operation_id="petition_reopen",
    summary="Mở lại kiến nghị đã trả lời hoặc đã kết thúc",
    **COMMAND,
)
async def reopen(body: ReopenIn, call: Clerk, store: Store) -> CommandOut:
    return await run(store, call, deciding(body.command()))


@router.post("/close", operation_id="petition_close", summary="Kết thúc kiến nghị đã được trả lời", **COMMAND)
async def close(body: CloseIn, call: Clerk, store: Store) -> CommandOut:
    return await run(store, call, deciding(body.command()))


@router.post("/withdraw", operation_id="petition_withdraw", summary="Người dân rút kiến nghị", **COMMAND)
async def withdraw(body: WithdrawIn, call: Clerk, store: Store) -> CommandOut:
    return await run(store, call, deciding(body.command()))


@router.post(
    "/merge",
    operation_id="petition_merge",
    summary="Gộp kiến nghị trùng lặp vào một kiến nghị chính (giữ mọi người đồng ký)",
    **COMMAND,
)
async def merge(body: MergeIn, call: Clerk, store: Store) -> CommandOut:
    primary = await load_petition(store, body.primary_petition_id)
    cmd = MergeAsDuplicate(call.petition_id, body.primary_petition_id, body.reason)
    return await run(store, call, deciding(cmd, primary=primary))
