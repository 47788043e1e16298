"""Tracking's own tables: the agencies' case inbox, projected from the petition events."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, MetaData, String, Table

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
)
