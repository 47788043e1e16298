"""Intake's own tables: the personal-data vault and the idempotency record of submissions.

Personal data never enters the event log: events carry `citizen_ref` only, and erasing a
citizen deletes the vault row (Personal Data Protection Law 91/2025/QH15).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, MetaData, String, Table, Text, text

metadata = MetaData()

citizen_contacts = Table(
    "citizen_contacts",
    metadata,
    Column("citizen_ref", String(64), primary_key=True),
    Column("full_name", String(200), nullable=True),
    Column("phone", String(32), nullable=True),
    Column("email", String(200), nullable=True),
    Column("address", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

submissions = Table(
    "submissions",
    metadata,
    Column("idempotency_key", String(128), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("petition_id", String(64), nullable=False, unique=True),
    Column("province_code", String(16), nullable=False),
    Column("citizen_ref", String(64), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    #: The petition's human code, unique here, at the source: the read models may rely on it.
    Column("code", String(32), nullable=True),
    # The petition.received envelope to append, until the store has it (then cleared).
    Column("event_body", Text, nullable=True),
    # Its stream sequence once the store acknowledged it; NULL: not confirmed yet.
    Column("settled_seq", BigInteger, nullable=True),
)
Index(
    "ix_submissions_unsettled",
    submissions.c.received_at,
    postgresql_where=text("settled_seq IS NULL"),
    sqlite_where=text("settled_seq IS NULL"),
)
Index("uq_submissions_code", submissions.c.code, unique=True)
