"""The intake service's single wiring point."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from langnghe.contracts.codec import REGISTRY
from langnghe.contracts.subjects import (
    CONFERENCE_EVENTS,
    CONFERENCE_PLANS,
    PETITION_EVENTS,
    SUPERVISION_EVENTS,
)
from langnghe.intake.adapters.vault import SqlVault, Vault
from langnghe.intake.entrypoints import conferences, petitions, plans, supervisions, vault_ops
from langnghe.intake.entrypoints.submission_fast_path import SubmissionFastPath
from langnghe.intake.handlers.submission_sweeper import sweep_unsettled
from langnghe.intake.settings import IntakeSettings
from langnghe.runtime.auth import Authenticator
from langnghe.runtime.auth.build import build_authenticator
from langnghe.runtime.eventstore import EventStore
from langnghe.runtime.http import correlation_middleware, install_error_handlers
from langnghe.runtime.ops_routes import ops_router
from langnghe.runtime.service import ServiceRuntime

DESCRIPTION = (
    "Tiếp nhận ý kiến, kiến nghị của người dân; hội nghị đối thoại, kế hoạch hội nghị và giám sát "
    "của MTTQ; kho dữ liệu cá nhân (vault)."
)

_CONFERENCE = f"{CONFERENCE_EVENTS}.{{province_code}}.{{conference_id}}"
_PLAN = f"{CONFERENCE_PLANS}.{{province_code}}.{{plan_id}}"
_SUPERVISION = f"{SUPERVISION_EVENTS}.{{province_code}}.{{session_id}}"

#: What intake appends besides petition.received: (subject, event type, description).
_APPENDED = (
    (_CONFERENCE, "conference.scheduled", "ConferenceScheduled: a conference was put on the calendar"),
    (_CONFERENCE, "conference.announced", "ConferenceAnnounced: the conference was announced to the people"),
    (_CONFERENCE, "conference.postponed", "ConferencePostponed: moved to a new date"),
    (_CONFERENCE, "conference.cancelled", "ConferenceCancelled: called off before it was held"),
    (_CONFERENCE, "conference.held", "ConferenceHeld: the conference took place"),
    (
        _CONFERENCE,
        "conference.opinion_linked",
        "ConferenceOpinionLinked: a petition raised at the conference (on submission, or by hand)",
    ),
    (_CONFERENCE, "conference.concluded", "ConferenceConcluded: the notice of conclusions was issued"),
    (_CONFERENCE, "conference.results_published", "ConferenceResultsPublished: the results were made public"),
    (_PLAN, "conference.plan_set", "ConferencePlanSet: a unit's plan of conferences was issued or revised"),
    (_SUPERVISION, "supervision.planned", "SupervisionPlanned: an MTTQ supervision session was planned"),
    (_SUPERVISION, "supervision.held", "SupervisionHeld: the supervision session took place"),
    (_SUPERVISION, "supervision.findings_recorded", "SupervisionFindingsRecorded: its report was recorded"),
    (
        _SUPERVISION,
        "supervision.recommendation_issued",
        "SupervisionRecommendationIssued: a recommendation to one agency (tracking follows it as a petition)",
    ),
)


def create_app(
    settings: IntakeSettings,
    *,
    store: EventStore | None = None,
    vault: Vault | None = None,
    authenticator: Authenticator | None = None,
) -> FastAPI:
    """The intake app. `store` and `vault` replace the JetStream store and the SQL vault on
    the service's database; `authenticator` the one the settings describe. Intake runs no
    consumer, so with a store given (the in-memory one in tests) it never connects to NATS."""
    runtime = ServiceRuntime(
        "intake",
        settings,
        migrations=Path(__file__).parent / "migrations",
        description=DESCRIPTION,
        store=store,
    )
    # Documented in AsyncAPI: what intake appends to the event store.
    runtime.broker.publisher(
        f"{PETITION_EVENTS}.{{province_code}}.{{petition_id}}",
        title="petition.received",
        description="PetitionReceived, appended by intake (one subject per petition)",
        schema=REGISTRY.model("petition.received"),
    )
    for subject, event_type, description in _APPENDED:
        runtime.broker.publisher(
            subject, title=event_type, description=description, schema=REGISTRY.model(event_type)
        )
    app = FastAPI(title="Lắng Nghe — intake", description=DESCRIPTION, lifespan=runtime.lifespan)
    app.state.runtime = runtime
    app.state.authenticator = authenticator if authenticator is not None else build_authenticator(settings)
    install_error_handlers(app)
    # One SqlVault per process: it groups concurrent commits.
    active_vault: Vault = vault if vault is not None else SqlVault(runtime.sessions)
    app.state.vault = active_vault
    app.state.vault_sweep_age_s = settings.vault_sweep_age_s
    app.state.last_sweep = None

    async def sweep() -> None:
        # Through the service's event store only: with a given store, no NATS connection.
        app.state.last_sweep = await sweep_unsettled(
            active_vault, runtime.store, older_than=timedelta(seconds=settings.vault_sweep_age_s)
        )

    runtime.add_periodic("vault-sweeper", settings.vault_sweep_every_s, sweep, uses_nats=False)

    async def accept(
        body: petitions.PetitionIn, key: str | None, actor: str | None, correlation: str | None
    ) -> petitions.PetitionAccepted:
        return await petitions.accept_petition(
            body,
            idempotency_key=key,
            actor_ref=actor,
            correlation_id=correlation,
            vault=active_vault,
            store=runtime.store,
        )

    # Added before the correlation middleware, so it runs inside it (the last added is the
    # outermost): the correlation id is bound to the logs and returned on both paths.
    app.add_middleware(SubmissionFastPath, accept=accept)
    correlation_middleware(app)
    app.include_router(ops_router)
    app.include_router(vault_ops.router)
    for resource in (petitions, conferences, plans, supervisions):
        app.include_router(resource.router)
    return app
