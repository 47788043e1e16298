"""Typed settings, read at the edge (never at import time), failing fast on bad values.

Each service subclasses `ServiceSettings` with its own env prefix, e.g. `LN_INTAKE_`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator
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
    # Identity (see langnghe.runtime.auth.oidc): bearer tokens are JWTs of this issuer for
    # this audience, verified against its JWKS, read from a URL (an OIDC provider) or a file
    # (the embedded issuer of `langnghe up`). With no issuer, every token is refused and
    # only anonymous requests are served.
    auth_issuer: str | None = Field(default=None, description="The token issuer (`iss`), exactly")
    auth_audience: str = Field(
        default="langnghe", min_length=1, description="The audience (`aud`) tokens must name"
    )
    auth_jwks_url: str | None = Field(default=None, description="The issuer's JWKS URL (http or https)")
    auth_jwks_file: Path | None = Field(default=None, description="A JWKS file (the embedded issuer's)")
    auth_clock_skew_s: float = Field(
        default=30.0, ge=0, le=300, description="Clock skew allowed on exp, nbf and iat"
    )
    auth_jwks_max_age_s: float = Field(
        default=300.0, gt=0, description="The JWKS is read again when older than this"
    )

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

    @field_validator("auth_jwks_url")
    @classmethod
    def _jwks_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError(f"auth_jwks_url must be an http(s) URL, not {value!r}")
        return value

    @model_validator(mode="after")
    def _one_key_source(self) -> Self:
        sources = [s for s in (self.auth_jwks_url, self.auth_jwks_file) if s is not None]
        if self.auth_issuer is None and sources:
            raise ValueError("auth_jwks_url/auth_jwks_file given without auth_issuer")
        if self.auth_issuer is not None and len(sources) != 1:
            raise ValueError("with auth_issuer, give exactly one of auth_jwks_url and auth_jwks_file")
        return self

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
