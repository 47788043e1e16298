"""Ours next to the raw replay: the reporting projection's rebuild, as an operator starts it.

Reporting runs as its own process on the database measured (SQLite or PostgreSQL). Once its
live consumer has applied the whole corpus (generation 1), `POST
/ops/projections/reporting-petitions/rebuild` replays the stream into generation 2 and
switches; the figure is the report reporting answers with (events, and the seconds its
rebuild took by its own clock), and `GET /v1/stats` must then count every petition in
generation 2.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from langnghe.tools.issuer import TokenSource, service_auth_env
from langnghe.tools.launcher import STOP_TIMEOUT_S, ServiceProcess, log_tail
from langnghe.tools.nats_server import free_port

REBUILD_PATH = "/ops/projections/reporting-petitions/rebuild"
READY_TIMEOUT_S = 60.0
#: The live consumer applies the corpus before the rebuild; on a slow disk that takes a while.
CATCH_UP_TIMEOUT_S = 600.0
REBUILD_TIMEOUT_S = 600.0


class ReportingProcess:
    """`python -m langnghe.reporting` on the bench's nats-server and the database measured."""

    def __init__(
        self, nats_url: str, database_url: str, log_path: Path, data_dir: Path | None = None
    ) -> None:
        """`data_dir`: whose embedded issuer the process verifies tokens of, and signs the
        bench's ops calls (none: no issuer, no token)."""
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        env = {
            **os.environ,
            "LN_REPORTING_NATS_URL": nats_url,
            "LN_REPORTING_DATABASE_URL": database_url,
            "LN_REPORTING_HTTP_HOST": "127.0.0.1",
            "LN_REPORTING_HTTP_PORT": str(port),
            **(service_auth_env("reporting", data_dir) if data_dir is not None else {}),
            "PYTHONUNBUFFERED": "1",
        }
        #: Rebuild and stats are operators' calls.
        self.auth_headers = TokenSource(data_dir).for_call("ops")
        self.service = ServiceProcess(
            name="reporting", argv=[sys.executable, "-m", "langnghe.reporting"], env=env, log_path=log_path
        )

    @property
    def pid(self) -> int | None:
        return self.service.process.pid if self.service.process is not None else None

    def start(self) -> None:
        self.service.start("bench rebuild:")

    def stop(self) -> None:
        process = self.service.process
        if process is None:
            return
        self.service.send(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.service.send(signal.SIGKILL)
            process.wait()

    def failure(self, what: str) -> RuntimeError:
        return RuntimeError(f"{what}; last lines of {self.log_path}:\n{log_tail(self.log_path, 15)}")

    async def wait_caught_up(self, expected_events: int) -> float:
        """Until /readyz answers 200 and /v1/stats counts `expected_events` applied; seconds."""
        started = time.perf_counter()
        async with httpx.AsyncClient(
            base_url=self.base_url, timeout=5.0, trust_env=False, headers=self.auth_headers
        ) as client:
            while not await self._answers(client, "/readyz"):
                if not self.service.running:
                    raise self.failure("reporting stopped before it was ready")
                if time.perf_counter() - started > READY_TIMEOUT_S:
                    raise self.failure(f"reporting was not ready within {READY_TIMEOUT_S:.0f} s")
                await asyncio.sleep(0.2)
            applied = 0
            while applied < expected_events:
                if not self.service.running:
                    raise self.failure("reporting stopped while applying the corpus")
                if time.perf_counter() - started > CATCH_UP_TIMEOUT_S:
                    raise self.failure(
                        f"reporting applied {applied} of {expected_events} events "
                        f"in {CATCH_UP_TIMEOUT_S:.0f} s"
                    )
                await asyncio.sleep(0.2)
                applied = sum((await reporting_stats(client))["events_applied"].values())
        return time.perf_counter() - started

    @staticmethod
    async def _answers(client: httpx.AsyncClient, path: str) -> bool:
        try:
            return (await client.get(path)).status_code == 200
        except httpx.HTTPError:
            return False


async def reporting_stats(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/v1/stats")
    response.raise_for_status()
    stats: dict[str, Any] = response.json()
    return stats


async def measure_rebuild(
    reporting: ReportingProcess,
    expected_events: int,
    expected_petitions: int,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """One rebuild through reporting's HTTP API, checked against the corpus (`transport`: to
    answer for reporting in a test)."""
    async with httpx.AsyncClient(
        base_url=reporting.base_url,
        timeout=REBUILD_TIMEOUT_S,
        trust_env=False,
        transport=transport,
        headers=reporting.auth_headers,
    ) as client:
        started = time.perf_counter()
        response = await client.post(REBUILD_PATH)
        request_seconds = time.perf_counter() - started
        if response.status_code != 200:
            raise reporting.failure(f"POST {REBUILD_PATH} answered {response.status_code}: {response.text}")
        report = response.json()
        stats = await reporting_stats(client)
    if (
        report["events"] != expected_events
        or stats["total"] != expected_petitions
        or stats["generation"] != 2
    ):
        raise RuntimeError(
            f"rebuild applied {report['events']} events / {stats['total']} petitions "
            f"(generation {stats['generation']}), expected {expected_events} / {expected_petitions} "
            "(generation 2)"
        )
    return {
        "events": report["events"],
        "generation": report["generation"],
        "seconds": round(report["seconds"], 3),
        "events_per_s": report["events_per_second"],
        "request_seconds": round(request_seconds, 3),
        "by_status": stats["by_status"],
        "note": f"POST {REBUILD_PATH}; seconds as reporting's rebuild timed itself",
    }
