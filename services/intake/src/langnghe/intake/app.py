"""The intake service's single wiring point."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from langnghe.contracts.codec import REGISTRY
from langnghe.contracts.subjects import PETITION_EVENTS
from langnghe.intake.adapters.vault import SqlVault
from langnghe.intake.entrypoints import http
from langnghe.intake.settings import IntakeSettings
from langnghe.runtime.http import correlation_middleware, install_error_handlers, ops_router
from langnghe.runtime.service import ServiceRuntime

DESCRIPTION = "Tiếp nhận ý kiến, kiến nghị của người dân; kho dữ liệu cá nhân (vault)."


def create_app(settings: IntakeSettings) -> FastAPI:
    runtime = ServiceRuntime(
        "intake", settings, migrations=Path(__file__).parent / "migrations", description=DESCRIPTION
    )
    # Documented in AsyncAPI: what intake appends to the event store.
    runtime.broker.publisher(
        f"{PETITION_EVENTS}.{{province_code}}.{{petition_id}}",
        title="petition.received",
        description="PetitionReceived, appended by intake (one subject per petition)",
        schema=REGISTRY.model("petition.received"),
    )
    app = FastAPI(title="Lắng Nghe — intake", description=DESCRIPTION, lifespan=runtime.lifespan)
    app.state.runtime = runtime
    install_error_handlers(app)
    correlation_middleware(app)
    app.include_router(ops_router(runtime))
    # The store is looked up per request: the NATS connection exists once the app has started.
    app.include_router(http.router(SqlVault(runtime.sessions), lambda: runtime.store))
    return app
