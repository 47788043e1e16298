"""The headers every command route reads: Idempotency-Key (a retry with the same key changes
nothing more; the same key with another body is refused), X-Actor-Ref (who, as a reference)
and X-Correlation-Id."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Header, Request

from langnghe.contracts.envelope import Actor, ActorKind
from langnghe.intake.handlers.context import CommandContext
from langnghe.runtime.commands import request_fingerprint

MAX_CORRELATION_ID = 128  # EventMeta.correlation_id


def command_context(kind: ActorKind, default_ref: str) -> Callable[..., Awaitable[CommandContext]]:
    async def context(
        request: Request,
        idempotency_key: Annotated[
            str | None,
            Header(
                max_length=128,
                description="Khóa chống gửi trùng: gửi lại với cùng khóa không tạo thêm thay đổi nào",
            ),
        ] = None,
        x_actor_ref: Annotated[
            str | None, Header(max_length=128, description="Mã người thực hiện (không ghi họ tên)")
        ] = None,
    ) -> CommandContext:
        correlation = request.headers.get("X-Correlation-Id") or uuid.uuid4().hex
        return CommandContext(
            actor=Actor(kind=kind, ref=x_actor_ref or default_ref),
            correlation_id=correlation[:MAX_CORRELATION_ID],
            idempotency_key=idempotency_key or None,
            # The body as sent (Starlette keeps it once read, so the route's parsing reads it too).
            fingerprint=request_fingerprint(await request.body()) if idempotency_key else None,
        )

    return context
