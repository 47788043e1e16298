"""The operator's routes every service has: liveness, readiness, consumer positions and lag,
parked aggregates and their redrive, quarantined messages and their void, and the AsyncAPI
document.

Bodies are the runtime's reports as they are: what a report leaves out stays out (the models
document them and `response_model_exclude_unset` keeps the absent keys absent).
"""

from __future__ import annotations

import os
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from langnghe.runtime import quarantine
from langnghe.runtime.http import ApiError, responses
from langnghe.runtime.service import ServiceRuntime


def service_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


Runtime = Annotated[ServiceRuntime, Depends(service_runtime)]


class Health(BaseModel):
    status: str
    service: str
    pid: int


class Readiness(BaseModel):
    ready: bool
    service: str
    nats: bool
    nats_error: str | None = Field(
        default=None, description="Only when NATS did not answer a round trip within a second: why"
    )
    database: bool
    database_error: str | None = Field(default=None, description="Only when the database is unreachable")
    consumers_bound: bool


class ConsumerPosition(BaseModel):
    consumer: str
    ordered: bool
    checkpoint: int | None
    applied: int
    skipped: int
    parked: int
    transient_retries: int
    last_applied_seq: int
    batches: int
    last_batch_at: float | None
    pull_requests: int | None
    num_pending: int | None = None
    num_ack_pending: int | None = None
    num_redelivered: int | None = None
    lag: int | None = None
    error: str | None = Field(default=None, description="Only when the server could not be asked")


class ParkedAggregate(BaseModel):
    consumer: str
    aggregate_id: str
    first_seq: int
    reason: str
    parked_at: str
    messages: int | None
    attempts: int | None


class Redrive(BaseModel):
    aggregate_id: str
    status: str = Field(description="redriven, still_failing or not_parked")
    applied: int
    error: str | None = Field(default=None, description="Only when still failing")


class QuarantinedMessageOut(BaseModel):
    stream: str
    seq: int = Field(description="Stream sequence of the message")
    subject: str
    reason: str = Field(description="Why no reader may apply it")
    first_seen: str = Field(description="When this service first met it (ISO 8601)")
    met_by: list[str] = Field(description='"load" (a command or read) and/or the consumers that parked it')


class VoidIn(BaseModel):
    stream: str = Field(max_length=64, examples=["PETITIONS"])
    seq: int = Field(ge=1, description="Stream sequence of the quarantined message")
    reason: str = Field(min_length=3, max_length=500, description="Why it is voided (kept in the marker)")


class RedriveAfterVoid(Redrive):
    consumer: str


class VoidOut(BaseModel):
    stream: str
    seq: int
    subject: str = Field(description="The voided message's subject")
    reason: str
    actor: str
    voided_at: str
    sha256: str = Field(description="SHA-256 of the voided message's body")
    written: bool = Field(description="False when the message had been voided already")
    redriven: list[RedriveAfterVoid] = Field(description="This service's parked aggregates that held it")


ops_router = APIRouter(tags=["vận hành (operations)"])


@ops_router.get("/healthz", response_model=Health, summary="The process is alive")
async def healthz(runtime: Runtime) -> dict[str, str | int]:
    return {"status": "ok", "service": runtime.name, "pid": os.getpid()}


@ops_router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready"}},
    summary="NATS answers a round trip, database reachable, consumers bound",
)
async def readyz(runtime: Runtime) -> JSONResponse:
    report = await runtime.readiness()
    return JSONResponse(report, status_code=200 if report["ready"] else 503)


@ops_router.get(
    "/ops/consumers",
    response_model=list[ConsumerPosition],
    response_model_exclude_unset=True,
    summary="Consumer positions and lag",
)
async def consumers(runtime: Runtime) -> list[dict[str, Any]]:
    return await runtime.consumer_lag()


@ops_router.get(
    "/ops/parked",
    response_model=list[ParkedAggregate],
    summary="Parked aggregates (events that kept failing), per consumer",
)
async def parked(runtime: Runtime) -> list[dict[str, Any]]:
    return await runtime.parked()


@ops_router.post(
    "/ops/parked/{consumer}/{aggregate_id}/redrive",
    response_model=Redrive,
    response_model_exclude_unset=True,
    responses=responses(404),
    summary="Re-apply a parked aggregate",
)
async def redrive(consumer: str, aggregate_id: str, runtime: Runtime) -> dict[str, Any]:
    runner = runtime.runner(consumer)
    if runner is None:
        raise ApiError(404, "ops.unknown_consumer", "Không có consumer này trong dịch vụ.", "consumer")
    return await runner.redrive(aggregate_id)


@ops_router.get(
    "/ops/quarantine",
    response_model=list[QuarantinedMessageOut],
    summary="Messages this service met and cannot apply (undecodable, future version, wrong aggregate)",
)
async def quarantined(runtime: Runtime) -> list[dict[str, Any]]:
    return await quarantine.listing(runtime)


@ops_router.post(
    "/ops/void",
    response_model=VoidOut,
    response_model_exclude_unset=True,
    responses=responses(404, 409, 422, 503),
    summary="Void a quarantined message: an audited marker every reader and rebuild honours",
)
async def void(
    body: VoidIn,
    runtime: Runtime,
    actor: Annotated[str, Header(alias="X-Actor-Ref", min_length=1, max_length=128)],
) -> dict[str, Any]:
    return await quarantine.void(runtime, body.stream, body.seq, reason=body.reason, actor=actor)


@ops_router.get("/asyncapi.json", summary="AsyncAPI 3.0 document generated by FastStream")
async def asyncapi_json(runtime: Runtime) -> Response:
    return Response(runtime.asyncapi().to_json(), media_type="application/json")


@ops_router.get("/asyncapi", response_class=HTMLResponse, summary="AsyncAPI document, human-readable")
async def asyncapi_html(runtime: Runtime) -> HTMLResponse:
    from faststream.specification import get_asyncapi_html

    return HTMLResponse(get_asyncapi_html(runtime.asyncapi()))
