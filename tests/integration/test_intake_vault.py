"""Intake's vault writes submissions with group commit: concurrent requests share one
transaction, a repeated Idempotency-Key gets the stored submission back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

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


# -- the petition code is unique at the source ---------------------------------------------


async def test_a_code_already_given_is_refused_and_the_batch_still_stores_the_others(vault: SqlVault) -> None:
    from langnghe.intake.adapters.vault import CodeTaken

    await vault.record_submission(replace(submission("a", "p-a"), code="KN-10-26-AAAAAAAA"), None)
    taken, other = await asyncio.gather(
        vault.record_submission(replace(submission("b", "p-b"), code="KN-10-26-AAAAAAAA"), None),
        vault.record_submission(replace(submission("c", "p-c"), code="KN-10-26-CCCCCCCC"), None),
        return_exceptions=True,
    )
    assert isinstance(taken, CodeTaken)
    assert isinstance(other, Submission) and other.petition_id == "p-c"
    assert await count(vault, submissions) == 2


async def test_a_colliding_code_draws_another_petition_id(
    vault: SqlVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two ids sharing their last 40 bits share a code in one province and year: the second
    submission gets another id and another code, never the first one's."""
    from langnghe.contracts.envelope import Actor
    from langnghe.contracts.events.petition import Channel, LegalType
    from langnghe.intake.domain.submission import SubmitPetition
    from langnghe.intake.handlers import petitions
    from langnghe.runtime.eventstore import InMemoryEventStore

    store = InMemoryEventStore()
    cmd = SubmitPetition(
        "15", "03006", Channel.ONLINE, LegalType.RECOMMENDATION, None, "Đường vào bản bị sạt lở nặng.", False
    )
    first_id = petitions.new_petition_id()
    twin = uuid.UUID(int=first_id.int ^ (1 << 50))  # another id, the same low 40 bits
    fresh = petitions.new_petition_id()
    ids = iter([first_id, twin, fresh])
    monkeypatch.setattr(petitions, "new_petition_id", lambda: next(ids))

    def submit(key: str) -> Any:
        return petitions.submit_petition(
            cmd,
            contact=None,
            idempotency_key=key,
            request_fingerprint=key,
            actor=Actor(kind="citizen", ref="test"),
            correlation_id="test",
            vault=vault,
            store=store,
        )

    first = await submit("k1")
    second = await submit("k2")
    assert first.petition_id == first_id.hex and second.petition_id == fresh.hex
    assert first.code != second.code
    async with vault._sessions() as s:
        codes = sorted(r[0] for r in await s.execute(select(submissions.c.code)))
    assert codes == sorted([first.code, second.code])


async def test_the_upgrade_fills_in_the_codes_of_stored_submissions(db_url: str) -> None:
    from langnghe.domain.codes import petition_code

    engine = create_engine(db_url)
    await upgrade(engine, MIGRATIONS, "0001")
    pid = uuid.uuid4()
    at = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    async with engine.begin() as conn:
        for key, petition in (("k1", pid), ("k2", uuid.UUID(int=pid.int ^ (1 << 50)))):
            await conn.execute(
                text(
                    "INSERT INTO submissions (idempotency_key, fingerprint, petition_id, province_code,"
                    " citizen_ref, received_at) VALUES (:k, 'f', :p, '15', NULL, :at)"
                ),
                {"k": key, "p": petition.hex, "at": at},
            )
    await upgrade(engine, MIGRATIONS)
    async with engine.connect() as conn:
        codes = [
            r[0] for r in await conn.execute(select(submissions.c.code).order_by(submissions.c.petition_id))
        ]
    await engine.dispose()
    # Two stored twins: the earlier keeps the code, the later is left without one.
    assert sorted(codes, key=str) == sorted([petition_code("15", pid, at), None], key=str)
