"""Each service's `create_app` makes its authenticator available (`app.state.authenticator`),
built from the settings `langnghe up` passes: a token minted from the data directory's
embedded issuer is verified by it, through the route dependency every route declares."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from tests.service.harness import NO_NATS

from langnghe.runtime.auth import CurrentPrincipal, Role
from langnghe.runtime.auth.oidc import NoIssuerAuthenticator
from langnghe.runtime.http import install_error_handlers
from langnghe.runtime.settings import ServiceSettings
from langnghe.tools.issuer import mint_token, rotate, service_auth_env

SERVICES = ("intake", "tracking", "notify", "reporting")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("LN_"):
            monkeypatch.delenv(name)


def service_app(service: str, tmp_path: Path, **kw: Any) -> FastAPI:
    settings_module = importlib.import_module(f"langnghe.{service}.settings")
    cls: type[ServiceSettings] = getattr(settings_module, f"{service.capitalize()}Settings")
    settings = cls(
        nats_url=NO_NATS,
        database_url=f"sqlite+aiosqlite:///{tmp_path / f'{service}.db'}",
        http_port=8000,
        log_format="console",
    )
    create_app: Callable[..., FastAPI] = importlib.import_module(f"langnghe.{service}.app").create_app
    return create_app(settings, **kw)


def who_am_i(authenticator: Any) -> FastAPI:
    """A route of this test's own, declaring the principal as the services' routes do, with
    the service's authenticator and the services' error handlers."""
    app = FastAPI()
    app.state.authenticator = authenticator
    install_error_handlers(app)

    @app.get("/me")
    def me(principal: CurrentPrincipal) -> dict[str, Any]:
        return {
            "subject": principal.subject,
            "role": principal.role.value,
            "unit_code": principal.unit_code,
            "agency_code": principal.agency_code,
        }

    return app


async def get_me(app: FastAPI, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/me", headers=headers)


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_verifies_tokens_of_the_embedded_issuer(
    service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "var"
    for name, value in service_auth_env(service, data_dir).items():
        monkeypatch.setenv(name, value)
    app = who_am_i(service_app(service, tmp_path).state.authenticator)

    token = mint_token(data_dir, "agency_officer", "15", "SO-XD-LAOCAI", subject="officer-9")
    answered = await get_me(app, token)
    assert answered.status_code == 200, answered.text
    assert answered.json() == {
        "subject": "officer-9",
        "role": "agency_officer",
        "unit_code": "15",
        "agency_code": "SO-XD-LAOCAI",
    }

    anonymous = await get_me(app, None)
    assert anonymous.json()["role"] == "public"

    other_issuer = mint_token(tmp_path / "another-machine", "ops", "01")
    refused = await get_me(app, other_issuer)
    assert refused.status_code == 401
    error = refused.json()["errors"][0]
    assert error["code"] == "auth.required" and "JWKS" in error["message"]

    rotate(data_dir)
    assert (await get_me(app, token)).status_code == 200  # signed by the retired key, not expired
    fresh = mint_token(data_dir, "ops", "01")
    assert (await get_me(app, fresh)).json()["role"] == "ops"


@pytest.mark.parametrize("service", SERVICES)
def test_create_app_takes_a_given_authenticator(service: str, tmp_path: Path) -> None:
    given = NoIssuerAuthenticator()
    assert service_app(service, tmp_path, authenticator=given).state.authenticator is given


async def test_a_service_without_issuer_serves_the_public_and_refuses_tokens(tmp_path: Path) -> None:
    app = who_am_i(service_app("intake", tmp_path).state.authenticator)
    assert (await get_me(app, None)).json()["role"] == Role.PUBLIC.value
    refused = await get_me(app, mint_token(tmp_path, "clerk", "01"))
    assert refused.status_code == 401 and refused.json()["errors"][0]["code"] == "auth.required"
