"""The event envelope: metadata every event carries, whatever its type."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

ActorKind = Literal["citizen", "clerk", "official", "agency", "mttq", "system"]
AggregateType = Literal["petition", "conference", "conference_plan", "supervision"]


class Actor(BaseModel):
    """Who caused the event: a reference, never a name (personal data stays in the vault)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: ActorKind
    ref: str = Field(min_length=1, max_length=128)
    # Who a verified bearer token says the caller is (see langnghe.runtime.auth.actor_of):
    # the role, and the unit and agency it acted for. Optional and written only when set, so
    # older events and readers stay as they are, byte for byte (as `command_fingerprint`).
    role: str | None = Field(default=None, max_length=32)
    unit_code: str | None = Field(default=None, max_length=16)
    agency_code: str | None = Field(default=None, max_length=64)


SYSTEM_ACTOR = Actor(kind="system", ref="langnghe")


class EventMeta(BaseModel):
    """Envelope fields. `schema_version` is the version of the payload as written."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: uuid.UUID
    aggregate_type: AggregateType
    aggregate_id: str = Field(min_length=1, max_length=128)
    occurred_at: AwareDatetime
    schema_version: int = Field(ge=1)
    correlation_id: str = Field(min_length=1, max_length=128)
    causation_id: str | None = Field(default=None, max_length=128)
    actor: Actor = SYSTEM_ACTOR
    command_fingerprint: str | None = Field(default=None, max_length=64)
    """A digest of the request that caused the event (see `langnghe.runtime.commands`): lets a
    replay of the same Idempotency-Key with a different body be refused long after the
    server's duplicate window. Optional and written only when set, so older events and
    readers stay as they are (readers ignore fields they do not know)."""

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


def event_id_for(command_id: str, index: int = 0) -> uuid.UUID:
    """Deterministic event id: the same command retried yields the same ids (and Nats-Msg-Ids)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"langnghe:{command_id}:{index}")
