"""The wire contracts: golden samples, decoding rules, upcasting, the envelope, subject names."""

from __future__ import annotations

import json
import unicodedata
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar, Literal

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from pydantic import ValidationError

from langnghe.contracts.codec import (
    REGISTRY,
    Envelope,
    EventRegistry,
    FutureSchemaVersion,
    UndecodableEvent,
    UnknownEvent,
)
from langnghe.contracts.envelope import Actor, EventMeta, event_id_for
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import (
    Channel,
    LegalType,
    PetitionAnswered,
    PetitionAssigned,
    PetitionReceived,
)
from langnghe.contracts.schemas import event_schemas
from langnghe.contracts.subjects import (
    InvalidSubjectToken,
    durable_name,
    petition_subject,
    petition_subject_any_province,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
GOLDEN_FILES = sorted(GOLDEN.glob("*.json"))
#: `<type>.v<N>` of every registered event at its current version.
CURRENT = sorted(f"{name}.v{model.SCHEMA_VERSION}" for name, model in REGISTRY.models.items())


def golden(stem: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))
    return body


def raw(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def split_stem(stem: str) -> tuple[str, int]:
    type_name, version = stem.rsplit(".v", 1)
    return type_name, int(version)


# -- golden samples ------------------------------------------------------------------------


def test_every_registered_event_version_has_a_golden_sample() -> None:
    present = {p.stem for p in GOLDEN_FILES}
    assert {"petition.answered.v1", "petition.assigned.v1", "petition.received.v1"} <= set(CURRENT)
    assert len(CURRENT) == len(REGISTRY.models)
    assert [stem for stem in CURRENT if stem not in present] == []


def test_every_golden_sample_is_of_a_registered_type() -> None:
    for path in GOLDEN_FILES:
        type_name, version = split_stem(path.stem)
        assert type_name in REGISTRY.models, path.name
        assert 1 <= version <= REGISTRY.model(type_name).SCHEMA_VERSION, path.name


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda p: p.stem)
def test_golden_sample_is_nfc_text_in_the_wire_shape(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    body = json.loads(text)
    assert list(body) == [
        "event_id",
        "aggregate_type",
        "aggregate_id",
        "occurred_at",
        "schema_version",
        "correlation_id",
        "causation_id",
        "actor",
        "type",
        "data",
    ]
    assert f"{body['type']}.v{body['schema_version']}" == path.stem


@pytest.mark.parametrize(
    ("stem", "model"),
    [
        ("petition.received.v1", PetitionReceived),
        ("petition.assigned.v1", PetitionAssigned),
        ("petition.answered.v1", PetitionAnswered),
    ],
)
def test_golden_sample_decodes_to_its_model(stem: str, model: type[DomainEvent]) -> None:
    decoded = REGISTRY.decode((GOLDEN / f"{stem}.json").read_bytes())
    assert isinstance(decoded, Envelope)
    assert type(decoded.event) is model
    assert decoded.meta.aggregate_id == "019cac54476c73a99e1f0b7d22c49e61"
    assert decoded.meta.schema_version == 1
    assert decoded.meta.occurred_at.tzinfo is UTC


def test_golden_received_sample_carries_its_values() -> None:
    decoded = REGISTRY.decode((GOLDEN / "petition.received.v1.json").read_bytes())
    assert isinstance(decoded, Envelope)
    event = decoded.event
    assert isinstance(event, PetitionReceived)
    assert event.code == "KN-01-26-FMHC97K1"
    assert event.channel is Channel.VOTER_MEETING
    assert event.legal_type is LegalType.VOTERS_PETITION
    assert event.content.startswith("Cử tri phường Ba Đình đề nghị")
    assert decoded.meta.actor == Actor(kind="clerk", ref="can-bo-tiep-dan-ba-dinh-07")
    assert decoded.meta.occurred_at == datetime(2026, 3, 2, 2, 15, 30, 412000, tzinfo=UTC)
    assert decoded.meta.event_id == event_id_for("petition.received:019cac54476c73a99e1f0b7d22c49e61")


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda p: p.stem)
def test_one_pass_decoding_equals_the_general_path(path: Path) -> None:
    """`decode` validates a current-version event in one pass; whatever it returns is what
    the general path (parse, validate the envelope, upcast, validate the payload) returns."""
    body = path.read_bytes()
    fast, general = REGISTRY.decode(body), REGISTRY._decode_general(body)
    assert fast == general
    assert type(fast.meta) is EventMeta  # never the wire model, which carries the payload too
    # The meta is built without validation: it must behave like a validated one.
    assert hash(fast.meta) == hash(general.meta)
    assert fast.meta.model_fields_set == general.meta.model_fields_set
    assert fast.meta.model_dump(mode="json") == general.meta.model_dump(mode="json")
    bumped = fast.meta.model_copy(update={"schema_version": fast.meta.schema_version + 1})
    assert bumped.schema_version == general.meta.schema_version + 1
    assert fast.meta.schema_version == general.meta.schema_version  # frozen, copied not changed


def test_older_versions_and_unknown_types_take_the_general_path() -> None:
    body = golden("petition.assigned.v1")
    unknown = REGISTRY.decode(raw({**body, "type": "petition.sung_about"}))
    assert isinstance(unknown, UnknownEvent) and unknown.type == "petition.sung_about"
    with pytest.raises(UndecodableEvent, match="not an event envelope"):
        REGISTRY.decode(raw({**body, "schema_version": 0}))
    with pytest.raises(UndecodableEvent):
        REGISTRY.decode(raw({**body, "data": {"agency_code": ""}}))


@pytest.mark.parametrize("stem", CURRENT)
def test_golden_sample_reencodes_to_the_same_json(stem: str) -> None:
    decoded = REGISTRY.decode((GOLDEN / f"{stem}.json").read_bytes())
    assert isinstance(decoded, Envelope)
    body, headers = REGISTRY.encode(decoded.meta, decoded.event)
    assert json.loads(body) == golden(stem)
    assert headers == {
        "Ln-Event-Id": golden(stem)["event_id"],
        "Ln-Event-Type": golden(stem)["type"],
        "Ln-Schema": "1",
        "Ln-Correlation-Id": golden(stem)["correlation_id"],
    }


@pytest.mark.parametrize("stem", CURRENT)
def test_golden_sample_validates_against_the_exported_schema(stem: str) -> None:
    schema = event_schemas()[stem]
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(golden(stem))


@pytest.mark.parametrize(
    ("stem", "breakage"),
    [
        ("petition.received.v1", lambda b: b.pop("data")),
        ("petition.received.v1", lambda b: b["data"].pop("content")),
        ("petition.received.v1", lambda b: b["data"].update(channel="facebook")),
        ("petition.assigned.v1", lambda b: b.update(type="petition.answered")),
        ("petition.assigned.v1", lambda b: b["actor"].update(kind="hacker")),
        ("petition.answered.v1", lambda b: b.update(schema_version=0)),
    ],
)
def test_exported_schema_rejects_a_broken_sample(stem: str, breakage: Any) -> None:
    body = golden(stem)
    breakage(body)
    with pytest.raises(SchemaError):
        Draft202012Validator(event_schemas()[stem]).validate(body)


# -- decoding rules ------------------------------------------------------------------------


def test_decode_ignores_unknown_fields_in_data_envelope_and_actor() -> None:
    body = golden("petition.assigned.v1")
    body["data"]["priority"] = "khẩn"
    body["trace_id"] = "00-abc-01"
    body["actor"]["display_name"] = "Nguyễn Văn A"
    decoded = REGISTRY.decode(raw(body))
    assert isinstance(decoded, Envelope)
    assert decoded.event == PetitionAssigned.model_validate(golden("petition.assigned.v1")["data"])
    assert (decoded.event.agency_code, decoded.event.promised_date) == ("SO-XAY-DUNG-HN", date(2026, 4, 1))
    reencoded, _ = REGISTRY.encode(decoded.meta, decoded.event)
    assert json.loads(reencoded) == golden("petition.assigned.v1")


@pytest.mark.parametrize(
    ("stem", "added"),
    [
        ("petition.received.v1", ("cosigner_refs", "origin_ref", "received_on")),
        ("petition.assigned.v1", ("statutory", "deadline_version")),
    ],
)
def test_v1_payload_without_the_optional_fields_still_decodes(stem: str, added: tuple[str, ...]) -> None:
    body = golden(stem)
    for name in added:
        del body["data"][name]
    decoded = REGISTRY.decode(raw(body))
    assert isinstance(decoded, Envelope)
    fields = decoded.event.model_dump()
    assert all(fields[name] in ((), None) for name in added)


def test_unknown_event_type_decodes_to_unknown_event() -> None:
    body = golden("petition.assigned.v1")
    body["type"] = "petition.no_such_event"
    body["data"] = {"to_level": "tinh", "reason": "Quá hạn trả lời"}
    decoded = REGISTRY.decode(raw(body))
    assert isinstance(decoded, UnknownEvent)
    assert decoded.type == "petition.no_such_event"
    assert decoded.data == {"to_level": "tinh", "reason": "Quá hạn trả lời"}
    assert decoded.meta.event_id == uuid.UUID(body["event_id"])


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b"\xff\xfe",
        b"",
        b"[]",
        b'"petition.received"',
        b"null",
    ],
    ids=["malformed", "not-utf8", "empty", "array", "string", "null"],
)
def test_bytes_that_are_not_an_envelope_are_undecodable(payload: bytes) -> None:
    with pytest.raises(UndecodableEvent):
        REGISTRY.decode(payload)


def test_envelope_without_type_is_undecodable() -> None:
    body = golden("petition.assigned.v1")
    del body["type"]
    with pytest.raises(UndecodableEvent, match="not an event envelope"):
        REGISTRY.decode(raw(body))


def test_envelope_without_event_id_is_undecodable() -> None:
    body = golden("petition.assigned.v1")
    del body["event_id"]
    with pytest.raises(UndecodableEvent):
        REGISTRY.decode(raw(body))


def test_known_type_with_invalid_data_is_undecodable() -> None:
    body = golden("petition.assigned.v1")
    body["data"]["promised_date"] = "mùng 1 tháng 4"
    with pytest.raises(UndecodableEvent, match=r"petition\.assigned v1"):
        REGISTRY.decode(raw(body))


@pytest.mark.parametrize("data", [["SO-XAY-DUNG-HN"], "SO-XAY-DUNG-HN", 42])
def test_data_that_is_not_an_object_is_undecodable(data: object) -> None:
    body = golden("petition.assigned.v1")
    body["data"] = data
    with pytest.raises(UndecodableEvent):
        REGISTRY.decode(raw(body))


@pytest.mark.parametrize("type_value", [["petition.assigned"], {"name": "petition.assigned"}, 7, None])
def test_type_that_is_not_a_string_is_undecodable(type_value: object) -> None:
    body = golden("petition.assigned.v1")
    body["type"] = type_value
    with pytest.raises(UndecodableEvent):
        REGISTRY.decode(raw(body))


@pytest.mark.parametrize("version", [2, 99])
def test_a_known_type_from_a_future_version_is_refused_not_read_as_v1(version: int) -> None:
    body = golden("petition.assigned.v1")
    body["schema_version"] = version
    with pytest.raises(FutureSchemaVersion, match=rf"petition\.assigned v{version} is newer"):
        REGISTRY.decode(raw(body))
    # A future version is a poison message like any other for a consumer.
    assert issubclass(FutureSchemaVersion, UndecodableEvent)


def test_encode_refuses_meta_with_another_schema_version() -> None:
    decoded = REGISTRY.decode((GOLDEN / "petition.assigned.v1.json").read_bytes())
    assert isinstance(decoded, Envelope)
    with pytest.raises(ValueError, match="schema_version"):
        REGISTRY.encode(decoded.meta.model_copy(update={"schema_version": 2}), decoded.event)


# -- upcasting -----------------------------------------------------------------------------


class ParcelWeighedV2(DomainEvent):
    """Test-only event: v1 had `grams`, v2 renamed it `weight_grams`."""

    SCHEMA_VERSION: ClassVar[int] = 2
    type: Literal["test.parcel_weighed"] = "test.parcel_weighed"
    weight_grams: int
    parcel_ref: str


class ParcelWeighedV3(DomainEvent):
    """v3 added a unit; the 2 -> 3 upcaster is the only one a registry of v3 alone has."""

    SCHEMA_VERSION: ClassVar[int] = 3
    type: Literal["test.parcel_weighed"] = "test.parcel_weighed"
    weight: int
    unit: str
    parcel_ref: str


def parcel_body(version: int, data: dict[str, Any]) -> bytes:
    return raw(
        {
            "event_id": str(event_id_for("parcel-1")),
            "aggregate_type": "petition",
            "aggregate_id": "parcel-1",
            "occurred_at": "2026-03-02T02:15:30Z",
            "schema_version": version,
            "correlation_id": "corr-1",
            "causation_id": None,
            "actor": {"kind": "system", "ref": "langnghe"},
            "type": "test.parcel_weighed",
            "data": data,
        }
    )


def v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    data["weight_grams"] = data.pop("grams")
    return data


def v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    return {"weight": data["weight_grams"], "unit": "g", "parcel_ref": data["parcel_ref"]}


def test_upcaster_turns_a_v1_payload_into_the_v2_model() -> None:
    registry = EventRegistry([ParcelWeighedV2])
    registry.upcaster("test.parcel_weighed", 1)(v1_to_v2)
    decoded = registry.decode(parcel_body(1, {"grams": 1250, "parcel_ref": "HS-0017"}))
    assert isinstance(decoded, Envelope)
    assert decoded.event == ParcelWeighedV2(weight_grams=1250, parcel_ref="HS-0017")
    assert decoded.meta.schema_version == 2


def test_current_version_payload_is_not_upcast() -> None:
    registry = EventRegistry([ParcelWeighedV2])
    registry.upcaster("test.parcel_weighed", 1)(v1_to_v2)
    decoded = registry.decode(parcel_body(2, {"weight_grams": 900, "parcel_ref": "HS-0018"}))
    assert isinstance(decoded, Envelope)
    assert decoded.event == ParcelWeighedV2(weight_grams=900, parcel_ref="HS-0018")
    assert decoded.meta.schema_version == 2


def test_upcasters_chain_from_the_oldest_version() -> None:
    registry = EventRegistry([ParcelWeighedV3])
    registry.upcaster("test.parcel_weighed", 1)(v1_to_v2)
    registry.upcaster("test.parcel_weighed", 2)(v2_to_v3)
    decoded = registry.decode(parcel_body(1, {"grams": 1250, "parcel_ref": "HS-0017"}))
    assert isinstance(decoded, Envelope)
    assert decoded.event == ParcelWeighedV3(weight=1250, unit="g", parcel_ref="HS-0017")
    assert decoded.meta.schema_version == 3


def test_missing_upcaster_for_an_old_version_is_undecodable() -> None:
    registry = EventRegistry([ParcelWeighedV3])
    registry.upcaster("test.parcel_weighed", 2)(v2_to_v3)
    assert registry.decode(parcel_body(2, {"weight_grams": 5, "parcel_ref": "HS-1"})) is not None
    with pytest.raises(UndecodableEvent, match=r"no upcaster for test\.parcel_weighed v1"):
        registry.decode(parcel_body(1, {"grams": 1250, "parcel_ref": "HS-0017"}))


def test_private_registry_does_not_touch_the_default_one() -> None:
    EventRegistry([ParcelWeighedV2])
    assert "test.parcel_weighed" not in REGISTRY.models


# -- envelope ------------------------------------------------------------------------------


def meta(occurred_at: object) -> EventMeta:
    return EventMeta.model_validate(
        {
            "event_id": str(event_id_for("cmd-1")),
            "aggregate_type": "petition",
            "aggregate_id": "p-1",
            "occurred_at": occurred_at,
            "schema_version": 1,
            "correlation_id": "corr-1",
        }
    )


@pytest.mark.parametrize("naive", [datetime(2026, 3, 2, 9, 15), "2026-03-02T09:15:00"])
def test_event_meta_rejects_a_naive_datetime(naive: object) -> None:
    with pytest.raises(ValidationError, match="occurred_at"):
        meta(naive)


@pytest.mark.parametrize(
    "aware",
    [datetime(2026, 3, 2, 9, 15, tzinfo=timezone(timedelta(hours=7))), "2026-03-02T09:15:00+07:00"],
)
def test_event_meta_normalises_an_aware_datetime_to_utc(aware: object) -> None:
    occurred_at = meta(aware).occurred_at
    assert occurred_at == datetime(2026, 3, 2, 2, 15, tzinfo=UTC)
    assert occurred_at.tzinfo is UTC
    assert occurred_at.hour == 2


def test_event_meta_defaults_to_the_system_actor() -> None:
    assert meta("2026-03-02T02:15:00Z").actor == Actor(kind="system", ref="langnghe")


def test_event_id_for_is_deterministic_and_differs_by_index() -> None:
    first = event_id_for("/v1/petitions/abc/assign:key-1", 0)
    assert first == event_id_for("/v1/petitions/abc/assign:key-1", 0)
    assert first == event_id_for("/v1/petitions/abc/assign:key-1")
    assert first.version == 5
    assert event_id_for("/v1/petitions/abc/assign:key-1", 1) != first
    assert event_id_for("/v1/petitions/abc/assign:key-2", 0) != first
    assert first == uuid.uuid5(uuid.NAMESPACE_URL, "langnghe:/v1/petitions/abc/assign:key-1:0")


# -- subjects ------------------------------------------------------------------------------


def test_petition_subject_is_built_from_province_and_id() -> None:
    assert petition_subject("01", "019cac54476c73a99e1f0b7d22c49e61") == (
        "petitions.events.01.019cac54476c73a99e1f0b7d22c49e61"
    )
    assert petition_subject_any_province("p_1-a") == "petitions.events.*.p_1-a"


@pytest.mark.parametrize("bad", ["a.b", "a b", "*", ">", "Hà-Nội", "Đà_Nẵng", "", "x\t", "x" * 129], ids=repr)
def test_petition_subject_rejects_an_invalid_token(bad: str) -> None:
    with pytest.raises(InvalidSubjectToken):
        petition_subject(bad, "p-1")
    with pytest.raises(InvalidSubjectToken):
        petition_subject("01", bad)


def test_durable_name_joins_service_and_purpose() -> None:
    assert durable_name("reporting", "petitions") == "reporting-petitions"
    assert durable_name("notify", "citizen-notices") == "notify-citizen-notices"
    with pytest.raises(InvalidSubjectToken):
        durable_name("reporting", "đơn.thư")


def _encoded_through_dicts(meta: EventMeta, event: DomainEvent) -> bytes:
    """The envelope as json.dumps writes it from pydantic's dicts: what encode wrote before
    pydantic wrote the JSON itself. An unset command fingerprint is not written at all, nor
    are an actor's unset role, unit and agency."""
    body = meta.model_dump(mode="json")
    if body["command_fingerprint"] is None:
        del body["command_fingerprint"]
    for name in ("role", "unit_code", "agency_code"):
        if body["actor"][name] is None:
            del body["actor"][name]
    body["type"] = event.type
    body["data"] = event.model_dump(mode="json", exclude={"type"})
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.mark.parametrize("stem", CURRENT)
def test_encode_writes_the_bytes_json_dumps_writes(stem: str) -> None:
    decoded = REGISTRY.decode((GOLDEN / f"{stem}.json").read_bytes())
    assert isinstance(decoded, Envelope)
    assert REGISTRY.encode(decoded.meta, decoded.event)[0] == _encoded_through_dicts(
        decoded.meta, decoded.event
    )


def test_encode_writes_awkward_text_as_json_dumps_does() -> None:
    decoded = REGISTRY.decode((GOLDEN / "petition.received.v1.json").read_bytes())
    assert isinstance(decoded, Envelope)
    text = 'Trích "lời" cử tri\\ ngày 5/6:\n\tđường\u2028hỏng \x01 \U0001f600 </script> ¿ 𝔘'
    event = decoded.event.model_copy(update={"content": text})
    meta = decoded.meta.model_copy(update={"correlation_id": 'tương-quan/"1"'})
    body, _ = REGISTRY.encode(meta, event)
    assert body == _encoded_through_dicts(meta, event)
    again = REGISTRY.decode(body)
    assert isinstance(again, Envelope) and again.event == event and again.meta == meta


@pytest.mark.parametrize(
    "principal",
    [
        {"role": "clerk", "unit_code": "01"},
        {"role": "agency_officer", "unit_code": "15", "agency_code": "SO-XD-LAOCAI"},
    ],
)
def test_an_actors_principal_is_written_only_when_set_and_read_back(principal: dict[str, str]) -> None:
    decoded = REGISTRY.decode((GOLDEN / "petition.assigned.v1.json").read_bytes())
    assert isinstance(decoded, Envelope)
    plain = REGISTRY.encode(decoded.meta, decoded.event)[0]
    assert b'"role"' not in plain and b"unit_code" not in plain.split(b'"data"')[0]
    actor = decoded.meta.actor.model_copy(update=principal)
    for fingerprint in (None, "cd" * 32):
        meta = decoded.meta.model_copy(update={"actor": actor, "command_fingerprint": fingerprint})
        body, _ = REGISTRY.encode(meta, decoded.event)
        assert body == _encoded_through_dicts(meta, decoded.event)
        again = REGISTRY.decode(body)
        assert isinstance(again, Envelope) and again.meta.actor == actor


def test_a_command_fingerprint_is_written_only_when_set_and_read_back() -> None:
    decoded = REGISTRY.decode((GOLDEN / "petition.assigned.v1.json").read_bytes())
    assert isinstance(decoded, Envelope) and decoded.meta.command_fingerprint is None
    assert b"command_fingerprint" not in REGISTRY.encode(decoded.meta, decoded.event)[0]
    meta = decoded.meta.model_copy(update={"command_fingerprint": "ab" * 32})
    body, _ = REGISTRY.encode(meta, decoded.event)
    assert body == _encoded_through_dicts(meta, decoded.event)
    again = REGISTRY.decode(body)
    assert (
        again.meta == meta
        and again.meta.model_fields_set == EventMeta.model_validate_json(body).model_fields_set
    )
