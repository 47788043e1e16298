"""The tracking service's single wiring point."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from langnghe.contracts.codec import REGISTRY
from langnghe.contracts.consumers import TRACKING_CASES, TRACKING_POLICY, TRACKING_TIMERS
from langnghe.contracts.events.petition import PETITION_EVENTS as PETITION_EVENT_TYPES
from langnghe.contracts.events.petition import PetitionReceived
from langnghe.contracts.events.timer import TimerFired
from langnghe.contracts.subjects import PETITION_EVENTS, TIMER_SCHEDULES
from langnghe.runtime.auth import Authenticator
from langnghe.runtime.auth.build import build_authenticator
from langnghe.runtime.eventstore import EventStore
from langnghe.runtime.http import correlation_middleware, install_error_handlers
from langnghe.runtime.ops_routes import ops_router
from langnghe.runtime.service import ServiceRuntime
from langnghe.tracking.adapters.schedules import TimerSchedules
from langnghe.tracking.entrypoints import cases, petition_commands
from langnghe.tracking.policies.deadline_reconciler import reconcile
from langnghe.tracking.policies.petition_follow_up import PetitionPolicy
from langnghe.tracking.policies.timer_fired import TimerFiredPolicy
from langnghe.tracking.projections.case_inbox import CaseInbox
from langnghe.tracking.settings import TrackingSettings

DESCRIPTION = (
    "Theo dõi giải quyết kiến nghị: xử lý tại hội nghị, giao việc, thụ lý, hẹn ngày, gia hạn, "
    "chuyển cấp, trả lời, công khai, ý kiến người dân, mở lại, kết thúc; nhắc hạn và quá hạn."
)


def create_app(
    settings: TrackingSettings,
    *,
    store: EventStore | None = None,
    authenticator: Authenticator | None = None,
) -> FastAPI:
    """The tracking app. `store` replaces the JetStream event store for the routes, the
    policies and the reconciler; `authenticator` the one the settings describe. Tracking
    still needs NATS with any store: its consumers are durable JetStream consumers, and its
    deadline timers are server-side message schedules."""
    runtime = ServiceRuntime(
        "tracking",
        settings,
        migrations=Path(__file__).parent / "migrations",
        description=DESCRIPTION,
        store=store,
    )
    runtime.add_consumer(TRACKING_CASES, CaseInbox(), title="tracking-cases")
    runtime.add_consumer(
        TRACKING_POLICY,
        PetitionPolicy(lambda: runtime.store, lambda: TimerSchedules(runtime.nc.jetstream())),
        title="tracking-policy",
    )
    runtime.add_consumer(TRACKING_TIMERS, TimerFiredPolicy(lambda: runtime.store), title="tracking-timers")

    async def reconcile_deadlines() -> None:
        await reconcile(runtime.sessions, runtime.store)

    runtime.add_periodic("deadline-reconciler", settings.reconcile_every_s, reconcile_deadlines)
    # Documented in AsyncAPI: what tracking appends (every petition fact but the receipt, which
    # is intake's, except for the petitions it opens for MTTQ recommendations) and schedules.
    for model in PETITION_EVENT_TYPES:
        if model is PetitionReceived:
            continue
        type_name = model.type_name()
        runtime.broker.publisher(
            f"{PETITION_EVENTS}.{{province_code}}.{{petition_id}}",
            title=type_name,
            description=f"{type_name}, appended by tracking with the concurrency check",
            schema=REGISTRY.model(type_name),
        )
    runtime.broker.publisher(
        f"{TIMER_SCHEDULES}.{{petition_id}}.{{timer}}",
        title=TimerFired.type_name(),
        description="A deadline timer, as a server-side message schedule (replaced when rescheduled)",
        schema=TimerFired,
    )
    app = FastAPI(title="Lắng Nghe — tracking", description=DESCRIPTION, lifespan=runtime.lifespan)
    app.state.runtime = runtime
    app.state.authenticator = authenticator if authenticator is not None else build_authenticator(settings)
    install_error_handlers(app)
    correlation_middleware(app)
    app.include_router(ops_router)
    app.include_router(petition_commands.router)
    app.include_router(cases.router)
    return app
