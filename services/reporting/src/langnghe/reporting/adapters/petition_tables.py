"""The petition read model's tables, one set per generation (`_g<N>`): the rows, the oversight
figures summed per province, and the events applied by type. A projection is rebuilt into a
fresh generation while the current one keeps serving (see langnghe.runtime.rebuild), so the
tables are created from `generation_tables`, not by Alembic (migration 0002 retires older
shapes). What goes in them is `langnghe.reporting.projections.petition_view`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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
)


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
        Column("times_not_satisfied", Integer, nullable=False),
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
