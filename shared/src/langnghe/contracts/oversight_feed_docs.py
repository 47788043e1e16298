"""The oversight feed's published documents, generated from its models so they cannot drift:
a JSON Schema per message kind (`docs/schemas/oversight/<kind>.v<N>.json`) and an AsyncAPI 3
document of the feed (`docs/asyncapi/oversight.json`). `langnghe docs` writes them;
tests/unit/test_oversight_feed_docs.py checks the committed copies."""

from __future__ import annotations

from typing import Any

from langnghe.contracts.oversight_feed import (
    FEED_VERSION,
    HEADER_FEED_KIND,
    HEADER_FEED_VERSION,
    MESSAGE_MODELS,
    FeedKind,
    oversight_consumer_name,
    oversight_inbox_prefix,
)
from langnghe.contracts.subjects import OVERSIGHT_FEED, OVERSIGHT_STREAM

SCHEMA_BASE = "urn:langnghe:schemas:oversight"


def schema_name(kind: FeedKind) -> str:
    return f"{kind.value}.v{FEED_VERSION}"


def feed_schemas() -> dict[str, dict[str, Any]]:
    """`{"petition.v1": <JSON Schema 2020-12 of one message>, ...}`. Extra properties are
    allowed in the schema (unlike the model, which writes no unknown field): a reader
    validating an older schema must accept fields added later without a version change."""
    out: dict[str, dict[str, Any]] = {}
    for kind, model in MESSAGE_MODELS.items():
        schema = model.model_json_schema(mode="serialization")
        schema.pop("additionalProperties", None)
        # Unset optional fields are left out on the wire (absent means null), so only what
        # the model requires is required.
        required = {name for name, field in model.model_fields.items() if field.is_required()}
        schema["required"] = sorted(required | {"feed_version", "kind"})
        out[schema_name(kind)] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{SCHEMA_BASE}:{schema_name(kind)}",
            **{k: v for k, v in schema.items() if k != "title"},
            "title": f"Oversight feed: {kind.value} message, feed version {FEED_VERSION}",
        }
    return out


def oversight_asyncapi() -> dict[str, Any]:
    """The AsyncAPI 3 document of the feed, as an oversight body reads it."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for kind in FeedKind:
        name = schema_name(kind)
        messages[name] = {
            "name": name,
            "title": f"{kind.value} (feed v{FEED_VERSION})",
            "contentType": "application/json",
            "headers": {
                "type": "object",
                "properties": {
                    "Nats-Msg-Id": {"type": "string", "description": "Equal to `feed_id`"},
                    HEADER_FEED_VERSION: {"type": "string", "const": str(FEED_VERSION)},
                    HEADER_FEED_KIND: {"type": "string", "const": kind.value},
                },
            },
            # The published JSON Schema file itself, not a copy: one schema per kind.
            "payload": {"$ref": f"../schemas/oversight/{name}.json"},
        }
        channels[kind.value] = {
            "address": f"{OVERSIGHT_FEED}.{{province_code}}.{kind.value}",
            "title": f"A province's {kind.value} facts",
            "parameters": {
                "province_code": {"description": "The province code (two digits, e.g. `01` for Hà Nội)"}
            },
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        }
        operations[f"receive_{kind.value}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{kind.value}"},
            "summary": f"Read the {kind.value} facts of your province",
            "messages": [{"$ref": f"#/channels/{kind.value}/messages/{name}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Lắng Nghe oversight feed",
            "version": str(FEED_VERSION),
            "description": (
                "What an oversight body (the Fatherland Front committee of a province) may read: "
                "petition, conference and supervision facts of its province, without contact "
                "data, without denunciation content, with an answer's text only once it is "
                f"published. Messages are stored in the JetStream stream `{OVERSIGHT_STREAM}`; "
                "read them through the durable pull consumer "
                f"`{oversight_consumer_name('PROVINCE')}` filtered to "
                f"`{OVERSIGHT_FEED}.PROVINCE.>`, connecting with the inbox prefix "
                f"`{oversight_inbox_prefix('PROVINCE')}` (your province code in place of PROVINCE). "
                "Deduplicate on `feed_id` (equal to `Nats-Msg-Id`). See docs/oversight-feed.md."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "development": {
                "host": "127.0.0.1:14222",
                "protocol": "nats",
                "description": "`./langnghe up`",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }
