"""The oversight feed's published documents: the committed JSON Schemas and AsyncAPI document
are exactly what the models generate, every channel points at a schema file that exists, and
the schemas accept later optional fields (a reader on v1 must not break when one is added)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from jsonschema import Draft202012Validator

from langnghe.contracts.oversight_feed import FEED_VERSION, FeedKind, oversight_user_permissions
from langnghe.contracts.oversight_feed_docs import feed_schemas, oversight_asyncapi, schema_name

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_committed_schemas_equal_the_generated_ones() -> None:
    on_disk = {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in (DOCS / "schemas" / "oversight").glob("*.json")
    }
    assert on_disk == feed_schemas(), "run `langnghe docs` and commit docs/"
    assert sorted(on_disk) == sorted(f"{kind.value}.v{FEED_VERSION}" for kind in FeedKind)


def test_committed_asyncapi_equals_the_generated_one() -> None:
    committed = json.loads((DOCS / "asyncapi" / "oversight.json").read_text(encoding="utf-8"))
    assert committed == oversight_asyncapi(), "run `langnghe docs` and commit docs/"
    assert committed["asyncapi"] == "3.0.0"
    for kind in FeedKind:
        channel = committed["channels"][kind.value]
        assert channel["address"] == f"oversight.v1.{{province_code}}.{kind.value}"
        payload = committed["components"]["messages"][schema_name(kind)]["payload"]["$ref"]
        assert (DOCS / "asyncapi" / payload).resolve() == (
            DOCS / "schemas" / "oversight" / f"{schema_name(kind)}.json"
        )
        assert committed["operations"][f"receive_{kind.value}"]["action"] == "receive"


def test_schemas_require_the_identity_and_accept_fields_added_later() -> None:
    schema = feed_schemas()["petition.v1"]
    validator = Draft202012Validator(schema)
    message = {
        "feed_version": 1,
        "feed_id": str(uuid.uuid4()),
        "kind": "petition",
        "province_code": "01",
        "occurred_at": "2026-03-02T02:00:00Z",
        "transition": "received",
        "petition_id": "p-1",
        "petition_code": "KN-01-26-ABCDEFGH",
        "legal_type": "denunciation",
        "channel": "online",
    }
    assert list(validator.iter_errors(message)) == []
    assert list(validator.iter_errors({**message, "a_field_of_a_later_release": 3})) == []
    assert list(validator.iter_errors({**message, "feed_version": 2}))
    without_code = {k: v for k, v in message.items() if k != "petition_code"}
    assert list(validator.iter_errors(without_code))


def test_an_oversight_user_may_publish_only_the_api_requests_of_its_own_consumer() -> None:
    perms = oversight_user_permissions("01")
    for subject in perms["publish"]["allow"]:
        assert subject.startswith(("$JS.API.CONSUMER.", "$JS.ACK.OVERSIGHT.oversight-01.")), subject
        assert ".OVERSIGHT.oversight-01" in subject, subject
    assert not any("DIRECT" in s or "MSG.GET" in s or "PETITIONS" in s for s in perms["publish"]["allow"])
    assert perms["subscribe"]["allow"] == ["_INBOX_OVERSIGHT_01.>"]
