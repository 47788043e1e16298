"""Notify's own tables: who to tell about which petition, the notices, the development channel."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()

recipients = Table(
    "petition_recipients",
    metadata,
    Column("petition_id", String(64), primary_key=True),
    Column("code", String(32), nullable=False),
    Column("citizen_ref", String(64), nullable=True),
)

notices = Table(
    "notices",
    metadata,
    Column("notice_id", String(64), primary_key=True, comment="the causing event's id: one notice per event"),
    Column("petition_id", String(64), nullable=False, index=True),
    Column("citizen_ref", String(64), nullable=True),
    Column("kind", String(64), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("stream_seq", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The development channel: instead of an SMS gateway, deliveries are written here.
dev_channel_messages = Table(
    "dev_channel_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("notice_id", String(64), nullable=False, unique=True),
    Column("recipient_ref", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=False),
)
