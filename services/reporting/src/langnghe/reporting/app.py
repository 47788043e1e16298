"""The reporting service's single wiring point."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from langnghe.contracts.consumers import REPORTING_OVERSIGHT_FEED, REPORTING_PETITIONS
from langnghe.contracts.oversight_feed import MESSAGE_MODELS
from langnghe.contracts.subjects import OVERSIGHT_FEED
from langnghe.reporting.adapters.oversight_publisher import JetStreamFeedPublisher
from langnghe.reporting.entrypoints import petitions, projection_rebuild
from langnghe.reporting.projections.oversight_feed import OversightFeedProjector
from langnghe.reporting.projections.petition_view import PetitionView
from langnghe.reporting.settings import ReportingSettings
from langnghe.runtime.auth import Authenticator
from langnghe.runtime.auth.build import build_authenticator
from langnghe.runtime.http import correlation_middleware, install_error_handlers
from langnghe.runtime.ops_routes import ops_router
from langnghe.runtime.rebuild import RebuildReport, rebuild
from langnghe.runtime.service import ServiceRuntime

DESCRIPTION = "Báo cáo phục vụ giám sát của Mặt trận Tổ quốc: tình trạng từng kiến nghị và số liệu tổng hợp."


def create_app(settings: ReportingSettings, *, authenticator: Authenticator | None = None) -> FastAPI:
    """The reporting app. `authenticator` replaces the one the settings describe."""
    runtime = ServiceRuntime(
        "reporting", settings, migrations=Path(__file__).parent / "migrations", description=DESCRIPTION
    )
    view = PetitionView()
    runtime.add_consumer(REPORTING_PETITIONS, view, title="reporting-petitions")
    feed = OversightFeedProjector(JetStreamFeedPublisher(lambda: runtime.nc))
    runtime.add_consumer(REPORTING_OVERSIGHT_FEED, feed, title="reporting-oversight-feed")
    for kind, model in MESSAGE_MODELS.items():  # documented in AsyncAPI: what the projector publishes
        runtime.broker.publisher(
            f"{OVERSIGHT_FEED}.{{province_code}}.{kind.value}",
            title=f"oversight {kind.value}",
            description=f"The oversight feed's {kind.value} messages (docs/oversight-feed.md)",
            schema=model,
        )

    async def ensure_active_generation() -> None:
        async with runtime.sessions() as session:
            active = await view.active_generation(session)
        await view.create_generation(runtime.engine, active)

    async def run_rebuild() -> RebuildReport:
        # The stream is received by a helper process, on the URLs this service connects with.
        return await rebuild(
            runtime.nc.jetstream(),
            runtime.engine,
            runtime.sessions,
            view,
            REPORTING_PETITIONS,
            servers=settings.nats_servers,
        )

    runtime.on_startup.append(ensure_active_generation)
    app = FastAPI(title="Lắng Nghe — reporting", description=DESCRIPTION, lifespan=runtime.lifespan)
    app.state.runtime = runtime
    app.state.authenticator = authenticator if authenticator is not None else build_authenticator(settings)
    app.state.view = view
    app.state.rebuild = projection_rebuild.ProjectionRebuild(run_rebuild)
    install_error_handlers(app)
    correlation_middleware(app)
    app.include_router(ops_router)
    app.include_router(petitions.router)
    app.include_router(projection_rebuild.router)
    return app
