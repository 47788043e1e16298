"""Schemathesis over the four services' OpenAPI documents.

Each service runs in process (ASGI, its lifespan started once), on a nats-server of this
module's own and a fresh SQLite file. For every operation of its document schemathesis
generates a bounded, derandomized set of requests, valid and invalid, and every answer must:
not be a 5xx, have a status the operation documents, match the documented schema and content
type, and, for a 4xx, carry the error envelope {"errors": [{"code", "field", "message"}]}.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from langnghe.domain.vietnam_time import vietnam_date
from langnghe.intake.app import create_app as intake_app
from langnghe.intake.settings import IntakeSettings
from langnghe.notify.app import create_app as notify_app
from langnghe.notify.settings import NotifySettings
from langnghe.reporting.app import create_app as reporting_app
from langnghe.reporting.settings import ReportingSettings
from langnghe.runtime.settings import ServiceSettings
from langnghe.tracking.app import create_app as tracking_app
from langnghe.tracking.settings import TrackingSettings

pytestmark = pytest.mark.fuzz

#: Hypothesis examples per operation and generation phase (schemathesis adds its own boundary
#: cases): enough to meet each documented refusal and the edge's own (malformed bodies, wrong
#: types, missing fields), few enough for CI's two cores (about 25 s for the four services).
EXAMPLES = 30

#: The requests each service answered, by status (printed at the end of the run).
SENT: dict[str, Counter[int]] = {}


@schemathesis.check
def error_envelope(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Any) -> bool | None:
    """Every 4xx carries {"errors": [{"code", "field", "message"}]}, code and message
    non-empty strings, field a string or null."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(f"{response.status_code} body is not JSON: {response.content[:200]!r}") from exc
    errors = body.get("errors") if isinstance(body, dict) else None
    assert isinstance(errors, list) and errors, f"{response.status_code} without the envelope: {body!r}"
    for error in errors:
        assert isinstance(error, dict) and set(error) >= {"code", "field", "message"}, error
        assert isinstance(error["code"], str) and error["code"], error
        assert isinstance(error["message"], str) and error["message"], error
        assert error["field"] is None or isinstance(error["field"], str), error
    return True


#: Ids of aggregates that exist (filled by the fixtures): a path parameter of that name takes
#: one of them half the time, so generated commands reach the domain, not only the 404.
SEEDED: dict[str, list[str]] = {"petition_id": [], "conference_id": []}

#: A submission the domain accepts, sent in place of a generated body half the time.
PETITION = {
    "province_code": "15",
    "commune_code": "03006",
    "channel": "online",
    "content": "Đường vào bản bị sạt lở sau mưa lớn, đề nghị sửa chữa sớm.",
}
CONFERENCE = {
    "kind": "dialogue_conference",
    "level": "commune",
    "province_code": "15",
    "unit_code": "03006",
    "chairs": [
        {"ref": "bi-thu-dang-uy-03006", "role": "party_committee_head"},
        {"ref": "chu-tich-ubnd-03006", "role": "government_head"},
    ],
    "planned_on": (vietnam_date(datetime.now(UTC)) + timedelta(days=7)).isoformat(),
    "mttq_co_organiser_ref": "MTTQ-XA-03006",
    "place": "Hội trường UBND phường Sa Pa",
    "topic": "Đối thoại về quản lý đất đai và trật tự xây dựng",
}
REALISTIC_BODIES = {("POST", "/v1/petitions"): PETITION, ("POST", "/v1/conferences"): CONFERENCE}


@schemathesis.hook
def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: Any) -> Any:
    if not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    known = {name: st.sampled_from(SEEDED[name]) for name in path_parameters if SEEDED.get(name)}
    if not known:
        return st.just(path_parameters)
    seeded = st.fixed_dictionaries(known).map(lambda ids: {**path_parameters, **ids})
    return st.one_of(st.just(path_parameters), seeded)


@schemathesis.hook
def flatmap_body(context: schemathesis.HookContext, body: Any) -> Any:
    operation = context.operation
    realistic = REALISTIC_BODIES.get((operation.method.upper(), operation.path)) if operation else None
    if realistic is None:
        return st.just(body)
    return st.sampled_from([body, realistic])


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_envelope,
]


def _settings(settings_cls: type[ServiceSettings], nats_url: str, db: Path) -> ServiceSettings:
    return settings_cls(
        nats_url=nats_url,
        database_url=f"sqlite+aiosqlite:///{db}",
        http_port=8000,
        log_format="console",
    )


def _document(create_app: Callable[..., FastAPI], settings_cls: type[ServiceSettings]) -> Any:
    """The service's OpenAPI document, from an app that is never started (collection needs
    the operations before any fixture runs)."""
    app = create_app(_settings(settings_cls, "nats://127.0.0.1:9", Path("unused.db")))
    return schemathesis.openapi.from_dict(app.openapi())


class _KeepRunning:
    """The app behind one lifespan for the whole module. Schemathesis's pytest plugin ends an
    ASGI app's lifespan after every test (one per operation) and starts it again on the next
    request; a service restarted 70 times would fuzz its start-up more than its routes. This
    wrapper runs the app's lifespan in a task of its own, started on the first startup and
    ended only by the shutdown that follows `final()`."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.final = False
        self._owner: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None

    async def _own(self, started: asyncio.Event, stop: asyncio.Event) -> None:
        async with self.app.router.lifespan_context(self.app):
            started.set()
            await stop.wait()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self._owner is None:
                    started, self._stop = asyncio.Event(), asyncio.Event()
                    self._owner = asyncio.create_task(self._own(started, self._stop))
                    waiter = asyncio.create_task(started.wait())
                    await asyncio.wait({waiter, self._owner}, return_when=asyncio.FIRST_COMPLETED)
                    if self._owner.done():
                        waiter.cancel()
                        self._owner.result()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.final and self._owner is not None and self._stop is not None:
                    self._stop.set()
                    await self._owner
                    self._owner = None
                await send({"type": "lifespan.shutdown.complete"})
                return


def _client(
    name: str,
    create_app: Callable[..., FastAPI],
    settings_cls: type[ServiceSettings],
    nats_url: str,
    db: Path,
) -> Iterator[asgi.ASGIClient]:
    """The service in process; its lifespan (NATS, consumers) starts on entering the client
    and ends with the module."""
    SENT[name] = Counter()
    app = _KeepRunning(create_app(_settings(settings_cls, nats_url, db)))
    with asgi.get_client(app) as client:  # type: ignore[arg-type]
        try:
            yield client
        finally:
            client.get("/healthz")  # a lifespan registered again, for the final shutdown
            app.final = True
            asgi.shutdown_lifespans()


def _wait_for_seeded(client: asgi.ASGIClient, path: str, timeout: float = 20.0) -> None:
    """Until `path` (with {pid}) answers 200 for every seeded petition: the read model has it."""
    deadline = time.monotonic() + timeout
    while not all(client.get(path.format(pid=pid)).status_code == 200 for pid in SEEDED["petition_id"]):
        assert time.monotonic() < deadline, f"the seeded petitions never showed up at {path}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def intake_client(module_nats: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    db = tmp_path_factory.mktemp("intake") / "db"
    for client in _client("intake", intake_app, IntakeSettings, module_nats, db):
        for _ in range(2):
            r = client.post("/v1/petitions", json=PETITION)
            assert r.status_code == 202, r.text
            SEEDED["petition_id"].append(r.json()["petition_id"])
        r = client.post("/v1/conferences", json=CONFERENCE)
        assert r.status_code == 201, r.text
        SEEDED["conference_id"].append(r.json()["conference_id"])
        yield client


@pytest.fixture(scope="module")
def tracking_client(
    intake_client: Any, module_nats: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    db = tmp_path_factory.mktemp("tracking") / "db"
    for client in _client("tracking", tracking_app, TrackingSettings, module_nats, db):
        _wait_for_seeded(client, "/v1/petitions/{pid}/case")
        yield client


@pytest.fixture(scope="module")
def notify_client(module_nats: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    db = tmp_path_factory.mktemp("notify") / "db"
    yield from _client("notify", notify_app, NotifySettings, module_nats, db)


@pytest.fixture(scope="module")
def reporting_client(
    intake_client: Any, module_nats: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    db = tmp_path_factory.mktemp("reporting") / "db"
    for client in _client("reporting", reporting_app, ReportingSettings, module_nats, db):
        _wait_for_seeded(client, "/v1/petitions/{pid}")
        yield client


FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _call(name: str, client: asgi.ASGIClient, case: Any) -> None:
    response = case.call_and_validate(base_url=client.base_url, session=client, checks=CHECKS)
    SENT[name][response.status_code] += 1


intake = _document(intake_app, IntakeSettings)
tracking = _document(tracking_app, TrackingSettings)
notify = _document(notify_app, NotifySettings)
reporting = _document(reporting_app, ReportingSettings)


@intake.parametrize()
@FUZZ
def test_intake(case: Any, intake_client: asgi.ASGIClient) -> None:
    _call("intake", intake_client, case)


@tracking.parametrize()
@FUZZ
def test_tracking(case: Any, tracking_client: asgi.ASGIClient) -> None:
    _call("tracking", tracking_client, case)


@notify.parametrize()
@FUZZ
def test_notify(case: Any, notify_client: asgi.ASGIClient) -> None:
    _call("notify", notify_client, case)


@reporting.parametrize()
@FUZZ
def test_reporting(case: Any, reporting_client: asgi.ASGIClient) -> None:
    _call("reporting", reporting_client, case)
