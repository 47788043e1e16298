"""Tables the runtime keeps in every service's database, next to the service's own state.

The checkpoint lives in the same database (and the same transaction) as the state it
describes: the JetStream consumer position is only an optimisation.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

runtime_metadata = MetaData()

consumer_checkpoints = Table(
    "consumer_checkpoints",
    runtime_metadata,
    Column("consumer", String(128), primary_key=True),
    Column("stream_seq", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Shared consumers (several replicas on one durable) cannot use one high-water mark: each
# replica sees an interleaved subset. They remember every applied sequence instead.
processed_messages = Table(
    "processed_messages",
    runtime_metadata,
    Column("consumer", String(128), primary_key=True),
    Column("stream_seq", BigInteger, primary_key=True),
)

parked_aggregates = Table(
    "parked_aggregates",
    runtime_metadata,
    Column("consumer", String(128), primary_key=True),
    Column("aggregate_id", String(128), primary_key=True),
    Column("first_seq", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False),
)

parked_messages = Table(
    "parked_messages",
    runtime_metadata,
    Column("consumer", String(128), primary_key=True),
    Column("stream_seq", BigInteger, primary_key=True),
    Column("aggregate_id", String(128), nullable=False, index=True),
    Column("subject", String(255), nullable=False),
    Column("event_type", String(128), nullable=True),
    Column("payload", LargeBinary, nullable=False),
    Column("error", Text, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("parked_at", DateTime(timezone=True), nullable=False),
)

# Attempts at events a previous process may have died applying (ConsumerRunner.suspect_until):
# committed before each attempt, so a message that kills the process is recognised after
# restarts even though the consumer was recreated and its delivery count started over.
delivery_attempts = Table(
    "delivery_attempts",
    runtime_metadata,
    Column("consumer", String(128), primary_key=True),
    Column("stream_seq", BigInteger, primary_key=True),
    Column("attempts", Integer, nullable=False),
)

projection_generations = Table(
    "projection_generations",
    runtime_metadata,
    Column("projection", String(128), primary_key=True),
    Column("active", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def create_runtime_tables(op: object) -> None:
    """Revision 1 of the runtime tables, for each service's first Alembic migration."""
    for table in runtime_metadata.sorted_tables:
        op.create_table(table.name, *[c._copy() for c in table.columns])  # type: ignore[attr-defined]
