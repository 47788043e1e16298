"""Run one service in process, over HTTP (httpx on ASGI) against a real nats-server.

Each test module gets its own nats-server (so the durable consumers a service binds see only
that module's events), provisioned like production; each app gets a fresh SQLite file.
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


@contextlib.asynccontextmanager
async def running(
    create_app: Callable[[Any], FastAPI], settings_cls: type[ServiceSettings], nats_url: str, db: Path
) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_cls(
        nats_url=nats_url, database_url=f"sqlite+aiosqlite:///{db}", http_port=8000, log_format="console"
    )
    app = create_app(settings)
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
