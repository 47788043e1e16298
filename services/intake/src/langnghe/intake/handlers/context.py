"""What every intake command carries besides its body: who gave it, the request it belongs to,
and the id that makes a retry of it a no-op (`langnghe.runtime.commands.execute` derives the
event ids from the command id, and reports a command whose first event is stored as done)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from langnghe.contracts.envelope import Actor
from langnghe.runtime.commands import command_id


@dataclass(frozen=True)
class CommandContext:
    actor: Actor
    correlation_id: str
    idempotency_key: str | None = None
    fingerprint: str | None = None
    """Of the request body, when the client sent a key: a replay of the key with another body
    is refused (`langnghe.runtime.commands.execute`)."""

    def command_id(self, name: str, aggregate_id: str) -> str:
        """Retry-safe when the client sent an Idempotency-Key; otherwise every call is new."""
        return command_id(name, aggregate_id, self.idempotency_key or uuid.uuid4().hex)

    def creation_key(self) -> str:
        """What a new aggregate's id is derived from: the same key gives the same aggregate."""
        return self.idempotency_key or uuid.uuid4().hex
