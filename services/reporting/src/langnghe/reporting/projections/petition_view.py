"""The petition read model for oversight: one row per petition (folded by
`langnghe.reporting.domain.petition_row`), the oversight figures summed per province, and the
events applied by type, in the tables of a generation (`adapters.petition_tables`) so the
projection can be rebuilt into fresh tables while the current ones keep serving (see
langnghe.runtime.rebuild).

Each batch is folded in memory and written with executemany: one SELECT of the rows it
touches, INSERTs and UPDATEs grouped by the columns they write (a handful of statements, not
one per event), and one upsert per counter table. The figures are kept per province as sums of
`figures(row after) - figures(row before)` over the rows the batch changed, in the same
transaction as the rows and the checkpoint, so they equal an aggregate over the rows after any
batch, after a redelivery (an event at or below a row's `last_seq` changes nothing) and after a
rebuild (the same fold over the same events). A rebuild, which fills a generation no reader
sees yet, keeps the counters in memory and writes them once, remembers the rows it wrote last
instead of reading them back (`rebuild_tallies.Tallies`), and loads the new rows with COPY on
PostgreSQL.
Per province, not per commune: a batch touches a few provinces but hundreds of communes, and
each kept key is an upserted row; a commune's figures are summed over its rows when asked for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

import structlog
from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.schema import CreateTable

from langnghe.contracts.codec import UnknownEvent
from langnghe.contracts.events.petition import PetitionReceived
from langnghe.reporting.adapters.petition_tables import Generation, generation_tables
from langnghe.reporting.domain.petition_figures import FIGURE_COLUMNS, FigureInputs, figures, summarise
from langnghe.reporting.domain.petition_row import PetitionRow, received_row
from langnghe.reporting.domain.petition_row_fold import apply
from langnghe.reporting.projections.petition_row_storage import from_db, insert_params, update_params
from langnghe.reporting.projections.rebuild_tallies import Tallies
from langnghe.runtime.eventstore import RecordedEvent
from langnghe.runtime.speedups.bulk import copy_many, insert_many, update_many
from langnghe.runtime.tables import projection_generations

log = structlog.get_logger("langnghe.reporting")
PROJECTION = "reporting-petitions"


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

    async def create_generation(self, engine: AsyncEngine, generation: int, *, indexes: bool = True) -> None:
        """The generation's tables (kept if they exist). `indexes=False` leaves the secondary
        indexes for `create_indexes`, for a rebuild that fills the tables first."""
        g = generation_tables(generation)
        async with engine.begin() as conn:
            if indexes:
                await conn.run_sync(g.metadata.create_all)
                return

            def tables_only(sync: Connection) -> None:
                for table in g.tables:
                    if not sync.dialect.has_table(sync, table.name):
                        sync.execute(CreateTable(table))

            await conn.run_sync(tables_only)

    async def create_indexes(self, engine: AsyncEngine, generation: int) -> None:
        """The secondary indexes of a generation filled without them (idempotent)."""
        g = generation_tables(generation)
        async with engine.begin() as conn:

            def build(sync: Connection) -> None:
                for index in g.indexes:
                    index.create(sync, checkfirst=True)

            await conn.run_sync(build)

    async def drop_generation(self, engine: AsyncEngine, generation: int) -> None:
        async with engine.begin() as conn:
            await conn.run_sync(generation_tables(generation).metadata.drop_all)

    # -- applying --------------------------------------------------------------------------

    async def apply(self, session: AsyncSession, events: Sequence[RecordedEvent]) -> None:
        await self.apply_to(session, events, await self.active_generation(session))

    def new_tallies(self) -> Tallies:
        return Tallies()

    async def write_tallies(self, session: AsyncSession, generation: int, tallies: Tallies) -> None:
        """Add what a rebuild kept in memory to the generation's counters."""
        g = generation_tables(generation)
        await self._bump(
            session,
            g.figures,
            [{"province_code": p, "figure": f, "count": n} for (p, f), n in tallies.figures.items() if n],
        )
        await self._bump(
            session, g.event_counts, [{"event_type": k, "count": v} for k, v in tallies.events.items() if v]
        )
        tallies.figures.clear()
        tallies.events.clear()

    async def apply_to(
        self,
        session: AsyncSession,
        events: Sequence[RecordedEvent],
        generation: int,
        tallies: Tallies | None = None,
    ) -> None:
        """Fold the events into the generation's rows. With `tallies` (a rebuild filling a
        generation no reader sees yet) the counters are summed in memory instead of upserted
        per batch; `write_tallies` writes them once before the switch."""
        g = generation_tables(generation)
        # The consumer sees every aggregate of the stream; conferences and supervisions are
        # not petitions.
        ids: set[str] = set()
        opened: set[str] = set()  # rebuild: petitions whose first event here is their receipt
        for r in events:
            env = r.envelope
            if isinstance(env, UnknownEvent) or env.meta.aggregate_type != "petition":
                continue
            pid = env.meta.aggregate_id
            if pid not in ids:
                ids.add(pid)
                if tallies is not None and isinstance(env.event, PetitionReceived):
                    opened.add(pid)
        if not ids:
            return
        # A rebuild applies every event once, in stream order, to tables that started empty,
        # and a receipt is always its petition's first event (the store appends it only to an
        # empty subject): a petition opened in this batch has no stored row to look up.
        lookup = ids - opened
        known: dict[str, PetitionRow] = {}
        if tallies is not None and lookup:
            recent = tallies.recent
            known = {pid: recent[pid] for pid in lookup if pid in recent}
            lookup = lookup.difference(known)
        if lookup:
            known.update((row["petition_id"], from_db(row)) for row in await self._rows(session, g, lookup))
        rows: dict[str, PetitionRow] = {}  # this batch's copies of the rows it changes
        applied: Counter[str] = Counter()
        for recorded in events:
            env = recorded.envelope
            if isinstance(env, UnknownEvent) or env.meta.aggregate_type != "petition":
                continue
            pid, seq = env.meta.aggregate_id, recorded.stream_seq
            row = rows.get(pid) or known.get(pid)
            if row is not None and seq <= row["last_seq"]:
                continue  # per-aggregate guard: this event is already in the row
            event, at = env.event, env.meta.occurred_at
            if isinstance(event, PetitionReceived):
                if row is None:
                    if tallies is not None:
                        if event.code in tallies.codes:
                            # As the live path parks it: no row, and its later events skipped.
                            log.warning("rebuild_skips_repeated_code", petition_id=pid, code=event.code)
                            continue
                        tallies.codes.add(event.code)
                    rows[pid] = received_row(pid, event, at, seq)
                    applied[event.type] += 1
                continue
            if row is None:
                continue  # nothing to apply it to (its petition.received is parked or filtered)
            if pid not in rows:
                row = rows[pid] = row.copy()
            apply(row, event, at)
            row["last_seq"] = seq
            applied[event.type] += 1
        if not rows:
            return
        deltas: Counter[tuple[str, str]] = Counter() if tallies is None else tallies.figures
        count = deltas.get  # a Counter's `+=` on a new key goes through `__missing__`
        for pid, row in rows.items():
            province = row["province_code"]
            for figure, n in figures(row).items():
                key = (province, figure)
                deltas[key] = count(key, 0) + n
            before = known.get(pid)
            if before is not None:
                for figure, n in figures(before).items():
                    key = (province, figure)
                    deltas[key] = count(key, 0) - n
        for new_rows in insert_params(rows, known):
            if tallies is None:
                await insert_many(session, g.petitions, new_rows)
            else:  # no other transaction writes a generation being rebuilt
                await copy_many(session, g.petitions, new_rows)
        for changed in update_params(rows, known):
            await update_many(session, g.petitions, "petition_id", changed)
        if tallies is not None:
            tallies.events.update(applied)
            tallies.remember(rows)
            return
        await self._bump(
            session,
            g.figures,
            [{"province_code": p, "figure": f, "count": n} for (p, f), n in deltas.items() if n],
        )
        await self._bump(session, g.event_counts, [{"event_type": k, "count": v} for k, v in applied.items()])

    @staticmethod
    async def _rows(session: AsyncSession, g: Generation, ids: set[str]) -> list[dict[str, Any]]:
        """The stored rows of these petitions, as dicts (zipped with the column names: a third
        of the cost of `dict(row._mapping)`). On PostgreSQL the primary key index is forced for
        the lookup: a fresh generation has no statistics yet, and the planner then prefers to
        scan the whole table for each batch's IN list, which makes a rebuild quadratic."""
        postgres = session.get_bind().dialect.name == "postgresql"
        if postgres:
            await session.execute(text("SET LOCAL enable_seqscan = off"))
        result = await session.execute(select(g.petitions).where(g.petitions.c.petition_id.in_(ids)))
        names = tuple(result.keys())
        rows = [dict(zip(names, row, strict=True)) for row in result]
        if postgres:
            await session.execute(text("SET LOCAL enable_seqscan TO DEFAULT"))
        return rows

    @staticmethod
    async def _bump(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
        """Add to the counters in one statement (INSERT ... ON CONFLICT DO UPDATE, which both
        SQLite and PostgreSQL have): a round trip less per batch than read-then-write."""
        if not rows:
            return
        dialect = session.get_bind().dialect.name
        upsert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
        await session.execute(
            upsert.on_conflict_do_update(
                index_elements=list(table.primary_key.columns),
                set_={"count": table.c["count"] + upsert.excluded["count"]},
            ),
            rows,
        )

    # -- queries ---------------------------------------------------------------------------

    async def petition(self, session: AsyncSession, petition_id: str) -> PetitionRow | None:
        g = generation_tables(await self.active_generation(session))
        found = (
            await session.execute(select(g.petitions).where(g.petitions.c.petition_id == petition_id))
        ).first()
        return None if found is None else from_db(found._mapping, aware=True)

    async def stats(
        self, session: AsyncSession, *, province_code: str | None = None, commune_code: str | None = None
    ) -> dict[str, Any]:
        """The oversight figures, for all petitions or those of one province and/or commune.
        Nationally and per province they are read from the kept sums; a commune's are summed
        over its rows (an index range: a commune has few enough petitions)."""
        g = generation_tables(await self.active_generation(session))
        if commune_code is None:
            f = g.figures
            query = select(f.c.figure, func.sum(f.c.count)).group_by(f.c.figure)
            if province_code is not None:
                query = query.where(f.c.province_code == province_code)
            counts = {figure: int(n) for figure, n in await session.execute(query) if n}
        else:
            p = g.petitions
            rows = select(*(p.c[c] for c in FIGURE_COLUMNS)).where(p.c.commune_code == commune_code)
            if province_code is not None:
                rows = rows.where(p.c.province_code == province_code)
            summed: Counter[str] = Counter()
            for r in await session.execute(rows):
                summed.update(figures(cast(FigureInputs, r._mapping)))
            counts = dict(summed)
        by_event = {r[0]: r[1] for r in await session.execute(select(g.event_counts)) if r[1]}
        return {
            "generation": g.number,
            "province_code": province_code,
            "commune_code": commune_code,
            **summarise(counts),
            "events_applied": dict(sorted(by_event.items())),
        }
