"""Tracking's own tables: the agencies' case inbox, projected from the petition events."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, DateTime, Index, MetaData, String, Table, false

metadata = MetaData()

cases = Table(
    "cases",
    metadata,
    Column("petition_id", String(64), primary_key=True),
    Column("code", String(32), nullable=False),
    Column("province_code", String(16), nullable=False),
    Column("status", String(32), nullable=False, index=True),
    Column("agency_code", String(64), nullable=True, index=True),
    Column("promised_date", Date, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("legal_type", String(32), nullable=True),
    Column("statutory_due", Date, nullable=True),
    Column("overdue", Boolean, nullable=False, server_default=false(), index=True),
    Column("due_soon", Boolean, nullable=False, server_default=false()),
    Column("handling_unit_code", String(16), nullable=True),
    #: Which deadline carries which mark, e.g. "promised:overdue statutory:due_soon".
    Column("marks", String(64), nullable=False, server_default=""),
)
# A petition's code names one petition. Intake guarantees it when it issues codes; a receipt
# that repeats a code anyway (forged, or from a log older than that guarantee) fails here and is
# parked with its petition, as reporting's unique index parks it: the two read models agree.
Index("uq_cases_code", cases.c.code, unique=True)
