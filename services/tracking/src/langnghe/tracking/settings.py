"""Settings of the tracking service (environment prefix `LN_TRACKING_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from langnghe.runtime.settings import ServiceSettings


class TrackingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LN_TRACKING_", frozen=True, extra="ignore")
