"""`langnghe.runtime.speedups.bulk` stores exactly what SQLAlchemy's own executemany stores, on SQLite
and PostgreSQL: times (aware, UTC), dates, booleans, NULLs, and updates by key; `copy_many`
(COPY on PostgreSQL) too, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from langnghe.domain.vietnam_time import VIETNAM_TIME
from langnghe.runtime.database import create_engine, session_factory
from langnghe.runtime.speedups.bulk import copy_many, insert_many, update_many

md = MetaData()


def _table(name: str) -> Table:
    return Table(
        name,
        md,
        Column("id", String(32), primary_key=True),
        Column("text", Text, nullable=True),
        Column("on_day", Date, nullable=True),
        Column("at", DateTime(timezone=True), nullable=True),
        Column("flag", Boolean, nullable=True),
        Column("n", BigInteger, nullable=False),
    )


OURS = _table("bulk_ours")
THEIRS = _table("bulk_theirs")

ROWS = [
    {"id": "a", "text": "Đề nghị sửa đường", "on_day": date(2026, 1, 5),
     "at": datetime(2026, 1, 5, 8, 30, 1, 250, tzinfo=UTC), "flag": True, "n": 1},
    {"id": "b", "text": None, "on_day": None, "at": None, "flag": None, "n": 2},
    {"id": "c", "text": "", "on_day": date(2025, 12, 31),
     "at": datetime(2026, 1, 1, 6, 59, 59, tzinfo=UTC), "flag": False, "n": 2**40},
]  # fmt: skip
CHANGES = [
    {"b_id": "a", "flag": False, "at": datetime(2026, 2, 1, 0, 0, tzinfo=UTC), "n": 10},
    {"b_id": "c", "flag": None, "at": None, "n": 30},
]


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(db_url)
    async with eng.begin() as conn:
        await conn.run_sync(md.create_all)
    yield eng
    await eng.dispose()


async def _read(engine: AsyncEngine, table: Table) -> list[dict[str, object]]:
    async with session_factory(engine)() as s:
        rows = (await s.execute(select(table).order_by(table.c.id))).mappings().all()
    out = []
    for row in rows:
        item = dict(row)
        at = item["at"]
        if isinstance(at, datetime) and at.tzinfo is None:  # SQLite keeps no offset
            item["at"] = at.replace(tzinfo=UTC)
        out.append(item)
    return out


async def test_insert_and_update_many_store_what_sqlalchemy_stores(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions.begin() as s:
        await insert_many(s, OURS, ROWS)
        await s.execute(insert(THEIRS), ROWS)
    assert await _read(engine, OURS) == await _read(engine, THEIRS) == ROWS

    async with sessions.begin() as s:
        for shape in ([CHANGES[0]], [CHANGES[1]]):
            await update_many(s, OURS, "id", shape)
            await s.execute(update(THEIRS).where(THEIRS.c.id == bindparam("b_id")), shape)
    ours, theirs = await _read(engine, OURS), await _read(engine, THEIRS)
    assert ours == theirs
    assert [r["n"] for r in ours] == [10, 2, 30]
    assert ours[0]["flag"] is False and ours[2]["flag"] is None and ours[2]["at"] is None


async def test_times_in_another_zone_and_repeated_store_what_sqlalchemy_stores(engine: AsyncEngine) -> None:
    """A moment with another offset is stored as SQLAlchemy stores it (SQLite keeps its wall
    clock, PostgreSQL the instant), and one moment written in several rows (the formatting
    remembers the last one) is written alike in each, next to a different moment."""
    evening = datetime(2026, 1, 5, 23, 0, 0, tzinfo=VIETNAM_TIME)
    rows = [
        {"id": "d", "text": None, "on_day": None, "at": evening, "flag": True, "n": 4},
        {"id": "e", "text": None, "on_day": None, "at": evening, "flag": False, "n": 5},
        {
            "id": "f",
            "text": None,
            "on_day": None,
            "at": datetime(2026, 1, 5, 16, 0, tzinfo=UTC),
            "flag": None,
            "n": 6,
        },
        {"id": "g", "text": None, "on_day": None, "at": evening, "flag": True, "n": 7},
    ]
    async with session_factory(engine).begin() as s:
        await insert_many(s, OURS, rows)
        await s.execute(insert(THEIRS), rows)
    ours = await _read(engine, OURS)
    assert ours == await _read(engine, THEIRS)
    assert [r["flag"] for r in ours] == [True, False, None, True]


async def test_nothing_to_write_is_no_statement(engine: AsyncEngine) -> None:
    async with session_factory(engine).begin() as s:
        await insert_many(s, OURS, [])
        await update_many(s, OURS, "id", [])
    assert await _read(engine, OURS) == []


async def test_copy_many_stores_what_an_insert_stores(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions.begin() as s:
        await copy_many(s, OURS, ROWS)  # the first statement of its transaction
        await s.execute(insert(THEIRS), ROWS)
    assert await _read(engine, OURS) == await _read(engine, THEIRS) == ROWS


async def test_copy_many_is_part_of_the_transaction(engine: AsyncEngine) -> None:
    """COPY goes to the driver directly; a rollback must still take its rows away."""
    sessions = session_factory(engine)
    with pytest.raises(RuntimeError):
        async with sessions.begin() as s:
            await copy_many(s, OURS, ROWS[:1])
            await copy_many(s, OURS, ROWS[1:])
            raise RuntimeError("abandon the batch")
    assert await _read(engine, OURS) == []
    async with sessions.begin() as s:
        await insert_many(s, OURS, ROWS[:1])
        await copy_many(s, OURS, [])
    assert [r["id"] for r in await _read(engine, OURS)] == ["a"]
