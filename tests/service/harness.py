"""Run one service in process, over HTTP (httpx on ASGI), on a real nats-server or on
adapters given to its `create_app` (the in-memory event store).

Each test module that needs JetStream gets its own nats-server (so the durable consumers a
service binds see only that module's events), provisioned like production; each app gets a
fresh SQLite file.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from langnghe.runtime.settings import ServiceSettings

#: Given to a service that must not use NATS (its store is given and it runs no consumer):
#: nothing listens there, so any attempt to connect fails loudly instead of finding a server.
NO_NATS = "nats://127.0.0.1:9"


@contextlib.asynccontextmanager
async def running(
    create_app: Callable[..., FastAPI],
    settings_cls: type[ServiceSettings],
    nats_url: str | None,
    db: Path,
    **adapters: Any,
) -> AsyncIterator[httpx.AsyncClient]:
    """The app on `nats_url`, or on no NATS at all (None), with `adapters` (e.g. `store=`)
    passed to its `create_app`."""
    settings = settings_cls(
        nats_url=nats_url or NO_NATS,
        database_url=f"sqlite+aiosqlite:///{db}",
        http_port=8000,
        log_format="console",
    )
    app = create_app(settings, **adapters)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def eventually(
    probe: Callable[[], Awaitable[Any]], timeout: float = 10.0, interval: float = 0.05
) -> Any:
    """Poll until `probe` returns something truthy (projections are eventually consistent)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")
