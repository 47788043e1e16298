"""Settings of the intake service (environment prefix `LN_INTAKE_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from langnghe.runtime.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LN_INTAKE_", frozen=True, extra="ignore")
