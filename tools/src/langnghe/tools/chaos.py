"""`langnghe chaos --minutes N`: the whole embedded system under steady traffic while its
processes are hurt in turn, then a check that nothing was lost, duplicated or told twice.

It starts the system as `langnghe up` does (the same `Launcher`, on free ports and a fresh data
directory unless one is given). The launcher runs in the main thread, as it does for `up`, and
restarts whatever dies; the load and the faults run in a second thread, on asyncio:

- load: a few workers submit petitions (each with an Idempotency-Key) and walk each through
  assign, answer, publish-answer and, for some, feedback (each command with its own key). A
  request is retried with the same key on 503, a timeout or a broken connection until it is
  accepted, as a well-behaved client does;
- faults: every `period` seconds one process in turn: SIGKILL of each service and of
  nats-server, and a freeze of nats-server (SIGSTOP, then SIGCONT a few seconds later).

At the end the load stops, the system settles (every service ready, every consumer's lag 0,
intake's vault has no unsettled submission) and the checks read the log itself (the PETITIONS
stream) and each read model:

- every accepted submission has exactly one `petition.received`, found by petition id and by
  idempotency key (the event's causation id); no event id appears twice;
- every accepted command's event is in the log exactly once;
- reporting's rows and statistics equal a fold of the log with reporting's pure domain
  (`petition_row_fold`, `petition_figures`); tracking's cases equal tracking's fold;
- notify sent at most one notice per (petition, kind).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import sqlite3
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats

from langnghe.contracts.codec import REGISTRY, UndecodableEvent, UnknownEvent
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.subjects import PETITION_EVENTS, PETITIONS_STREAM, aggregate_id_of
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.runtime.eventstore.jetstream import JetStreamEventStore
from langnghe.tools.issuer import TokenSource
from langnghe.tools.launcher import SERVICES, Launcher, StackConfig
from langnghe.tools.nats_server import free_port

NATS = "nats-server"
FREEZE = "nats-freeze"
#: The faults, in the order they are done (then again from the start).
FAULTS: tuple[str, ...] = (*SERVICES, NATS, FREEZE)

#: The event each tracking command writes (once) on a petition that is in the expected state.
COMMAND_EVENTS = {
    "assign": "petition.assigned",
    "answer": "petition.answered",
    "publish-answer": "petition.answer_published",
    "feedback": "petition.feedback_given",
}

REQUEST_TIMEOUT_S = 20.0  # intake answers 503 after its append timeout (15 s) at worst
RETRY_PAUSE_S = 0.25
UNHAPPY = "Chưa sửa xong đoạn đường."
#: Answers a well-behaved client retries with the same key.
RETRYABLE = frozenset({502, 503, 504})


@dataclass(frozen=True)
class ChaosConfig:
    minutes: float
    data_dir: Path | None = None
    seed: int = 0
    period_s: float = 30.0
    freeze_s: float = 5.0
    workers: int = 4
    #: Pause of each worker between two petitions (keeps the load steady, not maximal).
    pause_s: float = 0.3
    #: How long in-flight requests may still retry once the load stops.
    drain_timeout_s: float = 120.0
    settle_timeout_s: float = 180.0


@dataclass
class ChaosResult:
    data_dir: Path
    minutes: float = 0.0
    submitted: int = 0
    accepted: int = 0
    commands_sent: int = 0
    commands_accepted: int = 0
    requests: int = 0
    retries: int = 0
    seen_503: int = 0
    seen_5xx_other: int = 0
    timeouts: int = 0
    connection_errors: int = 0
    refused: list[str] = field(default_factory=list)
    unfinished: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    settled: bool = False
    still_moving: list[str] = field(default_factory=list)
    settle_s: float = 0.0
    in_log_events: int = 0
    in_log_petitions: int = 0
    undecodable: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    duplicate_event_ids: int = 0
    commands_missing: list[str] = field(default_factory=list)
    commands_duplicated: list[str] = field(default_factory=list)
    reporting_rows: int = 0
    reporting_mismatches: list[str] = field(default_factory=list)
    stats_mismatches: list[str] = field(default_factory=list)
    tracking_cases: int = 0
    tracking_mismatches: list[str] = field(default_factory=list)
    notices: int = 0
    double_notices: list[str] = field(default_factory=list)
    aborted: str | None = None

    @property
    def failures(self) -> list[str]:
        out: list[str] = []
        if self.aborted:
            out.append(f"aborted: {self.aborted}")
        if not self.settled:
            out.append(f"the system did not settle: {'; '.join(self.still_moving[:6])}")
        if self.accepted == 0:
            out.append("no submission was accepted")
        checks: list[tuple[str, list[str] | int]] = [
            ("lost submissions", self.lost),
            ("duplicated submissions", self.duplicated),
            ("event ids stored twice", self.duplicate_event_ids),
            ("undecodable messages in the log", self.undecodable),
            ("accepted commands missing from the log", self.commands_missing),
            ("commands applied twice", self.commands_duplicated),
            ("refused requests", self.refused),
            ("reporting rows unlike the fold of the log", self.reporting_mismatches),
            ("reporting statistics unlike the recount", self.stats_mismatches),
            ("tracking cases unlike the fold of the log", self.tracking_mismatches),
            ("double notices", self.double_notices),
        ]
        for what, found in checks:
            count = found if isinstance(found, int) else len(found)
            if count:
                sample = "" if isinstance(found, int) else ": " + "; ".join(found[:5])
                out.append(f"{count} {what}{sample}")
        return out

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        faults = ", ".join(f"{name} {self.faults[name]}" for name in FAULTS if self.faults[name]) or "none"
        lines = [
            f"Chaos run: {self.minutes:g} min, data in {self.data_dir}",
            f"  submitted            {self.submitted}",
            f"  accepted             {self.accepted}",
            f"  commands accepted    {self.commands_accepted} of {self.commands_sent}",
            f"  requests             {self.requests} ({self.retries} retries: {self.seen_503} × 503, "
            f"{self.seen_5xx_other} × other 5xx, {self.timeouts} timeouts, "
            f"{self.connection_errors} connection errors)",
            f"  refused (4xx)        {len(self.refused)}",
            f"  unfinished           {self.unfinished}",
            f"  faults               {sum(self.faults.values())} ({faults})",
            f"  time to settle       {self.settle_s:.1f} s" + ("" if self.settled else " (did NOT settle)"),
            f"  in the log           {self.in_log_petitions} petitions, {self.in_log_events} events",
            f"  in reporting         {self.reporting_rows} rows",
            f"  in tracking          {self.tracking_cases} cases",
            f"  in notify            {self.notices} notices",
            f"  lost                 {len(self.lost)}",
            f"  duplicated           {len(self.duplicated)} petitions, {self.duplicate_event_ids} event ids, "
            f"{len(self.commands_duplicated)} commands",
            f"  commands missing     {len(self.commands_missing)}",
            f"  read models unlike the log  reporting {len(self.reporting_mismatches)} rows, "
            f"stats {len(self.stats_mismatches)}, tracking {len(self.tracking_mismatches)} cases",
            f"  double notices       {len(self.double_notices)}",
        ]
        failures = self.failures
        lines.append("Result: OK" if not failures else "Result: FAILED")
        lines += [f"  - {failure}" for failure in failures]
        return "\n".join(lines)


# --------------------------------------------------------------------------- traffic


#: Where the chaos traffic is placed, and the agency its petitions are assigned to.
CHAOS_PROVINCE = "15"
CHAOS_AGENCY = "UBND-XA-SAPA"


def petition_body(rng: random.Random, n: int) -> dict[str, Any]:
    return {
        "province_code": CHAOS_PROVINCE,
        "commune_code": "03006",
        "channel": rng.choice(["citizen_reception", "written_letter", "hotline", "online"]),
        "legal_type": "recommendation",
        "field_code": "infrastructure",
        "content": f"Đề nghị sửa chữa đoạn đường liên thôn số {n} bị sạt lở sau mưa lũ ({rng.random():.6f}).",
        "citizen": {"full_name": "Người dân thử nghiệm", "phone": "0912345678"} if n % 3 else None,
    }


@dataclass
class Accepted:
    key: str
    petition_id: str
    commands: list[tuple[str, str]] = field(default_factory=list)  # (command, key)


class Traffic:
    """Submissions and commands over HTTP, retried with the same key until accepted."""

    def __init__(
        self, urls: dict[str, str], result: ChaosResult, cfg: ChaosConfig, tokens: TokenSource | None = None
    ) -> None:
        self.urls = urls
        #: Each call is signed as its role makes it (langnghe.tools.issuer.callers).
        self.tokens = tokens if tokens is not None else TokenSource(None)
        self.result = result
        self.cfg = cfg
        self.stop_load = asyncio.Event()
        self.drain_deadline: float | None = None
        self.accepted: list[Accepted] = []

    def _gave_up(self) -> bool:
        return self.drain_deadline is not None and time.monotonic() > self.drain_deadline

    async def send(
        self, client: httpx.AsyncClient, url: str, body: dict[str, Any], key: str, auth: dict[str, str]
    ) -> httpx.Response | None:
        """The 2xx answer, or None (refused with a 4xx, or still unanswered after the drain)."""
        result = self.result
        first = True
        not_found = 0
        while True:
            if not first:
                result.retries += 1
                await asyncio.sleep(RETRY_PAUSE_S)
                if self._gave_up():
                    result.unfinished += 1
                    return None
            first = False
            result.requests += 1
            try:
                response = await client.post(url, json=body, headers={"Idempotency-Key": key, **auth})
            except httpx.TimeoutException:
                result.timeouts += 1
                continue
            except httpx.TransportError:
                result.connection_errors += 1
                continue
            status = response.status_code
            if status < 300:
                return response
            if status == 503:
                result.seen_503 += 1
                continue
            if status >= 500:
                result.seen_5xx_other += 1
                continue
            if status == 404 and not_found < 20:
                not_found += 1  # a restarting service may answer before it knows the route's data
                continue
            result.refused.append(f"{url.rsplit('/', 1)[-1]} {key}: {status} {response.text[:200]}")
            return None

    async def worker(self, index: int) -> None:
        rng = random.Random(self.cfg.seed * 1000 + index)
        intake, tracking = self.urls["intake"], self.urls["tracking"]
        limits = httpx.Limits(max_connections=2)
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, trust_env=False, limits=limits) as client:
            n = 0
            while not self.stop_load.is_set():
                n += 1
                key = f"chaos-{self.cfg.seed}-{index}-{n}"
                self.result.submitted += 1
                body = petition_body(rng, n)
                clerk = self.tokens.for_call("submit", body["province_code"])
                response = await self.send(client, f"{intake}/v1/petitions", body, key, clerk)
                if response is None:
                    continue
                self.result.accepted += 1
                done = Accepted(key, str(response.json()["petition_id"]))
                self.accepted.append(done)
                # The day in Vietnam, as tracking dates an answer: near midnight UTC+7 the
                # machine's own date would publish an answer "before" it was given.
                today = vietnam_date(datetime.now(UTC))
                steps: list[tuple[str, dict[str, Any]]] = [
                    (
                        "assign",
                        {
                            "agency_code": "UBND-XA-SAPA",
                            "promised_date": (today + timedelta(days=rng.randint(5, 30))).isoformat(),
                        },
                    ),
                    (
                        "answer",
                        {
                            "answer_text": f"Xã đã bố trí kinh phí sửa chữa đoạn đường số {n}.",
                            "answering_agency_code": "UBND-XA-SAPA",
                        },
                    ),
                    ("publish-answer", {"published_on": today.isoformat(), "channels": ["web_portal"]}),
                ]
                if n % 2:
                    satisfied = n % 4 == 1
                    steps.append(
                        (
                            "feedback",
                            {"satisfied": True}
                            if satisfied
                            else {"satisfied": False, "reason": "Chưa sửa xong đoạn đường."},
                        )
                    )
                for command, body in steps:
                    if self._gave_up():
                        break
                    command_key = f"{key}-{command}"
                    self.result.commands_sent += 1
                    url = f"{tracking}/v1/petitions/{done.petition_id}/{command}"
                    auth = self.tokens.for_call(command, CHAOS_PROVINCE, CHAOS_AGENCY)
                    if await self.send(client, url, body, command_key, auth) is None:
                        break  # the next step depends on this one
                    self.result.commands_accepted += 1
                    done.commands.append((command, command_key))
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.stop_load.wait(), self.cfg.pause_s)


# --------------------------------------------------------------------------- faults


class Faults:
    """Hurts one process every `period_s`, in turn; the launcher restarts what died."""

    def __init__(
        self, launcher: Launcher, result: ChaosResult, cfg: ChaosConfig, say: Callable[[str], None]
    ) -> None:
        self.launcher = launcher
        self.result = result
        self.cfg = cfg
        self.say = say
        self.stop = asyncio.Event()

    async def run(self) -> None:
        turn = 0
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stop.wait(), self.cfg.period_s)
            if self.stop.is_set():
                return
            fault = FAULTS[turn % len(FAULTS)]
            turn += 1
            await self.hurt(fault)

    async def hurt(self, fault: str) -> None:
        if fault in SERVICES:
            service = next(s for s in self.launcher.services if s.name == fault)
            if not service.running:
                self.say(f"chaos: {fault} is not running (restarting); skipped this turn")
                return
            service.send(signal.SIGKILL)
            self.result.faults[fault] += 1
            self.say(f"chaos: SIGKILL {fault}")
            return
        server = self.launcher.nats
        if server is None or server.process.poll() is not None:
            self.say("chaos: nats-server is not running (restarting); skipped this turn")
            return
        pid = server.process.pid
        if fault == NATS:
            os.kill(pid, signal.SIGKILL)
            self.result.faults[fault] += 1
            self.say("chaos: SIGKILL nats-server")
            return
        os.kill(pid, signal.SIGSTOP)
        self.result.faults[fault] += 1
        self.say(f"chaos: SIGSTOP nats-server for {self.cfg.freeze_s:g} s")
        try:
            await asyncio.sleep(self.cfg.freeze_s)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
            self.say("chaos: SIGCONT nats-server")


# --------------------------------------------------------------------------- settling


async def _json(client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None) -> Any:
    try:
        response = await client.get(url, headers=headers)
    except httpx.HTTPError:
        return None
    return response.json() if response.status_code == 200 else None


async def unsettled(
    client: httpx.AsyncClient, urls: dict[str, str], ops: dict[str, str] | None = None
) -> list[str]:
    """What still moves: services not ready, consumers with lag or unacknowledged messages,
    vault rows not confirmed. Empty when the system has settled."""
    out: list[str] = []
    for name, base in urls.items():
        try:
            ready = (await client.get(f"{base}/readyz")).status_code == 200
        except httpx.HTTPError:
            ready = False
        if not ready:
            out.append(f"{name} not ready")
            continue
        consumers = await _json(client, f"{base}/ops/consumers", ops)
        if consumers is None:
            out.append(f"{name}: /ops/consumers did not answer")
            continue
        for consumer in consumers:
            if consumer.get("error") or consumer.get("lag") or consumer.get("num_ack_pending"):
                out.append(f"{name} {consumer.get('consumer')}: lag {consumer.get('lag')}")
    vault = await _json(client, f"{urls['intake']}/ops/vault", ops)
    if vault is None or vault.get("unsettled"):
        out.append(f"vault unsettled: {None if vault is None else vault['unsettled']}")
    return out


async def settle(
    urls: dict[str, str],
    result: ChaosResult,
    timeout: float,
    stopped: Halted,
    tokens: TokenSource | None = None,
) -> None:
    ops = (tokens or TokenSource(None)).for_call("ops")
    started = time.monotonic()
    quiet_since: float | None = None
    async with httpx.AsyncClient(timeout=5.0, trust_env=False) as client:
        while time.monotonic() - started < timeout and not stopped.is_set():
            result.still_moving = await unsettled(client, urls, ops)
            if not result.still_moving:
                # Twice in a row, a second apart: a consumer may be between two pulls.
                if quiet_since is not None and time.monotonic() - quiet_since >= 1.0:
                    result.settled = True
                    result.settle_s = quiet_since - started
                    return
                quiet_since = quiet_since or time.monotonic()
            else:
                quiet_since = None
            await asyncio.sleep(0.5)
    result.settle_s = time.monotonic() - started


# --------------------------------------------------------------------------- checks


@dataclass
class LogEvent:
    seq: int
    event: DomainEvent
    occurred_at: datetime
    event_id: str
    causation_id: str | None


async def read_log(nats_url: str, result: ChaosResult) -> dict[str, list[LogEvent]]:
    """Every petition event of the PETITIONS stream, by petition id, in order."""
    nc = await nats.connect(nats_url, max_reconnect_attempts=3)
    try:
        store = JetStreamEventStore(nc, stream=PETITIONS_STREAM, timeout=10.0)
        last = await store.stream_last_seq()
        messages = await store.read_range(f"{PETITION_EVENTS}.>", 1, last) if last else []
    finally:
        await nc.close()
    by_petition: dict[str, list[LogEvent]] = defaultdict(list)
    event_ids: Counter[str] = Counter()
    for message in messages:
        try:
            envelope = REGISTRY.decode(message.data)
        except UndecodableEvent:
            result.undecodable += 1
            continue
        if isinstance(envelope, UnknownEvent):
            result.undecodable += 1
            continue
        meta = envelope.meta
        event_ids[str(meta.event_id)] += 1
        by_petition[aggregate_id_of(message.subject)].append(
            LogEvent(message.seq, envelope.event, meta.occurred_at, str(meta.event_id), meta.causation_id)
        )
    result.in_log_events = len(messages)
    result.duplicate_event_ids = sum(1 for count in event_ids.values() if count > 1)
    return by_petition


def check_log(log: dict[str, list[LogEvent]], accepted: list[Accepted], result: ChaosResult) -> None:
    received_by_petition: Counter[str] = Counter()
    received_by_key: Counter[str] = Counter()
    for petition_id, events in log.items():
        for item in events:
            if item.event.type == "petition.received":
                received_by_petition[petition_id] += 1
                if item.causation_id:
                    received_by_key[item.causation_id] += 1
    result.in_log_petitions = len(received_by_petition)
    for done in accepted:
        by_id, by_key = received_by_petition[done.petition_id], received_by_key[done.key]
        if by_id == 0 or by_key == 0:
            result.lost.append(f"{done.key} ({done.petition_id}): {by_id} by id, {by_key} by key")
        for command, key in done.commands:
            count = sum(
                1 for item in log.get(done.petition_id, []) if item.event.type == COMMAND_EVENTS[command]
            )
            if count == 0:
                result.commands_missing.append(f"{command} {key}")
            elif count > 1:
                result.commands_duplicated.append(f"{command} {key}: {count} events")
    result.duplicated += [
        f"petition {pid}: {n} × petition.received" for pid, n in received_by_petition.items() if n > 1
    ]
    result.duplicated += [
        f"key {key}: {n} × petition.received" for key, n in received_by_key.items() if n > 1
    ]


def _normal(value: Any) -> Any:
    """JSON values compared as meaning, not spelling (a datetime with or without its zone)."""
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        with contextlib.suppress(ValueError):
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed.replace(tzinfo=None) if parsed.utcoffset() in (None, timedelta(0)) else parsed
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


async def check_reporting(
    log: dict[str, list[LogEvent]],
    url: str,
    result: ChaosResult,
    *,
    concurrency: int = 8,
    tokens: TokenSource | None = None,
) -> None:
    from langnghe.reporting.domain.petition_figures import figures, summarise
    from langnghe.reporting.domain.petition_row_fold import fold
    from langnghe.reporting.entrypoints.responses import PetitionStatusView

    auth = tokens if tokens is not None else TokenSource(None)
    reader = auth.for_call("read", CHAOS_PROVINCE)

    counts: Counter[str] = Counter()
    applied: Counter[str] = Counter()
    expected: dict[str, dict[str, Any]] = {}
    for petition_id, events in log.items():
        for item in events:
            applied[item.event.type] += 1
        row = fold(petition_id, ((item.event, item.occurred_at) for item in events))
        if row is None:
            continue
        counts.update(figures(row))
        # The fold numbers a petition's events from 1; the projection keeps the stream's number.
        row["last_seq"] = events[row["last_seq"] - 1].seq
        expected[petition_id] = _normal(PetitionStatusView.model_validate(row).model_dump(mode="json"))

    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:

        async def compare(petition_id: str, want: dict[str, Any]) -> None:
            async with semaphore:
                got = await _json(client, f"{url}/v1/petitions/{petition_id}", reader)
            if got is None:
                result.reporting_mismatches.append(f"{petition_id}: not in reporting")
                return
            result.reporting_rows += 1
            got = _normal(got)
            differ = sorted(k for k in want.keys() | got.keys() if want.get(k) != got.get(k))
            if differ:
                detail = ", ".join(f"{k}: {got.get(k)!r} != fold {want.get(k)!r}" for k in differ[:3])
                result.reporting_mismatches.append(f"{petition_id}: {detail}")

        await asyncio.gather(*(compare(pid, want) for pid, want in expected.items()))
        stats = await _json(client, f"{url}/v1/stats", auth.for_call("stats"))
    if stats is None:
        result.stats_mismatches.append("GET /v1/stats did not answer")
        return
    recount = summarise(counts)
    for key, want in recount.items():
        if stats.get(key) != want:
            result.stats_mismatches.append(f"{key}: {stats.get(key)!r} != recount {want!r}")
    got_applied = {k: v for k, v in (stats.get("events_applied") or {}).items() if v}
    if got_applied != dict(applied):
        result.stats_mismatches.append(f"events_applied: {got_applied} != log {dict(applied)}")


def _sqlite(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10.0)


def check_tracking(log: dict[str, list[LogEvent]], db: Path, result: ChaosResult) -> None:
    from langnghe.tracking.domain.petition import fold

    with contextlib.closing(_sqlite(db)) as conn:
        rows = {
            pid: (status, agency, promised)
            for pid, status, agency, promised in conn.execute(
                "SELECT petition_id, status, agency_code, promised_date FROM cases"
            )
        }
    result.tracking_cases = len(rows)
    for petition_id, events in log.items():
        state = fold((item.event, item.occurred_at) for item in events)
        if not state.exists:
            continue
        want = (
            state.status.value,
            state.agency_code,
            state.promised_date.isoformat() if state.promised_date else None,
        )
        got = rows.pop(petition_id, None)
        if got is None:
            result.tracking_mismatches.append(f"{petition_id}: no case")
        elif got != want:
            result.tracking_mismatches.append(f"{petition_id}: case {got} != fold {want}")
    result.tracking_mismatches += [f"{pid}: a case with no petition in the log" for pid in rows]


def check_notices(db: Path, result: ChaosResult) -> None:
    with contextlib.closing(_sqlite(db)) as conn:
        result.notices = int(conn.execute("SELECT count(*) FROM notices").fetchone()[0])
        doubles = conn.execute(
            "SELECT petition_id, kind, count(*) FROM notices GROUP BY petition_id, kind HAVING count(*) > 1"
        ).fetchall()
    result.double_notices = [f"{pid} {kind}: {n} notices" for pid, kind, n in doubles]


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class Halted:
    """Whether the run must stop: the launcher has stopped, or was asked to (Ctrl-C). The
    driver sets the launcher's stop request only when it is done, so any earlier one came from
    outside."""

    stopped: threading.Event
    launcher: Launcher

    def is_set(self) -> bool:
        return self.stopped.is_set() or self.launcher.stop_signal is not None


async def _all_ready(urls: dict[str, str], timeout: float, stopped: Halted) -> bool:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline and not stopped.is_set():
            answers = await asyncio.gather(
                *(client.get(f"{u}/readyz") for u in urls.values()), return_exceptions=True
            )
            if all(isinstance(a, httpx.Response) and a.status_code == 200 for a in answers):
                return True
            await asyncio.sleep(0.25)
    return False


async def drive(
    cfg: ChaosConfig,
    launcher: Launcher,
    stack: StackConfig,
    result: ChaosResult,
    stopped: threading.Event,
    say: Callable[[str], None],
) -> None:
    urls = {name: stack.base_url(name) for name in SERVICES}
    halted = Halted(stopped, launcher)
    if not await _all_ready(urls, 120.0, halted):
        result.aborted = "stopped" if halted.is_set() else "the system did not start"
        return
    tokens = TokenSource(stack.data_dir)
    traffic = Traffic(urls, result, cfg, tokens)
    faults = Faults(launcher, result, cfg, say)
    say(f"chaos: load and faults for {cfg.minutes:g} min (a fault every {cfg.period_s:g} s)")
    workers = [asyncio.create_task(traffic.worker(i)) for i in range(cfg.workers)]
    hurting = asyncio.create_task(faults.run())
    deadline = time.monotonic() + cfg.minutes * 60
    # `halted` is set from the launcher's thread (a signal): polled, not awaited.
    while time.monotonic() < deadline and not halted.is_set():  # noqa: ASYNC110
        await asyncio.sleep(0.5)
    faults.stop.set()
    await hurting  # a frozen server is thawed before the load stops
    traffic.stop_load.set()
    traffic.drain_deadline = time.monotonic() + cfg.drain_timeout_s
    await asyncio.gather(*workers)
    if halted.is_set():
        result.aborted = "stopped (Ctrl-C)"
        return
    say(f"chaos: load stopped ({result.accepted} petitions accepted); waiting for the system to settle")
    await settle(urls, result, cfg.settle_timeout_s, halted, tokens)
    if halted.is_set():
        result.aborted = "stopped (Ctrl-C)"
        return
    say("chaos: checking the log and the read models")
    log = await read_log(f"nats://127.0.0.1:{stack.nats_port}", result)
    check_log(log, traffic.accepted, result)
    await check_reporting(log, urls["reporting"], result, tokens=tokens)
    check_tracking(log, stack.data_dir / "tracking.db", result)
    check_notices(stack.data_dir / "notify.db", result)


def run_chaos(cfg: ChaosConfig, say: Callable[[str], None] = print) -> ChaosResult:
    """Start the system, drive it under faults, settle, check. Call from the main thread (the
    launcher installs its signal handlers there, as `langnghe up` does)."""
    data_dir = (cfg.data_dir or Path(tempfile.mkdtemp(prefix="langnghe-chaos-"))).expanduser().resolve()
    # A submission whose settle mark died with a killed intake is finished by the vault
    # sweeper, after its age (300 s by default): the launched intake sweeps sooner here, so
    # the run can settle within its wait (an operator's own setting wins).
    os.environ.setdefault("LN_INTAKE_VAULT_SWEEP_AGE_S", "20")
    os.environ.setdefault("LN_INTAKE_VAULT_SWEEP_EVERY_S", "2")
    stack = StackConfig(
        data_dir=data_dir,
        nats_port=free_port(),
        nats_monitor_port=free_port(),
        http_ports={name: free_port() for name in SERVICES},
    )
    result = ChaosResult(data_dir=data_dir, minutes=cfg.minutes)
    launcher = Launcher(stack)
    launcher_stopped = threading.Event()
    failure: list[BaseException] = []

    def driver() -> None:
        try:
            asyncio.run(drive(cfg, launcher, stack, result, launcher_stopped, say))
        except BaseException as exc:  # noqa: BLE001 - raised again below, once the launcher stopped
            failure.append(exc)
        finally:
            launcher.stop_signal = launcher.stop_signal or "chaos finished"

    thread = threading.Thread(target=driver, name="chaos-driver", daemon=True)
    thread.start()
    try:
        code = launcher.run()
    finally:
        launcher_stopped.set()
        thread.join()
    if failure:
        raise failure[0]
    if code:  # it could not start the system (its message is above), or stopped with an error
        result.aborted = f"the launcher stopped with exit code {code}"
    return result


def main_chaos(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="langnghe chaos",
        description="Run the whole system under steady traffic while killing each service and "
        "nats-server in turn (and freezing NATS), then check that nothing was lost, duplicated "
        "or notified twice and that every read model equals a fold of the log.",
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the faults go on (default 10)")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary directory")
    parser.add_argument("--seed", type=int, default=0, help="varies the keys and the traffic")
    parser.add_argument("--period", type=float, default=30.0, help="seconds between two faults (default 30)")
    parser.add_argument("--freeze", type=float, default=5.0, help="seconds NATS stays frozen (default 5)")
    parser.add_argument("--workers", type=int, default=4, help="concurrent clients (default 4)")
    args = parser.parse_args(argv)
    if args.minutes <= 0 or args.period <= 0 or args.workers < 1:
        parser.error("--minutes and --period must be positive, --workers at least 1")
    if args.data_dir is not None and args.data_dir.exists() and any(args.data_dir.iterdir()):
        parser.error(f"{args.data_dir} is not empty: chaos needs a fresh data directory")
    cfg = ChaosConfig(
        minutes=args.minutes,
        data_dir=args.data_dir,
        seed=args.seed,
        period_s=args.period,
        freeze_s=args.freeze,
        workers=args.workers,
    )
    result = run_chaos(cfg)
    print(result.summary(), flush=True)
    return 0 if result.ok else 1
