"""A scratch PostgreSQL database for the replays and the rebuild, created and dropped through
the server's admin URL."""

from __future__ import annotations

import asyncio

DEFAULT_PG_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def pg_admin(admin_url: str, statement: str) -> str | None:
    import asyncpg

    conn = await asyncio.wait_for(asyncpg.connect(_asyncpg_dsn(admin_url)), timeout=5)
    try:
        if statement == "version":
            return str(await conn.fetchval("SHOW server_version"))
        await conn.execute(statement)
        return None
    finally:
        await conn.close()


def database_url(admin_url: str, name: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"
