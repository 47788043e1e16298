"""The notify service's single wiring point."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from langnghe.contracts.consumers import NOTIFY_CITIZEN
from langnghe.notify.adapters.channels import DevChannel, NoticeChannel
from langnghe.notify.adapters.ledger import DeliveryLedger, JetStreamDeliveryLedger
from langnghe.notify.entrypoints import notices
from langnghe.notify.policies.notify_citizen import WhenPetitionAnsweredNotifyCitizen
from langnghe.notify.settings import NotifySettings
from langnghe.runtime.auth import Authenticator
from langnghe.runtime.auth.build import build_authenticator
from langnghe.runtime.http import correlation_middleware, install_error_handlers
from langnghe.runtime.ops_routes import ops_router
from langnghe.runtime.service import ServiceRuntime

DESCRIPTION = "Gửi thông báo cho người dân khi kiến nghị được trả lời (kênh phát triển: ghi vào bảng)."


def create_app(
    settings: NotifySettings,
    *,
    channel: NoticeChannel | None = None,
    ledger: DeliveryLedger | None = None,
    authenticator: Authenticator | None = None,
) -> FastAPI:
    """The notify app. `channel` replaces the development channel (a table of sent notices);
    `ledger` the delivery ledger in JetStream (`NOTIFY_DELIVERIES`); `authenticator` the one
    the settings describe."""
    runtime = ServiceRuntime(
        "notify", settings, migrations=Path(__file__).parent / "migrations", description=DESCRIPTION
    )
    runtime.add_consumer(
        NOTIFY_CITIZEN,
        WhenPetitionAnsweredNotifyCitizen(
            channel if channel is not None else DevChannel(),
            ledger if ledger is not None else JetStreamDeliveryLedger(lambda: runtime.nc.jetstream()),
        ),
        title="notify-citizen-notices",
    )
    app = FastAPI(title="Lắng Nghe — notify", description=DESCRIPTION, lifespan=runtime.lifespan)
    app.state.runtime = runtime
    app.state.authenticator = authenticator if authenticator is not None else build_authenticator(settings)
    install_error_handlers(app)
    correlation_middleware(app)
    app.include_router(ops_router)
    app.include_router(notices.router)
    return app
