"""The tracking service's single wiring point."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from langnghe.contracts.codec import REGISTRY
from langnghe.contracts.consumers import TRACKING_CASES
from langnghe.contracts.subjects import PETITION_EVENTS
from langnghe.runtime.http import correlation_middleware, install_error_handlers, ops_router
from langnghe.runtime.service import ServiceRuntime
from langnghe.tracking.adapters.cases import CaseInbox
from langnghe.tracking.entrypoints import http
from langnghe.tracking.settings import TrackingSettings

DESCRIPTION = "Theo dõi giải quyết kiến nghị: giao việc, hẹn ngày, trả lời."


def create_app(settings: TrackingSettings) -> FastAPI:
    runtime = ServiceRuntime(
        "tracking", settings, migrations=Path(__file__).parent / "migrations", description=DESCRIPTION
    )
    runtime.add_consumer(TRACKING_CASES, CaseInbox(), title="tracking-cases")
    for type_name in ("petition.assigned", "petition.answered"):
        runtime.broker.publisher(
            f"{PETITION_EVENTS}.{{province_code}}.{{petition_id}}",
            title=type_name,
            description=f"{type_name}, appended by tracking with the concurrency check",
            schema=REGISTRY.model(type_name),
        )
    app = FastAPI(title="Lắng Nghe — tracking", description=DESCRIPTION, lifespan=runtime.lifespan)
    app.state.runtime = runtime
    install_error_handlers(app)
    correlation_middleware(app)
    app.include_router(ops_router(runtime))
    app.include_router(http.router(lambda: runtime.store, runtime.sessions))
    return app
