"""Encoding events for the wire and decoding them back, upcasting old shapes on the way.

Wire shape (JSON, UTF-8):

    {"event_id": ..., "aggregate_type": ..., "aggregate_id": ..., "occurred_at": ...,
     "schema_version": N, "correlation_id": ..., "causation_id": ..., "actor": {...},
     "type": "petition.assigned", "data": {...}}

`type` and `schema_version` are repeated in headers so operators can filter without parsing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar, Union

from pydantic import Field, TypeAdapter, ValidationError, create_model

from langnghe.contracts.envelope import EventMeta
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import CONFERENCE_EVENTS
from langnghe.contracts.events.petition import PETITION_EVENTS
from langnghe.contracts.events.timer import TIMER_EVENTS
from langnghe.contracts.subjects import (
    HEADER_CORRELATION,
    HEADER_EVENT_ID,
    HEADER_EVENT_TYPE,
    HEADER_SCHEMA,
)

E = TypeVar("E", bound=DomainEvent)
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Envelope(Generic[E]):
    meta: EventMeta
    event: E


@dataclass(frozen=True)
class UnknownEvent:
    """An event type this reader does not know (written by a newer producer): skip it, never fail."""

    meta: EventMeta
    type: str
    data: dict[str, Any]


_META_FIELDS = tuple(EventMeta.model_fields)
_META_FIELD_SET = frozenset(_META_FIELDS)
#: An event with no command fingerprint, or an actor without the verified principal's role,
#: unit and agency, is written without those fields, byte for byte as before.
_ACTOR_OPTIONAL = ("role", "unit_code", "agency_code")
_UNSET_ACTOR_AND_FINGERPRINT: dict[str, Any] = {"command_fingerprint": True, "actor": set(_ACTOR_OPTIONAL)}
_UNSET_ACTOR: dict[str, Any] = {"actor": set(_ACTOR_OPTIONAL)}


def _meta_exclude(meta: EventMeta) -> Any:
    """What `encode` leaves out of the meta: the optional fields that are not set."""
    actor = meta.actor
    plain_actor = actor.role is None and actor.unit_code is None and actor.agency_code is None
    if plain_actor:
        return _UNSET_ACTOR_AND_FINGERPRINT if meta.command_fingerprint is None else _UNSET_ACTOR
    exclude: dict[str, Any] = {"actor": {f for f in _ACTOR_OPTIONAL if getattr(actor, f) is None}}
    if meta.command_fingerprint is None:
        exclude["command_fingerprint"] = True
    return exclude


def _meta_of(wire: EventMeta) -> EventMeta:
    """The EventMeta of a validated wire object (whose class extends EventMeta with exactly
    `type` and `data`). The values are validated already, so this is `EventMeta.model_construct`
    without its per-field default handling (1 µs instead of 4)."""
    values = dict(wire.__dict__)
    del values["type"], values["data"]
    meta = EventMeta.__new__(EventMeta)
    object.__setattr__(meta, "__dict__", values)
    # As validation would: the fields the message carried (an optional one may be absent).
    object.__setattr__(meta, "__pydantic_fields_set__", wire.model_fields_set & _META_FIELD_SET)
    object.__setattr__(meta, "__pydantic_extra__", None)
    object.__setattr__(meta, "__pydantic_private__", None)
    return meta


class UndecodableEvent(ValueError):
    """The bytes are not a valid event of a known type: a poison message for a consumer."""


class FutureSchemaVersion(UndecodableEvent):
    """A known type at a `schema_version` newer than this reader knows: written by a newer
    producer (or forged). Reading it as the current version would apply fields whose meaning
    may have changed, so it is refused like any undecodable message, never guessed at."""


class EventRegistry:
    def __init__(self, models: Iterable[type[DomainEvent]] = ()) -> None:
        self._models: dict[str, type[DomainEvent]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._current: TypeAdapter[Any] | None = None
        for model in models:
            self.register(model)

    def register(self, model: type[DomainEvent]) -> None:
        type_name = model.model_fields["type"].default
        if not isinstance(type_name, str):
            raise TypeError(f"{model.__name__} needs a literal default for `type`")
        self._models[type_name] = model
        self._current = None

    @staticmethod
    def _wire(type_name: str, model: type[DomainEvent]) -> type[EventMeta]:
        """The whole wire shape of one type at its current version (envelope, type, payload)."""
        tag: Any = Literal[type_name]
        version: Any = Literal[model.SCHEMA_VERSION]
        return create_model(
            f"Wire_{type_name.replace('.', '_')}",
            __base__=EventMeta,
            type=(tag, ...),
            schema_version=(version, ...),
            data=(model, ...),
        )

    def _current_shapes(self) -> TypeAdapter[Any]:
        """One validator for every known type at its current version, straight from the JSON
        bytes (the type picks the shape): the common case of `decode` in one pass of
        pydantic-core, twice as fast as parsing, then validating the envelope and the payload."""
        if self._current is None:
            wires = tuple(self._wire(type_name, model) for type_name, model in self._models.items())
            union: Any = Annotated[Union[wires], Field(discriminator="type")]  # noqa: UP007
            self._current = TypeAdapter(union)
        return self._current

    def upcaster(self, type_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function turning the payload of `from_version` into `from_version + 1`."""

        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[(type_name, from_version)] = fn
            return fn

        return decorate

    def model(self, type_name: str) -> type[DomainEvent]:
        return self._models[type_name]

    @property
    def models(self) -> dict[str, type[DomainEvent]]:
        return dict(self._models)

    def encode(self, meta: EventMeta, event: DomainEvent) -> tuple[bytes, dict[str, str]]:
        if meta.schema_version != event.SCHEMA_VERSION:
            raise ValueError("meta.schema_version must equal the event's current SCHEMA_VERSION")
        # pydantic writes the JSON (in Rust: about half the time of model_dump and json.dumps):
        # the meta's object, with the type and the data added after its fields.
        body = b"".join(
            (
                meta.model_dump_json(exclude=_meta_exclude(meta)).encode()[:-1],
                b',"type":',
                json.dumps(event.type).encode(),
                b',"data":',
                event.model_dump_json(exclude={"type"}).encode(),
                b"}",
            )
        )
        headers = {
            HEADER_EVENT_ID: str(meta.event_id),
            HEADER_EVENT_TYPE: event.type,
            HEADER_SCHEMA: str(meta.schema_version),
            HEADER_CORRELATION: meta.correlation_id,
        }
        return body, headers

    def upcast(self, type_name: str, version: int, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        model = self._models[type_name]
        if version > model.SCHEMA_VERSION:
            raise FutureSchemaVersion(
                f"{type_name} v{version} is newer than this reader knows (v{model.SCHEMA_VERSION})"
            )
        while version < model.SCHEMA_VERSION:
            step = self._upcasters.get((type_name, version))
            if step is None:
                raise UndecodableEvent(f"no upcaster for {type_name} v{version}")
            data = step(dict(data))
            version += 1
        return version, data

    def decode(self, raw: bytes) -> Envelope[DomainEvent] | UnknownEvent:
        if self._models:
            try:
                wire = self._current_shapes().validate_json(raw)
            except ValidationError:
                pass  # an unknown type, an older version, or not valid: the general path says which
            else:
                return Envelope(meta=_meta_of(wire), event=wire.data)
        return self._decode_general(raw)

    def _decode_general(self, raw: bytes) -> Envelope[DomainEvent] | UnknownEvent:
        """Any envelope: unknown types, older versions (upcast), and the errors of bad ones."""
        try:
            body = json.loads(raw)
            type_name = body["type"]
            data = body.get("data") or {}
            if not isinstance(type_name, str) or not isinstance(data, dict):
                raise TypeError("`type` must be a string and `data` an object")
            meta = EventMeta.model_validate(body)
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            raise UndecodableEvent(f"not an event envelope: {exc}") from exc
        if type_name not in self._models:
            return UnknownEvent(meta=meta, type=type_name, data=data)
        version, data = self.upcast(type_name, meta.schema_version, data)
        try:
            event = self._models[type_name].model_validate({**data, "type": type_name})
        except ValidationError as exc:
            raise UndecodableEvent(f"{type_name} v{version}: {exc}") from exc
        if version != meta.schema_version:
            meta = meta.model_copy(update={"schema_version": version})
        return Envelope(meta=meta, event=event)


def default_registry() -> EventRegistry:
    """Every event type of the system, current shapes, with their upcasters."""
    return EventRegistry((*PETITION_EVENTS, *CONFERENCE_EVENTS, *TIMER_EVENTS))


REGISTRY = default_registry()
