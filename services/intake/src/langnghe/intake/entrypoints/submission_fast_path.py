"""`POST /v1/petitions` answered straight from ASGI, ahead of FastAPI: a speed-driven boundary.

Why it exists: submitting petitions is what intake does most, and under load FastAPI's routing,
dependency solving, double validation (JSON to dicts, dicts to the model) and response
re-validation cost more CPU than the submission itself.

What it bought (the benchmark, 48 submissions in flight, when it was added): intake's CPU per
petition 0.63 -> 0.44-0.47 ms, end to end about 1,000 -> 1,125-1,174 petitions/s.

How to remove it: delete the `app.add_middleware(SubmissionFastPath, ...)` line (and the
`accept` it is given) in `langnghe.intake.app`, then this module and its unit test. The route
in `petitions.py` already answers every request the fast path does not, the same way.

What it shares with the route, so the two cannot drift: the request model (`PetitionIn`), the
response model (`PetitionAccepted`), the header limit, the function that does the work
(`accept_petition`) and the mapping of refusals to HTTP (`langnghe.runtime.http.refusal`). It
takes the common case only: a JSON body (no content type, or `application/json`) that
validates as `PetitionIn`, with headers within their limits, validated from the bytes in one
pass. Anything else (invalid JSON, a field refused, a header too long, another content type, a
body over `max_body`) goes on to FastAPI with the body it already read, so every validation
error a client sees is the route's own. The route stays the documented operation (OpenAPI) and
its behaviour is the reference: the service tests send the same requests through both and
compare.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from langnghe.intake.entrypoints.petitions import (
    KEY_HEADER,
    MAX_HEADER,
    PetitionAccepted,
    PetitionIn,
    new_key,
    not_confirmed,
)
from langnghe.runtime.eventstore import EventStoreUnavailable
from langnghe.runtime.http import ErrorBody, refusal

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
        key = key or new_key()  # answered with every response, so a retry cannot duplicate
        key_header = [(KEY_HEADER.lower().encode(), key.encode("latin-1"))]
        try:
            accepted = await self.accept(petition, key, actor, correlation)
        except EventStoreUnavailable as exc:
            await _respond(send, 503, not_confirmed(exc, key), key_header)
            return
        except Exception as exc:
            refused = refusal(exc, "POST")
            if refused is None:
                raise  # a bug: the server's 500, as on the route
            status, detail = refused
            await _respond(send, status, ErrorBody(errors=[detail]).model_dump_json().encode())
            return
        await _respond(send, 202, accepted.model_dump_json().encode(), key_header)

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


async def _respond(
    send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})
