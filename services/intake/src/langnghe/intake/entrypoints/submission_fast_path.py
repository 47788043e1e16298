"""`POST /v1/petitions` answered straight from ASGI, ahead of FastAPI's request machinery.

Submitting petitions is what intake does most, and under load FastAPI's routing, dependency
solving, double validation (JSON to dicts, dicts to the model) and response re-validation cost
more CPU than the submission itself. This middleware takes the common case only: a JSON body
(no content type, or `application/json`) that validates as `PetitionIn`, with headers within
their limits. It validates the bytes in one pass and calls the same `accept_petition` as the
route. Anything else (invalid JSON, a field refused, a header too long, another content type,
a body over `max_body`) goes on to FastAPI with the body it already read, so every error a
client sees is the route's own. The route stays the documented operation (OpenAPI) and its
behaviour is the reference: the tests send the same requests through both and compare.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from langnghe.intake.entrypoints.http import MAX_HEADER, PetitionAccepted, PetitionIn
from langnghe.runtime.http import ApiError, ErrorBody

Accept = Callable[[PetitionIn, str | None, str | None, str | None], Awaitable[PetitionAccepted]]

PATH = "/v1/petitions"
#: Larger bodies go to FastAPI unread further (a petition's text is at most 20,000 characters).
MAX_BODY = 256 * 1024


class SubmissionFastPath:
    def __init__(self, app: ASGIApp, accept: Accept, *, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.accept = accept
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        body, complete = await _read_body(receive, self.max_body)
        petition = self._valid(headers, body) if complete else None
        if petition is None:
            await self.app(scope, _replaying(body, complete, receive), send)
            return
        key, actor, correlation = (
            _text(headers.get(name)) for name in (b"idempotency-key", b"x-actor-ref", b"x-correlation-id")
        )
        try:
            accepted = await self.accept(petition, key, actor, correlation)
        except ApiError as exc:
            await _respond(send, exc.status, ErrorBody(errors=[exc.detail]).model_dump_json().encode())
            return
        await _respond(send, 202, accepted.model_dump_json().encode())

    @staticmethod
    def _valid(headers: dict[bytes, bytes], body: bytes) -> PetitionIn | None:
        content_type = headers.get(b"content-type")
        if content_type is not None and content_type.split(b";", 1)[0].strip().lower() != b"application/json":
            return None
        if any(len(headers.get(name, b"")) > MAX_HEADER for name in (b"idempotency-key", b"x-actor-ref")):
            return None  # FastAPI's header validation says which, in its words
        if not body:
            return None
        try:
            return PetitionIn.model_validate_json(body)
        except ValidationError:
            return None


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")  # as Starlette decodes headers


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The request body, and whether it is all there (False: over `limit`, or the client left)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > limit:
            return b"".join(chunks), False


def _replaying(body: bytes, complete: bool, receive: Receive) -> Receive:
    """A `receive` that hands over what was already read, then goes on with the client's."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replay


async def _respond(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
