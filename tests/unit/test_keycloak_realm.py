"""Static checks of the Keycloak realm export and its wiring in docker-compose.yml (no Docker
engine here): every role has a user whose attributes give a token the services accept, the
client has the audience and claim mappers, and the services' auth settings point at it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from langnghe.domain.units.current import is_current_code
from langnghe.runtime.auth import Role
from langnghe.runtime.auth.oidc import CLAIM_AGENCY, CLAIM_ROLE, CLAIM_UNIT, parse_claims
from langnghe.runtime.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
REALM_FILE = ROOT / "deploy" / "keycloak" / "langnghe-realm.json"
SERVICES = ("intake", "tracking", "notify", "reporting")
CLAIMS = (CLAIM_ROLE, CLAIM_UNIT, CLAIM_AGENCY)


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


def client(realm: dict[str, Any]) -> dict[str, Any]:
    (found,) = [c for c in realm["clients"] if c["clientId"] == "langnghe"]
    return found


def test_the_realm_is_langnghe_with_short_lived_tokens(realm: dict[str, Any]) -> None:
    assert realm["realm"] == "langnghe" and realm["enabled"] is True
    assert realm["accessTokenLifespan"] <= 900


def test_every_role_is_a_realm_role_and_has_a_user_whose_claims_the_services_accept(
    realm: dict[str, Any],
) -> None:
    signed_in = {r.value for r in Role} - {Role.PUBLIC.value}
    assert {r["name"] for r in realm["roles"]["realm"]} == signed_in
    by_role: dict[str, list[dict[str, Any]]] = {}
    for user in realm["users"]:
        attributes = user["attributes"]
        assert all(len(v) == 1 for v in attributes.values()), user["username"]
        claims = {"sub": user["username"], **{k: v[0] for k, v in attributes.items() if k in CLAIMS}}
        principal = parse_claims(claims)  # raises for a user whose token would be refused
        assert user["realmRoles"] == [principal.role.value], "the realm role and ln_role agree"
        assert principal.unit_code is not None and is_current_code(principal.unit_code)
        assert user["enabled"] and user["emailVerified"] and user["firstName"] and user["lastName"]
        (credential,) = user["credentials"]
        assert credential == {"type": "password", "value": "langnghe-dev", "temporary": False}
        by_role.setdefault(principal.role.value, []).append(user)
    assert set(by_role) == signed_in


def test_the_client_puts_the_audience_and_the_three_claims_into_access_tokens(realm: dict[str, Any]) -> None:
    mappers = {m["name"]: m for m in client(realm)["protocolMappers"]}
    (audience,) = [m for m in mappers.values() if m["protocolMapper"] == "oidc-audience-mapper"]
    assert audience["config"]["included.client.audience"] == "langnghe"
    assert audience["config"]["access.token.claim"] == "true"
    for claim in CLAIMS:
        config = mappers[claim]["config"]
        assert mappers[claim]["protocolMapper"] == "oidc-usermodel-attribute-mapper"
        assert (config["user.attribute"], config["claim.name"]) == (claim, claim)
        assert config["access.token.claim"] == "true" and config["multivalued"] == "false"
        assert config["jsonType.label"] == "String"


def test_only_administrators_may_set_a_users_role_unit_and_agency(realm: dict[str, Any]) -> None:
    (provider,) = realm["components"]["org.keycloak.userprofile.UserProfileProvider"]
    (config,) = provider["config"]["kc.user.profile.config"]
    attributes = {a["name"]: a for a in json.loads(config)["attributes"]}
    assert {"username", "email", "firstName", "lastName"} <= set(attributes)
    for claim in CLAIMS:
        assert attributes[claim]["permissions"]["edit"] == ["admin"]


def test_keycloak_runs_pinned_with_the_realm_imported(compose: dict[str, Any]) -> None:
    keycloak = compose["services"]["keycloak"]
    image, _, tag = keycloak["image"].partition(":")
    assert image == "quay.io/keycloak/keycloak" and tag.split(".")[0] == "26" and tag.count(".") == 2
    assert "--import-realm" in keycloak["command"]
    hostname = next(a for a in keycloak["command"] if a.startswith("--hostname="))
    assert hostname == "--hostname=http://localhost:18080"
    (volume,) = keycloak["volumes"]
    source, target, mode = volume.split(":")
    assert (ROOT / source).resolve() == REALM_FILE and target.startswith("/opt/keycloak/data/import/")
    assert mode == "ro"
    assert keycloak["ports"] == ["127.0.0.1:18080:8080"]


@pytest.mark.parametrize("svc", SERVICES)
def test_each_service_verifies_tokens_of_the_realm(
    compose: dict[str, Any], svc: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    env = {k: str(v) for k, v in compose["services"][svc]["environment"].items()}
    prefix = f"LN_{svc.upper()}_"
    assert env[f"{prefix}AUTH_ISSUER"] == "http://localhost:18080/realms/langnghe"
    assert (
        env[f"{prefix}AUTH_JWKS_URL"] == "http://keycloak:8080/realms/langnghe/protocol/openid-connect/certs"
    )
    assert env[f"{prefix}AUTH_AUDIENCE"] == client(json.loads(REALM_FILE.read_text()))["clientId"]
    for key in list(os.environ):
        if key.startswith(prefix):
            monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith(f"{prefix}AUTH_"):
            monkeypatch.setenv(key, value)
    cls: type[ServiceSettings] = getattr(
        importlib.import_module(f"langnghe.{svc}.settings"), f"{svc.capitalize()}Settings"
    )
    settings = cls(nats_url="nats://nats:4222", database_url="sqlite+aiosqlite:///x.db", http_port=8000)
    assert (settings.auth_issuer, settings.auth_jwks_url, settings.auth_audience) == (
        env[f"{prefix}AUTH_ISSUER"],
        env[f"{prefix}AUTH_JWKS_URL"],
        "langnghe",
    )
