"""Typed settings, read at the edge (never at import time), failing fast on bad values.

Each service subclasses `ServiceSettings` with its own env prefix, e.g. `LN_INTAKE_`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Documented defaults. They avoid 4222, where an unrelated system NATS may listen.
DEFAULT_NATS_PORT = 14222
DEFAULT_NATS_MONITOR_PORT = 18222
DEFAULT_HTTP_PORTS = {"intake": 8701, "tracking": 8702, "notify": 8703, "reporting": 8704}


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    nats_url: str = Field(description="NATS server URL(s), comma separated")
    database_url: str = Field(
        description="SQLAlchemy async URL: sqlite+aiosqlite:///… or postgresql+asyncpg://…"
    )
    http_host: str = "127.0.0.1"
    http_port: int = Field(ge=1, le=65535)
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    graceful_timeout: float = Field(default=15.0, gt=0)
    run_migrations: bool = Field(default=True, description="Upgrade the database schema at start")

    @field_validator("nats_url")
    @classmethod
    def _nats_scheme(cls, value: str) -> str:
        for url in value.split(","):
            if not url.strip().startswith(("nats://", "tls://", "ws://", "wss://")):
                raise ValueError(f"unsupported NATS URL {url!r}: use nats:// or tls://")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "database_url must use an async driver: sqlite+aiosqlite:///path or postgresql+asyncpg://…"
            )
        return value

    @property
    def nats_servers(self) -> list[str]:
        return [u.strip() for u in self.nats_url.split(",")]


class ProvisionSettings(BaseSettings):
    """Settings of the provisioning command (env prefix `LN_PROVISION_`)."""

    model_config = SettingsConfigDict(env_prefix="LN_PROVISION_", frozen=True, extra="ignore")

    nats_url: str
    replicas: int = Field(default=1, description="1 embedded, 3 in production; never 2")

    @field_validator("replicas")
    @classmethod
    def _never_two(cls, value: int) -> int:
        if value not in (1, 3, 5):
            raise ValueError("replicas must be 1 (embedded) or 3/5 (production); R2 gives no safety")
        return value
