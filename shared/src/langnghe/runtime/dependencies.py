"""What a route takes from the running service, as FastAPI dependencies.

`create_app` puts the service's runtime on `app.state.runtime` (and anything service-specific
beside it); a route declares `store: Store` or `sessions: Sessions` and is a plain function,
not a closure over the wiring. The store is looked up per request: the NATS connection it
uses exists only once the app has started.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from langnghe.runtime.eventstore import EventStore


def event_store(request: Request) -> EventStore:
    store: EventStore = request.app.state.runtime.store
    return store


def database_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.runtime.sessions
    return sessions


Store = Annotated[EventStore, Depends(event_store)]
Sessions = Annotated[async_sessionmaker[AsyncSession], Depends(database_sessions)]
