"""Settings of the tracking service (environment prefix `LN_TRACKING_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from langnghe.runtime.settings import ServiceSettings


class TrackingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LN_TRACKING_", frozen=True, extra="ignore")

    reconcile_every_s: float = Field(
        default=900.0,
        gt=0,
        description="How often the deadline reconciler checks for marks a lost timer missed",
    )
