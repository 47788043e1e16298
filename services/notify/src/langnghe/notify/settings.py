"""Settings of the notify service (environment prefix `LN_NOTIFY_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from langnghe.runtime.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LN_NOTIFY_", frozen=True, extra="ignore")
