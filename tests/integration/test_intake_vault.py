"""Intake's vault writes submissions with group commit: concurrent requests share one
transaction, a repeated Idempotency-Key gets the stored submission back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

import langnghe.intake
from langnghe.intake.adapters.tables import citizen_contacts, submissions
from langnghe.intake.adapters.vault import CitizenContact, SqlVault, Submission
from langnghe.runtime.database import create_engine, session_factory
from langnghe.runtime.migrations import upgrade

MIGRATIONS = Path(langnghe.intake.__file__).parent / "migrations"


@pytest.fixture
async def vault(db_url: str) -> AsyncIterator[SqlVault]:
    engine = create_engine(db_url)
    await upgrade(engine, MIGRATIONS)
    yield SqlVault(session_factory(engine))
    await engine.dispose()


def submission(key: str, petition: str, citizen: str | None = "c") -> Submission:
    return Submission(
        idempotency_key=key,
        fingerprint=f"fp-{key}",
        petition_id=petition,
        province_code="10",
        citizen_ref=f"{citizen}-{petition}" if citizen else None,
        received_at=datetime(2026, 11, 22, 3, 0, tzinfo=UTC),
    )


async def count(vault: SqlVault, table) -> int:  # type: ignore[no-untyped-def]
    async with vault._sessions() as s:
        return int((await s.execute(select(func.count()).select_from(table))).scalar_one())


async def test_concurrent_submissions_are_all_stored(vault: SqlVault) -> None:
    contact = CitizenContact("Nguyễn Văn A", "0912345678", None, "Thôn 3")
    results = await asyncio.gather(
        *[
            vault.record_submission(submission(f"k{i}", f"p{i}", None if i % 2 else "c"), contact)
            for i in range(60)
        ]
    )
    assert [r.petition_id for r in results] == [f"p{i}" for i in range(60)]
    assert await count(vault, submissions) == 60
    assert await count(vault, citizen_contacts) == 30


async def test_a_repeated_key_returns_the_stored_submission(vault: SqlVault) -> None:
    first = await vault.record_submission(submission("same", "p-first"), None)
    again, other = await asyncio.gather(
        vault.record_submission(submission("same", "p-second"), None),
        vault.record_submission(submission("other", "p-other"), None),
    )
    assert first.petition_id == "p-first"
    assert again.petition_id == "p-first"  # the retry is recognised, nothing new stored
    assert other.petition_id == "p-other"
    assert await count(vault, submissions) == 2


async def test_the_same_key_twice_in_one_batch_stores_it_once(vault: SqlVault) -> None:
    a, b = await asyncio.gather(
        vault.record_submission(submission("dup", "p-a"), None),
        vault.record_submission(submission("dup", "p-b"), None),
    )
    assert a.petition_id == b.petition_id
    assert await count(vault, submissions) == 1
