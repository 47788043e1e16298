"""The oversight feed projector's tables (created by migration 0004): what it remembers of
each petition between its events, and which feed messages it has published.

`oversight_published` is what makes the feed's "once" hold beyond JetStream's duplicate
window: a feed id is recorded in the transaction that also moves the projector's checkpoint,
and a message whose id is there is never published again, whether the events come back by
redelivery, by a reset checkpoint or by a recreated durable. The window (15 minutes on
`OVERSIGHT`) is left to cover the one gap the table cannot: a crash after the publish and
before the commit, which the restarted projector repeats at once with the same ids.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, Text

oversight_metadata = MetaData()

oversight_petitions = Table(
    "oversight_petitions",
    oversight_metadata,
    Column("petition_id", String(128), primary_key=True),
    Column("code", String(128), nullable=False),
    Column("province_code", String(32), nullable=False),
    Column("commune_code", String(32)),
    Column("legal_type", String(32), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("field_code", String(128)),
    Column("agency_code", String(128)),
    # The latest answer's text, held back from the feed until the answer is published.
    Column("answer_text", Text),
    # The stream sequence of the last event folded in: an event at or below it is not folded again.
    Column("last_seq", BigInteger, nullable=False),
)

oversight_published = Table(
    "oversight_published",
    oversight_metadata,
    Column("feed_id", String(36), primary_key=True),
    Column("source_seq", BigInteger, nullable=False),
    Column("feed_seq", BigInteger, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)
