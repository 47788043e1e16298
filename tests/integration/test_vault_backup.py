"""Intake's vault backed up and restored as `langnghe backup` / `restore` do it: SQLite
through its online backup API, PostgreSQL through pg_dump and pg_restore."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import langnghe.intake
from langnghe.intake.adapters.tables import citizen_contacts, submissions
from langnghe.intake.adapters.vault import CitizenContact, SqlVault, Submission
from langnghe.runtime.database import create_engine, session_factory
from langnghe.runtime.migrations import upgrade
from langnghe.tools import backup as bk

MIGRATIONS = Path(langnghe.intake.__file__).parent / "migrations"


async def _rows(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return {
                table.name: [
                    dict(r._mapping) for r in await conn.execute(select(table).order_by(*table.primary_key))
                ]
                for table in (submissions, citizen_contacts)
            }
    finally:
        await engine.dispose()


async def _admin(server_url: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(server_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def test_the_vault_comes_back_whole(db_url: str, tmp_path: Path) -> None:
    if db_url.startswith("postgresql") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    engine = create_engine(db_url)
    await upgrade(engine, MIGRATIONS)
    vault = SqlVault(session_factory(engine))
    for i in range(20):
        await vault.record_submission(
            Submission(
                idempotency_key=f"k{i}",
                fingerprint=f"fp{i}",
                petition_id=f"p{i}",
                province_code="10",
                citizen_ref=f"c{i}" if i % 2 else None,
                received_at=datetime(2026, 11, 22, 3, i, tzinfo=UTC),
            ),
            CitizenContact("Nguyễn Thị Bích", "0912345678", None, "Thôn 3") if i % 2 else None,
        )
    await engine.dispose()
    original = await _rows(db_url)
    assert len(original["submissions"]) == 20 and len(original["citizen_contacts"]) == 10

    target = tmp_path / "backup"
    target.mkdir()
    entry = bk.backup_vault(db_url, target)
    assert (target / entry["file"]).stat().st_size == entry["bytes"]

    if db_url.startswith("postgresql"):
        assert entry["kind"] == "postgresql"
        base, _, _ = db_url.rpartition("/")
        name = "ln_restore_" + uuid.uuid4().hex[:10]
        await _admin(db_url, f'CREATE DATABASE "{name}"')
        restored_url = f"{base}/{name}"
        try:
            bk.restore_vault(entry, target, restored_url)
            assert await _rows(restored_url) == original
        finally:
            await _admin(db_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        assert entry["kind"] == "sqlite"
        restored_url = f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'intake.db'}"
        bk.restore_vault(entry, target, restored_url)
        assert await _rows(restored_url) == original
        with pytest.raises(bk.BackupError, match="exists"):
            bk.restore_vault(entry, target, restored_url)
