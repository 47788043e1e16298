"""The auth settings, the authenticator they build, and the event actor of a principal."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from langnghe.domain.errors import DomainError
from langnghe.runtime.auth import ANONYMOUS, Principal, Role, actor_of
from langnghe.runtime.auth.actor import ACTOR_KIND
from langnghe.runtime.auth.build import build_authenticator
from langnghe.runtime.auth.oidc import NoIssuerAuthenticator, OidcAuthenticator
from langnghe.runtime.settings import ServiceSettings
from langnghe.tools.issuer import LOCAL_ISSUER, mint_token, service_auth_env

BASE: dict[str, Any] = {
    "nats_url": "nats://127.0.0.1:14222",
    "database_url": "sqlite+aiosqlite:///var/x.db",
    "http_port": 8701,
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("LN_"):
            monkeypatch.delenv(name)


def test_without_an_issuer_every_token_is_refused() -> None:
    settings = ServiceSettings(**BASE)
    assert settings.auth_audience == "langnghe" and settings.auth_clock_skew_s == 30.0
    authenticator = build_authenticator(settings)
    assert isinstance(authenticator, NoIssuerAuthenticator)
    with pytest.raises(DomainError) as caught:
        authenticator.authenticate("a.b.c")
    assert caught.value.status == 401


@pytest.mark.parametrize(
    "auth",
    [
        {"auth_issuer": "https://id.example"},  # no key source
        {
            "auth_issuer": "https://id.example",
            "auth_jwks_url": "https://x/certs",
            "auth_jwks_file": "/k.json",
        },
        {"auth_jwks_url": "https://x/certs"},  # keys without an issuer
        {"auth_issuer": "https://id.example", "auth_jwks_url": "ftp://x/certs"},
        {"auth_issuer": "https://id.example", "auth_jwks_file": "/k.json", "auth_clock_skew_s": 3600},
    ],
)
def test_inconsistent_auth_settings_fail_fast(auth: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ServiceSettings(**BASE, **auth)


@pytest.mark.parametrize("service", ["intake", "tracking", "notify", "reporting"])
def test_the_launchers_env_names_are_the_settings(
    service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `langnghe up` sets is what each service's settings read, and it builds a verifier
    that accepts a token minted from the same data directory."""
    import importlib

    module = importlib.import_module(f"langnghe.{service}.settings")
    cls: type[ServiceSettings] = getattr(module, f"{service.capitalize()}Settings")
    for name, value in service_auth_env(service, tmp_path).items():
        monkeypatch.setenv(name, value)
    settings = cls(**BASE)
    assert settings.auth_issuer == LOCAL_ISSUER and settings.auth_jwks_file is not None
    authenticator = build_authenticator(settings)
    assert isinstance(authenticator, OidcAuthenticator)
    token = mint_token(tmp_path, "mttq_overseer", "01")
    assert authenticator.authenticate(token) == Principal("local-mttq_overseer-01", Role.MTTQ_OVERSEER, "01")


def test_every_role_has_an_actor_kind() -> None:
    assert set(ACTOR_KIND) == set(Role)
    assert {r: ACTOR_KIND[r] for r in Role} == {
        Role.PUBLIC: "citizen",
        Role.CLERK: "clerk",
        Role.AGENCY_OFFICER: "agency",
        Role.UNIT_LEADER: "official",
        Role.MTTQ_OVERSEER: "mttq",
        Role.OPS: "system",
    }


def test_the_actor_of_a_principal_carries_its_subject_role_unit_and_agency() -> None:
    officer = Principal("kc-5f1e", Role.AGENCY_OFFICER, "15", "SO-XD-LAOCAI")
    actor = actor_of(officer)
    assert (actor.kind, actor.ref, actor.role, actor.unit_code, actor.agency_code) == (
        "agency",
        "kc-5f1e",
        "agency_officer",
        "15",
        "SO-XD-LAOCAI",
    )
    leader = actor_of(Principal("kc-77", Role.UNIT_LEADER, "00229"))
    assert (leader.kind, leader.ref, leader.role, leader.unit_code, leader.agency_code) == (
        "official",
        "kc-77",
        "unit_leader",
        "00229",
        None,
    )


def test_the_anonymous_public_is_a_bare_citizen() -> None:
    actor = actor_of(ANONYMOUS)
    assert (actor.kind, actor.ref, actor.role, actor.unit_code) == ("citizen", "anonymous", None, None)
