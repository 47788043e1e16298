"""The ASGI fast path for `POST /v1/petitions` on its own (no NATS, no database): what it
answers itself, and that whatever it leaves to FastAPI arrives whole (the body it read is
handed on, then the rest of the client's messages)."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from langnghe.intake.entrypoints.petitions import PetitionAccepted, PetitionIn
from langnghe.intake.entrypoints.submission_fast_path import SubmissionFastPath
from langnghe.intake.handlers.petitions import PetitionNotConfirmed
from langnghe.runtime.http import ApiError

VALID = json.dumps(
    {"province_code": "15", "channel": "online", "content": "Đề nghị nạo vét kênh mương nội đồng."}
).encode()


class Inner:
    """Stands for FastAPI: records what reached it and what it read."""

    def __init__(self) -> None:
        self.calls: list[tuple[Scope, bytes, list[str]]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, kinds = b"", []
        while True:
            message = await receive()
            kinds.append(message["type"])
            body += message.get("body", b"")
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        self.calls.append((scope, body, kinds))
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"inner"})


def scope(path: str = "/v1/petitions", method: str = "POST", **headers: str) -> Scope:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()],
    }


def client(*chunks: bytes, disconnect: bool = False) -> Receive:
    messages: list[Message] = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]
    if disconnect:
        messages[-1]["more_body"] = True
        messages.append({"type": "http.disconnect"})

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    return receive


async def call(app: SubmissionFastPath, s: Scope, receive: Receive) -> tuple[int, bytes, dict[bytes, bytes]]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await app(s, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:]), dict(sent[0]["headers"])


def app_with(inner: Inner, seen: list[Any], *, refuse: ApiError | None = None) -> SubmissionFastPath:
    async def accept(
        body: PetitionIn, key: str | None, actor: str | None, corr: str | None
    ) -> PetitionAccepted:
        seen.append((body, key, actor, corr))
        if refuse is not None:
            raise refuse
        return PetitionAccepted(
            petition_id="p1",
            code="KN-15-26-X",
            stream_seq=7,
            replayed=False,
            status_url="/v1/petitions/p1",
            idempotency_key=key or "",
        )

    return SubmissionFastPath(inner, accept, max_body=64)


async def test_a_valid_json_submission_is_answered_without_fastapi() -> None:
    inner, seen = Inner(), []
    status, body, headers = await call(
        app_with(inner, seen),
        scope(content_type="application/json; charset=utf-8", idempotency_key="k1", x_actor_ref="clerk-7"),
        client(VALID[:10], VALID[10:]),  # in two chunks
    )
    assert (status, inner.calls) == (202, [])
    assert json.loads(body) == {
        "petition_id": "p1",
        "code": "KN-15-26-X",
        "stream_seq": 7,
        "replayed": False,
        "status_url": "/v1/petitions/p1",
        "idempotency_key": "k1",
    }
    assert headers[b"content-type"] == b"application/json" and int(headers[b"content-length"]) == len(body)
    assert headers[b"idempotency-key"] == b"k1"
    petition, key, actor, corr = seen[0]
    assert (petition.province_code, key, actor, corr) == ("15", "k1", "clerk-7", None)


async def test_a_refusal_is_the_error_body_with_its_status() -> None:
    inner, seen = Inner(), []
    refusal = ApiError(409, "idempotency.key_reused", "Khóa đã được dùng.", "Idempotency-Key")
    status, body, _ = await call(app_with(inner, seen, refuse=refusal), scope(), client(VALID))
    assert status == 409 and inner.calls == []
    assert json.loads(body) == {
        "errors": [
            {"code": "idempotency.key_reused", "field": "Idempotency-Key", "message": "Khóa đã được dùng."}
        ]
    }


async def test_an_unconfirmed_submission_is_503_with_the_key_the_server_made() -> None:
    inner, seen = Inner(), []

    async def accept(
        body: PetitionIn, key: str | None, actor: str | None, corr: str | None
    ) -> PetitionAccepted:
        seen.append(key)
        assert key  # made before the work, so every answer can carry it
        raise PetitionNotConfirmed(key, "p1")

    status, body, headers = await call(SubmissionFastPath(inner, accept), scope(), client(VALID))
    assert status == 503 and inner.calls == []
    answer = json.loads(body)
    assert answer["idempotency_key"] == seen[0] == headers[b"idempotency-key"].decode()
    assert answer["errors"][0]["code"] == "store.unavailable"
    assert "khóa Idempotency-Key" in answer["errors"][0]["message"]


async def test_other_requests_pass_through_untouched() -> None:
    inner, seen = Inner(), []
    app = app_with(inner, seen)
    for s in (scope("/v1/petitions", "GET"), scope("/v1/conferences"), scope("/v1/petitions/p1/withdraw")):
        assert (await call(app, s, client(VALID)))[0] == 299
    assert [c[1] for c in inner.calls] == [VALID] * 3 and seen == []


async def test_what_the_fast_path_does_not_take_reaches_fastapi_whole() -> None:
    cases = [
        (scope(), client(b'{"province_code": "1"}')),  # does not validate
        (scope(content_type="text/plain"), client(VALID)),  # not JSON
        (scope(idempotency_key="k" * 129), client(VALID)),  # header too long
        (scope(), client(b"")),  # no body
        (scope(), client(VALID[:40], VALID[40:80], VALID[80:])),  # over max_body (64) in chunks
    ]
    for s, receive in cases:
        inner, seen = Inner(), []
        status, body, _ = await call(app_with(inner, seen), s, receive)
        assert (status, body, seen) == (299, b"inner", [])
        ((got_scope, got_body, kinds),) = inner.calls
        assert got_scope is s
        assert got_body in (VALID, b'{"province_code": "1"}', b"")
        assert kinds[-1] == "http.request"


async def test_a_client_that_leaves_mid_body_is_left_to_fastapi() -> None:
    inner, seen = Inner(), []
    status, _, _ = await call(app_with(inner, seen), scope(), client(VALID[:20], disconnect=True))
    assert status == 299 and seen == []
    ((_, body, kinds),) = inner.calls
    assert body == VALID[:20] and kinds == ["http.request", "http.disconnect"]
