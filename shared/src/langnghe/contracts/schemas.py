"""JSON Schema of every event type and version, for outside subscribers."""

from __future__ import annotations

from typing import Any

from langnghe.contracts.codec import REGISTRY, EventRegistry
from langnghe.contracts.envelope import EventMeta


def event_schemas(registry: EventRegistry = REGISTRY) -> dict[str, dict[str, Any]]:
    """`{"petition.received.v1": <JSON Schema of the whole wire message>, ...}`."""
    out: dict[str, dict[str, Any]] = {}
    meta_schema = EventMeta.model_json_schema()
    for type_name, model in sorted(registry.models.items()):
        data_schema = model.model_json_schema()
        data_schema.get("properties", {}).pop("type", None)
        out[f"{type_name}.v{model.SCHEMA_VERSION}"] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"{type_name} v{model.SCHEMA_VERSION}",
            "type": "object",
            "required": [*meta_schema.get("required", []), "type", "data"],
            "properties": {
                **meta_schema["properties"],
                "type": {"const": type_name},
                "data": data_schema,
            },
            "$defs": {**meta_schema.get("$defs", {}), **data_schema.pop("$defs", {})},
        }
    return out
