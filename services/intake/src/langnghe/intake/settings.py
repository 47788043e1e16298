"""Settings of the intake service (environment prefix `LN_INTAKE_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from langnghe.runtime.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LN_INTAKE_", frozen=True, extra="ignore")

    vault_sweep_age_s: float = Field(
        default=300.0,
        gt=0,
        description="A submission whose event the store has not confirmed after this many seconds "
        "is finished by the vault sweeper (well above a request's own retries, about 15 s)",
    )
    vault_sweep_every_s: float = Field(default=60.0, gt=0, description="How often the vault sweeper runs")
