"""The rebuild route as an operator meets it: one rebuild at a time, and a rebuild that could
not read the whole stream answered with a stable code and a Vietnamese message (the tables in
use stay as they were)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from langnghe.reporting.entrypoints import projection_rebuild
from langnghe.runtime.http import install_error_handlers
from langnghe.runtime.rebuild import RebuildReport
from langnghe.runtime.replay_end import ReplayStalled
from langnghe.runtime.speedups.replay_process import ReplayFailed

PATH = "/ops/projections/reporting-petitions/rebuild"


def client(rebuild: Any) -> httpx.AsyncClient:
    app = FastAPI()
    install_error_handlers(app)
    app.state.rebuild = projection_rebuild.ProjectionRebuild(rebuild)
    app.include_router(projection_rebuild.router)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_a_second_rebuild_while_one_runs_is_refused() -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow() -> RebuildReport:
        started.set()
        await release.wait()
        return RebuildReport("reporting-petitions", 2, 10, 0.5, 10)

    async with client(slow) as c:
        first = asyncio.create_task(c.post(PATH))
        await started.wait()
        second = await c.post(PATH)
        release.set()
        done = await first
        third = await c.post(PATH)  # once the first has finished, a new one may run
    assert second.status_code == 409
    assert second.json()["errors"][0]["code"] == "rebuild.already_running"
    assert "dựng lại" in second.json()["errors"][0]["message"]
    assert done.status_code == third.status_code == 200
    assert done.json()["generation"] == 2 and done.json()["events_per_second"] == 20.0


@pytest.mark.parametrize(
    "failure",
    [
        ReplayFailed("replay failed: ConnectionRefusedError"),
        ReplayStalled("nothing received for 30 s while the server has 12 message(s) to deliver"),
        TimeoutError(),
    ],
)
async def test_a_rebuild_that_cannot_read_the_stream_says_so(failure: Exception) -> None:
    async def failing() -> RebuildReport:
        raise failure

    async with client(failing) as c:
        r = await c.post(PATH)
        again = await c.post(PATH)  # the failure released the guard
    assert r.status_code == again.status_code == 503
    error = r.json()["errors"][0]
    assert error["code"] == "rebuild.replay_failed"
    assert "không thay đổi" in error["message"] and type(failure).__name__ in error["message"]
