"""The petition read model for oversight: one row per petition, counts by status, counts of
events applied. Tables are per generation (`_g<N>`) so the projection can be rebuilt into
fresh tables while the current ones keep serving (see langnghe.runtime.rebuild).

Each batch is folded in memory and written with executemany: one SELECT of the rows it
touches, one INSERT, one UPDATE, counter upserts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from langnghe.contracts.codec import UnknownEvent
from langnghe.contracts.events.petition import PetitionAnswered, PetitionAssigned, PetitionReceived
from langnghe.runtime.eventstore import RecordedEvent
from langnghe.runtime.tables import projection_generations

PROJECTION = "reporting-petitions"


@dataclass(frozen=True)
class Generation:
    number: int
    metadata: MetaData
    petitions: Table
    status_counts: Table
    event_counts: Table


@lru_cache(maxsize=8)
def generation_tables(number: int) -> Generation:
    md = MetaData()
    petitions = Table(
        f"petitions_g{number}",
        md,
        Column("petition_id", String(64), primary_key=True),
        Column("code", String(32), nullable=False, unique=True),
        Column("province_code", String(16), nullable=False, index=True),
        Column("commune_code", String(16), nullable=True),
        Column("channel", String(32), nullable=False),
        Column("legal_type", String(32), nullable=False),
        Column("field_code", String(64), nullable=True),
        Column("content", Text, nullable=False),
        Column("status", String(32), nullable=False, index=True),
        Column("agency_code", String(64), nullable=True),
        Column("promised_date", Date, nullable=True),
        Column("answer_text", Text, nullable=True),
        Column("answering_agency_code", String(64), nullable=True),
        Column("document_number", String(64), nullable=True),
        Column("received_at", DateTime(timezone=True), nullable=False),
        Column("assigned_at", DateTime(timezone=True), nullable=True),
        Column("answered_at", DateTime(timezone=True), nullable=True),
        Column("last_seq", BigInteger, nullable=False),
    )
    status_counts = Table(
        f"petition_counts_by_status_g{number}",
        md,
        Column("status", String(32), primary_key=True),
        Column("count", Integer, nullable=False),
    )
    event_counts = Table(
        f"events_applied_by_type_g{number}",
        md,
        Column("event_type", String(64), primary_key=True),
        Column("count", Integer, nullable=False),
    )
    return Generation(number, md, petitions, status_counts, event_counts)


_UPDATABLE = (
    "status", "agency_code", "promised_date", "answer_text", "answering_agency_code", "document_number",
    "assigned_at", "answered_at", "last_seq",
)  # fmt: skip


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class PetitionView:
    name = PROJECTION

    # -- generations -----------------------------------------------------------------------

    async def active_generation(self, session: AsyncSession) -> int:
        value = (
            await session.execute(
                select(projection_generations.c.active).where(
                    projection_generations.c.projection == self.name
                )
            )
        ).scalar_one_or_none()
        return int(value or 1)

    async def set_active_generation(self, session: AsyncSession, generation: int) -> None:
        now = datetime.now(UTC)
        result = await session.execute(
            update(projection_generations)
            .where(projection_generations.c.projection == self.name)
            .values(active=generation, updated_at=now)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            await session.execute(
                insert(projection_generations).values(projection=self.name, active=generation, updated_at=now)
            )

    async def create_generation(self, engine: AsyncEngine, generation: int) -> None:
        async with engine.begin() as conn:
            await conn.run_sync(generation_tables(generation).metadata.create_all)

    async def drop_generation(self, engine: AsyncEngine, generation: int) -> None:
        async with engine.begin() as conn:
            await conn.run_sync(generation_tables(generation).metadata.drop_all)

    # -- applying --------------------------------------------------------------------------

    async def apply(self, session: AsyncSession, events: Sequence[RecordedEvent]) -> None:
        await self.apply_to(session, events, await self.active_generation(session))

    async def apply_to(self, session: AsyncSession, events: Sequence[RecordedEvent], generation: int) -> None:
        g = generation_tables(generation)
        ids = {r.envelope.meta.aggregate_id for r in events}
        known = {
            row.petition_id: dict(row._mapping)
            for row in await session.execute(select(g.petitions).where(g.petitions.c.petition_id.in_(ids)))
        }
        new: dict[str, dict[str, Any]] = {}
        changed: dict[str, dict[str, Any]] = {}
        statuses: Counter[str] = Counter()
        applied: Counter[str] = Counter()
        for recorded in events:
            env = recorded.envelope
            if isinstance(env, UnknownEvent):
                continue
            pid = env.meta.aggregate_id
            row = new.get(pid) or changed.get(pid) or known.get(pid)
            if row is not None and recorded.stream_seq <= row["last_seq"]:
                continue  # per-aggregate guard: this event is already in the row
            event, at = env.event, env.meta.occurred_at
            if isinstance(event, PetitionReceived):
                if row is not None:
                    continue
                new[pid] = {
                    "petition_id": pid,
                    "code": event.code,
                    "province_code": event.province_code,
                    "commune_code": event.commune_code,
                    "channel": event.channel.value,
                    "legal_type": event.legal_type.value,
                    "field_code": event.field_code,
                    "content": event.content,
                    "status": "received",
                    "agency_code": None,
                    "promised_date": None,
                    "answer_text": None,
                    "answering_agency_code": None,
                    "document_number": None,
                    "received_at": at,
                    "assigned_at": None,
                    "answered_at": None,
                    "last_seq": recorded.stream_seq,
                }
                statuses["received"] += 1
                applied[event.type] += 1
                continue
            if row is None:
                continue
            row = dict(row, last_seq=recorded.stream_seq)
            before = row["status"]
            if isinstance(event, PetitionAssigned):
                row.update(
                    status="assigned",
                    agency_code=event.agency_code,
                    promised_date=event.promised_date,
                    assigned_at=at,
                )
            elif isinstance(event, PetitionAnswered):
                row.update(
                    status="answered",
                    answer_text=event.answer_text,
                    answering_agency_code=event.answering_agency_code,
                    document_number=event.document_number,
                    answered_at=at,
                )
            if row["status"] != before:
                statuses[before] -= 1
                statuses[row["status"]] += 1
            applied[event.type] += 1
            (new if pid in new else changed)[pid] = row
        if new:
            await session.execute(insert(g.petitions), list(new.values()))
        if changed:
            await session.execute(
                update(g.petitions)
                .where(g.petitions.c.petition_id == bindparam("b_petition_id"))
                .values({c: bindparam(f"b_{c}") for c in _UPDATABLE}),
                [
                    {f"b_{k}": v for k, v in r.items() if k in (*_UPDATABLE, "petition_id")}
                    for r in changed.values()
                ],
            )
        await self._bump(session, g.status_counts, "status", statuses)
        await self._bump(session, g.event_counts, "event_type", applied)

    @staticmethod
    async def _bump(session: AsyncSession, table: Table, key: str, deltas: Counter[str]) -> None:
        """Add to the counters in one statement (INSERT ... ON CONFLICT DO UPDATE, which both
        SQLite and PostgreSQL have): a round trip less per batch than read-then-write."""
        rows = [{key: k, "count": v} for k, v in deltas.items() if v]
        if not rows:
            return
        dialect = session.get_bind().dialect.name
        upsert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
        await session.execute(
            upsert.on_conflict_do_update(
                index_elements=[table.c[key]], set_={"count": table.c["count"] + upsert.excluded["count"]}
            ),
            rows,
        )

    # -- queries ---------------------------------------------------------------------------

    async def petition(self, session: AsyncSession, petition_id: str) -> dict[str, Any] | None:
        g = generation_tables(await self.active_generation(session))
        row = (
            await session.execute(select(g.petitions).where(g.petitions.c.petition_id == petition_id))
        ).first()
        if row is None:
            return None
        out = dict(row._mapping)
        for key in ("received_at", "assigned_at", "answered_at"):
            out[key] = _aware(out[key])
        return out

    async def stats(self, session: AsyncSession) -> dict[str, Any]:
        g = generation_tables(await self.active_generation(session))
        by_status = {r[0]: r[1] for r in await session.execute(select(g.status_counts)) if r[1]}
        by_event = {r[0]: r[1] for r in await session.execute(select(g.event_counts))}
        return {
            "generation": g.number,
            "total": sum(by_status.values()),
            "by_status": by_status,
            "events_applied": by_event,
        }
