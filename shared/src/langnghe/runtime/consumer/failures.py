"""Which failures a consumer waits out (retried in process, never parked) and which isolate
the batch (the event that still fails is parked with its aggregate)."""

from __future__ import annotations

import sqlalchemy.exc

from langnghe.runtime.eventstore import ConcurrencyConflict, EventStoreUnavailable

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.TimeoutError,
    ConnectionError,
    TimeoutError,
    OSError,
    # A reaction that appends (tracking's policy and timers): the store did not answer, or the
    # aggregate kept changing under it; both pass, so the batch is retried, never parked.
    EventStoreUnavailable,
    ConcurrencyConflict,
)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, TRANSIENT_ERRORS)
