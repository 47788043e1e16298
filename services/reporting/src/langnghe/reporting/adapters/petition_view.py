"""The petition read model for oversight: one row per petition (folded by
`langnghe.reporting.domain.petition_row`), the oversight figures summed per province, and the
events applied by type. Tables are per generation (`_g<N>`) so the projection can be rebuilt
into fresh tables while the current ones keep serving (see langnghe.runtime.rebuild); they are
created from `generation_tables`, not by Alembic (migration 0002 retires older shapes).

Each batch is folded in memory and written with executemany: one SELECT of the rows it
touches, INSERTs and UPDATEs grouped by the columns they write (a handful of statements, not
one per event), and one upsert per counter table. The figures are kept per province as sums of
`figures(row after) - figures(row before)` over the rows the batch changed, in the same
transaction as the rows and the checkpoint, so they equal an aggregate over the rows after any
batch, after a redelivery (an event at or below a row's `last_seq` changes nothing) and after a
rebuild (the same fold over the same events). A rebuild, which fills a generation no reader
sees yet, keeps the counters in memory and writes them once, remembers the rows it wrote last
instead of reading them back (`Tallies`), and loads the new rows with COPY on PostgreSQL.
Per province, not per commune: a batch touches a few provinces but hundreds of communes, and
each kept key is an upserted row; a commune's figures are summed over its rows when asked for.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, Final, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.schema import CreateTable

from langnghe.contracts.codec import UnknownEvent
from langnghe.contracts.events.petition import PetitionReceived
from langnghe.reporting.domain.petition_figures import FIGURE_COLUMNS, FigureInputs, figures, summarise
from langnghe.reporting.domain.petition_row import PetitionRow, apply, received_row
from langnghe.runtime.eventstore import RecordedEvent
from langnghe.runtime.speedups.bulk import copy_many, insert_many, update_many
from langnghe.runtime.tables import projection_generations

PROJECTION = "reporting-petitions"


#: Rows a rebuild keeps in memory after writing them: about 30 MB (3 kB a row, measured), for
#: the rebuild's duration only.
RECENT_ROWS: Final = 10_000


@dataclass
class Tallies:
    """What a rebuild keeps in memory about the generation it fills: the counters, until
    `write_tallies`, and the rows it wrote most recently. A rebuild is the only writer of its
    generation, so a remembered row is the stored one, and a petition's next event usually
    comes soon after its last (assigned days after it is received, answered weeks later): the
    rows a batch updates are found here instead of read back and converted from the database,
    which was a fifth of a rebuild's work. A row not found here is read. A batch that fails
    leaves the tallies off; a rebuild that fails is abandoned and starts over."""

    figures: Counter[tuple[str, str]] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    recent: dict[str, PetitionRow] = field(default_factory=dict)  # least recently written first
    recent_limit: int = RECENT_ROWS

    def remember(self, rows: dict[str, PetitionRow]) -> None:
        recent = self.recent
        for pid, row in rows.items():
            recent.pop(pid, None)
            recent[pid] = row
        if (excess := len(recent) - self.recent_limit) > 0:
            for pid in list(itertools.islice(recent, excess)):
                del recent[pid]


@dataclass(frozen=True)
class Generation:
    number: int
    metadata: MetaData
    petitions: Table
    figures: Table
    event_counts: Table

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self.petitions, self.figures, self.event_counts)

    @property
    def indexes(self) -> tuple[Index, ...]:
        """The secondary indexes (the unique code among them): a rebuild creates them once
        the rows are in, which is much cheaper than keeping them up to date row by row."""
        return tuple(
            index for table in self.tables for index in sorted(table.indexes, key=lambda i: str(i.name))
        )


@lru_cache(maxsize=8)
def generation_tables(number: int) -> Generation:
    md = MetaData()
    petitions = Table(
        f"petitions_g{number}",
        md,
        Column("petition_id", String(64), primary_key=True),
        Column("code", String(32), nullable=False),
        Column("province_code", String(16), nullable=False),
        Column("commune_code", String(16), nullable=True),
        Column("channel", String(32), nullable=False),
        Column("legal_type", String(32), nullable=False),
        Column("field_code", String(64), nullable=True),
        Column("content", Text, nullable=False),
        Column("conference_id", String(64), nullable=True),
        Column("disposition", String(32), nullable=True),
        Column("status", String(32), nullable=False),
        Column("agency_code", String(64), nullable=True),
        Column("officer_ref", String(128), nullable=True),
        Column("escalated_to_level", String(16), nullable=True),
        Column("escalated_to_unit_code", String(64), nullable=True),
        Column("promised_date", Date, nullable=True),
        Column("promised_extensions", Integer, nullable=False),
        Column("statutory_clock", String(64), nullable=True),
        Column("statutory_start", Date, nullable=True),
        Column("statutory_due", Date, nullable=True),
        Column("statutory_days", Integer, nullable=True),
        Column("statutory_extensions", Integer, nullable=True),
        Column("accepted_on", Date, nullable=True),
        Column("accepted_late", Boolean, nullable=True),
        Column("promised_due_soon", Boolean, nullable=False),
        Column("promised_overdue", Boolean, nullable=False),
        Column("statutory_due_soon", Boolean, nullable=False),
        Column("statutory_overdue", Boolean, nullable=False),
        Column("received_on", Date, nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False),
        Column("assigned_at", DateTime(timezone=True), nullable=True),
        Column("answered_at", DateTime(timezone=True), nullable=True),
        Column("answered_on", Date, nullable=True),
        Column("answered_at_conference", Boolean, nullable=False),
        Column("answer_timeliness", String(16), nullable=True),
        Column("answer_text", Text, nullable=True),
        Column("answering_agency_code", String(64), nullable=True),
        Column("document_number", String(64), nullable=True),
        Column("document_date", Date, nullable=True),
        Column("answer_published_on", Date, nullable=True),
        # The channels, sorted and comma-separated: a handful of enum values, never queried.
        Column("answer_published_channels", String(255), nullable=False),
        Column("feedback_satisfied", Boolean, nullable=True),
        Column("times_reopened", Integer, nullable=False),
        Column("merged_into", String(128), nullable=True),
        Column("duplicates_absorbed", Integer, nullable=False),
        Column("last_event_at", DateTime(timezone=True), nullable=False),
        Column("last_seq", BigInteger, nullable=False),
    )
    # The two lookups are named as the column flags `index=True` named them in the tables of
    # older generations (which had the code unique as a table constraint instead).
    Index(f"ix_petitions_g{number}_province_code", petitions.c.province_code)
    Index(f"ix_petitions_g{number}_commune_code", petitions.c.commune_code)
    Index(f"uq_petitions_g{number}_code", petitions.c.code, unique=True)
    figures_table = Table(
        f"petition_figures_by_province_g{number}",
        md,
        Column("province_code", String(16), primary_key=True),
        Column("figure", String(64), primary_key=True),
        Column("count", BigInteger, nullable=False),
    )
    event_counts = Table(
        f"events_applied_by_type_g{number}",
        md,
        Column("event_type", String(64), primary_key=True),
        Column("count", Integer, nullable=False),
    )
    return Generation(number, md, petitions, figures_table, event_counts)


#: Set once by `petition.received`; everything else is rewritten on update.
_FIXED: Final = frozenset(
    {"petition_id", "code", "province_code", "commune_code", "channel", "legal_type", "field_code",
     "content", "received_on", "received_at"}
)  # fmt: skip
_UPDATABLE: Final = tuple(c.name for c in generation_tables(1).petitions.columns if c.name not in _FIXED)
_updatable: Final = itemgetter(*_UPDATABLE)
_DATETIMES: Final = ("received_at", "assigned_at", "answered_at", "last_event_at")


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _from_db(mapping: RowMapping | dict[str, Any], *, aware: bool = False) -> PetitionRow:
    """A stored row as the fold knows it. SQLite keeps no offset (every time written is UTC):
    `aware` puts it back, for readers; the fold only writes times back, never compares them."""
    row: dict[str, Any] = dict(mapping)
    if aware:
        for key in _DATETIMES:
            row[key] = _aware(row[key])
    channels = row["answer_published_channels"]
    row["answer_published_channels"] = tuple(channels.split(",")) if channels else ()
    return row  # type: ignore[return-value]


def _inserts(rows: dict[str, PetitionRow], known: dict[str, PetitionRow]) -> list[list[dict[str, Any]]]:
    """Parameters for INSERT executemany of the new rows, one list per set of columns that are
    not NULL. A new row is mostly empty (no agency, no answer yet): leaving its NULL columns
    out of the statement (no column has a default) halves what is bound and stored per row."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for pid, row in rows.items():
        if pid not in known:
            params: dict[str, Any] = {k: v for k, v in row.items() if v is not None}
            params["answer_published_channels"] = ",".join(row["answer_published_channels"])
            groups.setdefault(tuple(params), []).append(params)
    return list(groups.values())


def _updates(rows: dict[str, PetitionRow], known: dict[str, PetitionRow]) -> list[list[dict[str, Any]]]:
    """Parameters for UPDATE executemany, one list per set of changed columns. A batch's
    changes fall into a few shapes (assigned, answered, marked overdue...); writing only what
    changed keeps the statements narrow, which is most of the cost of a wide row."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for pid, row in rows.items():
        before = known.get(pid)
        if before is None:
            continue
        # The batch's copy shares every value it did not change with `before`: identity
        # settles most columns without an equality test.
        pairs = zip(_UPDATABLE, _updatable(row), _updatable(before), strict=True)
        columns = tuple([c for c, now, was in pairs if now is not was and now != was])
        params: dict[str, Any] = {c: row[c] for c in columns}  # type: ignore[literal-required]
        if "answer_published_channels" in params:
            params["answer_published_channels"] = ",".join(row["answer_published_channels"])
        params["b_petition_id"] = pid
        groups.setdefault(columns, []).append(params)
    return list(groups.values())


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
            known.update((row["petition_id"], _from_db(row)) for row in await self._rows(session, g, lookup))
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
        for new_rows in _inserts(rows, known):
            if tallies is None:
                await insert_many(session, g.petitions, new_rows)
            else:  # no other transaction writes a generation being rebuilt
                await copy_many(session, g.petitions, new_rows)
        for changed in _updates(rows, known):
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
        return None if found is None else _from_db(found._mapping, aware=True)

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
