"""Settings fail fast at the edge: missing or unsafe values stop the process before it starts."""

from __future__ import annotations

import importlib
import os
from typing import Any

import pytest
from pydantic import ValidationError

from langnghe.runtime.settings import DEFAULT_HTTP_PORTS, ProvisionSettings, ServiceSettings

SERVICES = tuple(DEFAULT_HTTP_PORTS)
GOOD: dict[str, Any] = {
    "nats_url": "nats://127.0.0.1:14222",
    "database_url": "sqlite+aiosqlite:///var/x.db",
    "http_port": 8701,
}


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"langnghe.{service}.settings")
    cls: type[ServiceSettings] = getattr(module, f"{service.capitalize()}Settings")
    assert issubclass(cls, ServiceSettings)
    return cls


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("LN_"):
            monkeypatch.delenv(name)


def errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {".".join(str(p) for p in e["loc"]): e["type"] for e in exc.value.errors()}


@pytest.mark.parametrize("service", SERVICES)
def test_missing_required_settings_fail_fast(service: str) -> None:
    with pytest.raises(ValidationError) as caught:
        settings_class(service)()
    assert errors(caught) == {"nats_url": "missing", "database_url": "missing", "http_port": "missing"}


@pytest.mark.parametrize("service", SERVICES)
def test_settings_are_read_from_the_service_prefix(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = f"LN_{service.upper()}_"
    monkeypatch.setenv(f"{prefix}NATS_URL", "nats://a:4222, tls://b:4222")
    monkeypatch.setenv(f"{prefix}DATABASE_URL", "postgresql+asyncpg://ln@db/ln")
    monkeypatch.setenv(f"{prefix}HTTP_PORT", str(DEFAULT_HTTP_PORTS[service]))
    settings = settings_class(service)()
    assert settings.nats_servers == ["nats://a:4222", "tls://b:4222"]
    assert settings.database_url == "postgresql+asyncpg://ln@db/ln"
    assert settings.http_port == DEFAULT_HTTP_PORTS[service]


def test_another_services_prefix_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LN_INTAKE_NATS_URL", "nats://a:4222")
    with pytest.raises(ValidationError) as caught:
        settings_class("tracking")(database_url=GOOD["database_url"], http_port=8702)
    assert errors(caught) == {"nats_url": "missing"}


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(
    "url",
    ["postgresql://ln@db/ln", "postgresql+psycopg2://ln@db/ln", "sqlite:///var/x.db", "mysql+aiomysql://x"],
)
def test_sync_database_driver_is_refused(service: str, url: str) -> None:
    with pytest.raises(ValidationError, match="async driver") as caught:
        settings_class(service)(**{**GOOD, "database_url": url})
    assert list(errors(caught)) == ["database_url"]


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("url", ["http://127.0.0.1:14222", "127.0.0.1:14222", "nats://a:4222,redis://b:6379"])
def test_non_nats_url_is_refused(service: str, url: str) -> None:
    with pytest.raises(ValidationError, match="unsupported NATS URL") as caught:
        settings_class(service)(**{**GOOD, "nats_url": url})
    assert list(errors(caught)) == ["nats_url"]


@pytest.mark.parametrize("port", [0, 65536, -1])
def test_http_port_out_of_range_is_refused(port: int) -> None:
    with pytest.raises(ValidationError) as caught:
        settings_class("intake")(**{**GOOD, "http_port": port})
    assert list(errors(caught)) == ["http_port"]


def test_provisioning_refuses_two_replicas() -> None:
    with pytest.raises(ValidationError, match="R2 gives no safety") as caught:
        ProvisionSettings(nats_url="nats://127.0.0.1:14222", replicas=2)
    assert list(errors(caught)) == ["replicas"]


@pytest.mark.parametrize("replicas", [1, 3, 5])
def test_provisioning_accepts_one_three_or_five_replicas(replicas: int) -> None:
    assert ProvisionSettings(nats_url="nats://127.0.0.1:14222", replicas=replicas).replicas == replicas


def test_provisioning_reads_its_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LN_PROVISION_NATS_URL", "nats://nats-1:4222")
    monkeypatch.setenv("LN_PROVISION_REPLICAS", "2")
    with pytest.raises(ValidationError):
        ProvisionSettings()
    monkeypatch.setenv("LN_PROVISION_REPLICAS", "3")
    assert ProvisionSettings().replicas == 3
