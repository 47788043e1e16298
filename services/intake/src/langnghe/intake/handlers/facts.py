"""The (event, recorded at) pairs a domain `fold` takes, from an aggregate as loaded; events of
types this version does not know are left out (a newer writer's, never an error)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from langnghe.contracts.codec import Envelope
from langnghe.contracts.events.base import DomainEvent
from langnghe.runtime.eventstore import LoadedAggregate


def facts(loaded: LoadedAggregate) -> Iterator[tuple[DomainEvent, datetime]]:
    return (
        (r.envelope.event, r.envelope.meta.occurred_at)
        for r in loaded.events
        if isinstance(r.envelope, Envelope)
    )
