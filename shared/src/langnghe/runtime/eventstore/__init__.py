"""The event store: the `EventStore` port (port.py), its records (records.py), and two
adapters with one contract: JetStream (jetstream.py, production) and memory (memory.py)."""

from langnghe.runtime.eventstore.jetstream import (
    BATCH_DUPLICATE_MSG_ID,
    DIRECT_GET_BATCH,
    WRONG_LAST_SEQUENCE,
    JetStreamEventStore,
)
from langnghe.runtime.eventstore.memory import InMemoryEventStore
from langnghe.runtime.eventstore.port import EventStore
from langnghe.runtime.eventstore.records import (
    MAX_ATOMIC_BATCH,
    AggregateIdMismatch,
    AggregateQuarantined,
    AppendResult,
    ConcurrencyConflict,
    EventStoreUnavailable,
    LoadedAggregate,
    NewEvent,
    QuarantinedMessage,
    RecordedEvent,
    StoredMessage,
    decode_stored,
)
from langnghe.runtime.eventstore.voids import VoidMarker, VoidRefused

__all__ = [
    "BATCH_DUPLICATE_MSG_ID",
    "DIRECT_GET_BATCH",
    "MAX_ATOMIC_BATCH",
    "WRONG_LAST_SEQUENCE",
    "AggregateIdMismatch",
    "AggregateQuarantined",
    "AppendResult",
    "ConcurrencyConflict",
    "EventStore",
    "EventStoreUnavailable",
    "InMemoryEventStore",
    "JetStreamEventStore",
    "LoadedAggregate",
    "NewEvent",
    "QuarantinedMessage",
    "RecordedEvent",
    "StoredMessage",
    "VoidMarker",
    "VoidRefused",
    "decode_stored",
]
