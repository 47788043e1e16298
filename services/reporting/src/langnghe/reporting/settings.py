"""Settings of the reporting service (environment prefix `LN_REPORTING_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from langnghe.runtime.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LN_REPORTING_", frozen=True, extra="ignore")
