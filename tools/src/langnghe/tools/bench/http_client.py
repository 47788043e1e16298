"""The load generator's HTTP clients: a minimal keep-alive HTTP/1.1 client that costs little
CPU (the default), and the same interface on httpx."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any


class HttpError(Exception):
    """The request got no HTTP answer (connection refused or reset, timeout, bad response)."""


def parse_response_head(head: bytes) -> tuple[int, int | None, bool, bool]:
    """(status, content length, chunked, keep-alive) of an HTTP/1.1 response head."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise HttpError(f"not an HTTP/1.x response: {lines[0][:60]!r}")
    status = int(parts[1])
    length: int | None = None
    chunked = False
    keep_alive = parts[0] == b"HTTP/1.1"
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        value = value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value
        elif name == b"connection":
            keep_alive = value != b"close"
    return status, length, chunked, keep_alive


class LiteHttp:
    """A minimal HTTP/1.1 keep-alive client (asyncio streams, a pool of connections).

    The load generator shares the machine with the system it measures; on this project's
    reference machine (2 cores) httpx spends about 1.3 ms of CPU per request and this client
    under 0.1 ms, so the measuring process takes far less of the CPU the services need.
    `--client httpx` measures with httpx instead."""

    name = "lite"
    IDLE_S = 3.0  # uvicorn closes keep-alive connections idle for 5 s

    def __init__(self, base_url: str, *, max_connections: int, timeout: float = 10.0) -> None:
        hostport = base_url.split("://", 1)[-1].rstrip("/")
        host, _, port = hostport.rpartition(":")
        self._host, self._port, self._hostport = host, int(port), hostport
        self._timeout = timeout
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self._slots = asyncio.Semaphore(max_connections)
        self._open: set[asyncio.StreamWriter] = set()

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: {self._hostport}\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        for name, value in (headers or {}).items():
            head += f"{name}: {value}\r\n"
        payload = head.encode("latin-1") + b"\r\n" + body
        async with self._slots:
            try:
                async with asyncio.timeout(self._timeout):
                    reused = self._take_idle()
                    if reused is not None:
                        try:
                            return await self._exchange(*reused, payload)
                        except (OSError, asyncio.IncompleteReadError):
                            pass  # the server closed an idle connection: once more on a fresh one
                    reader, writer = await asyncio.open_connection(self._host, self._port)
                    self._open.add(writer)
                    return await self._exchange(reader, writer, payload)
            except (
                OSError,
                TimeoutError,
                ValueError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
            ) as exc:
                raise HttpError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc

    def _take_idle(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        now = time.monotonic()
        while self._idle:
            reader, writer, since = self._idle.pop()
            if now - since < self.IDLE_S and not reader.at_eof():
                return reader, writer
            self._close(writer)
        return None

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, payload: bytes
    ) -> tuple[int, bytes]:
        try:
            writer.write(payload)
            status, length, chunked, keep_alive = parse_response_head(await reader.readuntil(b"\r\n\r\n"))
            if chunked:
                data = b""
                while size := int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16):
                    data += (await reader.readexactly(size + 2))[:-2]
                await reader.readuntil(b"\r\n")
            else:
                data = await reader.readexactly(length or 0)
        except BaseException:
            self._close(writer)
            raise
        if keep_alive:
            self._idle.append((reader, writer, time.monotonic()))
        else:
            self._close(writer)
        return status, data

    async def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        return await self.request("GET", path, b"", headers)

    async def post_json(
        self, path: str, payload: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return await self.request("POST", path, body, headers)

    def _close(self, writer: asyncio.StreamWriter) -> None:
        self._open.discard(writer)
        writer.close()

    async def aclose(self) -> None:
        for writer in list(self._open):
            self._close(writer)
        self._idle.clear()


class HttpxHttp:
    """The same interface on one httpx.AsyncClient with keep-alive."""

    name = "httpx"

    def __init__(self, base_url: str, *, max_connections: int, timeout: float = 10.0) -> None:
        import httpx

        self._httpx = httpx
        self._base = base_url.rstrip("/")
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._client = httpx.AsyncClient(limits=limits, timeout=timeout, trust_env=False)

    async def _call(self, method: str, path: str, **kwargs: Any) -> tuple[int, bytes]:
        try:
            response = await self._client.request(method, self._base + path, **kwargs)
        except self._httpx.HTTPError as exc:
            raise HttpError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        return response.status_code, response.content

    async def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        return await self._call("GET", path, headers=headers)

    async def post_json(
        self, path: str, payload: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        return await self._call("POST", path, json=payload, headers=headers)

    async def aclose(self) -> None:
        await self._client.aclose()


HTTP_CLIENTS: dict[str, type[LiteHttp] | type[HttpxHttp]] = {"lite": LiteHttp, "httpx": HttpxHttp}
