"""Latency submit→visible, open loop: submissions at a fixed rate whatever the answers, each
counted from its scheduled send time until reporting's `GET /v1/petitions/{id}` answers 200."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langnghe.tools.bench.http_client import HTTP_CLIENTS, HttpError
from langnghe.tools.bench.percentiles import summarize_ms
from langnghe.tools.bench.sample import petition_body
from langnghe.tools.issuer import TokenSource

#: Reporting's read model as a SQL reader sees it: the runtime's table of active generations,
#: and the petitions table of each generation (the reporting projection's storage).
PROJECTION = "reporting-petitions"
PETITIONS_TABLE = "petitions_g{generation}"


class ReadModelWatcher:
    """Finds, every `interval`, which of the pending petitions reporting's read model holds:
    one indexed SELECT on its SQLite file (WAL: a reader never blocks the writer) for all of
    them, instead of one HTTP request per petition per interval. Reporting's GET costs a few
    ms of its CPU; polling it every 5 ms for each petition in flight saturates the service
    whose latency is measured (see `--probe http`). The file is read by table name, as any
    SQL reader would: the bench imports no service."""

    def __init__(self, database: Path, interval: float) -> None:
        self.database = database
        self.interval = interval
        self.pending: dict[str, asyncio.Future[float]] = {}
        self.queries = 0
        self._conn: sqlite3.Connection | None = None
        self._table_name = ""
        self._table_checked = 0.0

    def _table(self, conn: sqlite3.Connection) -> str:
        """The active generation's table, looked up again once a second."""
        now = time.monotonic()
        if not self._table_name or now - self._table_checked > 1.0:
            try:
                row = conn.execute(
                    "SELECT active FROM projection_generations WHERE projection = ?", (PROJECTION,)
                ).fetchone()
            except sqlite3.Error:
                row = None
            self._table_name = PETITIONS_TABLE.format(generation=int(row[0]) if row and row[0] else 1)
            self._table_checked = now
        return self._table_name

    def _found(self, ids: list[str]) -> set[str]:
        if self._conn is None:
            # A plain reader: autocommit, so each SELECT sees the latest commit; it never
            # takes the write lock (the services' engines begin IMMEDIATE, this does not).
            self._conn = sqlite3.connect(self.database, isolation_level=None, timeout=0.05)
        conn = self._conn
        table = self._table(conn)
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(f"SELECT petition_id FROM {table} WHERE petition_id IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        self.queries += 1
        return found

    def wait_for(self, petition_id: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.pending[petition_id] = future
        return future

    async def run(self, until: Callable[[], bool]) -> None:
        while not until():
            if self.pending:
                try:
                    found = self._found(list(self.pending))
                except sqlite3.Error:
                    found = set()  # e.g. locked by a checkpoint: next round
                now = time.perf_counter()
                for petition_id in found:
                    future = self.pending.pop(petition_id)
                    if not future.done():
                        future.set_result(now)
            await asyncio.sleep(self.interval)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


async def open_loop_latency(
    intake_url: str,
    reporting_url: str,
    rate: float,
    seconds: float,
    poll: float,
    visible_timeout: float,
    client_name: str = "lite",
    reporting_db: Path | None = None,
    tokens: TokenSource | None = None,
) -> dict[str, Any]:
    """Submissions at fixed intervals whatever the answers; each one counts as visible when
    reporting's GET /v1/petitions/{id} answers 200. Latency counts from the scheduled send
    time (no coordinated omission).

    With `reporting_db` (probe "db"), the read model is watched every `poll` seconds with
    one query for all petitions in flight and the GET is sent once a petition is there (then
    again every `poll` until 200); without it (probe "http") every petition is polled with GET
    every `poll` seconds from its submission on. `tokens` signs each call as its role would
    make it (a clerk submits, the MTTQ overseer of the province reads)."""
    auth = tokens if tokens is not None else TokenSource(None)
    count = max(1, int(rate * seconds))
    make = HTTP_CLIENTS[client_name]
    poster = make(intake_url, max_connections=200)
    getter = make(reporting_url, max_connections=200)
    watcher = ReadModelWatcher(reporting_db, poll) if reporting_db is not None else None
    visible: list[float] = []
    in_read_model: list[float] = []
    slowest: list[tuple[float, float, float]] = []  # (visible, offset in the run, submit)
    submits: list[float] = []
    send_lag: list[float] = []
    polls = 0
    done = 0
    errors: Counter[str] = Counter()
    try:
        t0 = time.perf_counter() + 0.2

        async def one(i: int) -> None:
            nonlocal polls, done
            scheduled = t0 + i / rate
            try:
                await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
                send_lag.append(time.perf_counter() - scheduled)
                try:
                    submitted = petition_body(1_000_000 + i)
                    province = submitted["province_code"]
                    status, body = await poster.post_json(
                        "/v1/petitions",
                        submitted,
                        {
                            "Idempotency-Key": f"bench-lat-{i}-{uuid.uuid4().hex[:8]}",
                            **auth.for_call("submit", province),
                        },
                    )
                except HttpError as exc:
                    errors[f"submit {type(exc.__cause__).__name__}"] += 1
                    return
                if status != 202:
                    errors[f"submit HTTP {status}"] += 1
                    return
                submits.append(time.perf_counter() - scheduled)
                petition_id = json.loads(body)["petition_id"]
                deadline = scheduled + visible_timeout
                if watcher is not None:
                    try:
                        seen = await asyncio.wait_for(
                            watcher.wait_for(petition_id), timeout=max(0.0, deadline - time.perf_counter())
                        )
                    except TimeoutError:
                        watcher.pending.pop(petition_id, None)
                        errors["not in the read model in time"] += 1
                        visible.append(visible_timeout)  # censored: counts in the percentiles
                        return
                    in_read_model.append(seen - scheduled)
                while time.perf_counter() < deadline:
                    polls += 1
                    try:
                        status, _ = await getter.get(
                            f"/v1/petitions/{petition_id}", auth.for_call("read", province)
                        )
                    except HttpError as exc:
                        errors[f"poll {type(exc.__cause__).__name__}"] += 1
                        status = 0
                    if status == 200:
                        visible.append(time.perf_counter() - scheduled)
                        slowest.append((visible[-1], i / rate, submits[-1]))
                        return
                    await asyncio.sleep(poll)
                errors["not visible in time"] += 1
                visible.append(visible_timeout)
            finally:
                done += 1

        started = time.perf_counter()
        tasks = [one(i) for i in range(count)]
        if watcher is not None:
            tasks.append(watcher.run(until=lambda: done >= count))
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + visible_timeout + 30)
        elapsed = time.perf_counter() - started
    finally:
        await poster.aclose()
        await getter.aclose()
        if watcher is not None:
            watcher.close()
    result = {
        "client": client_name,
        "probe": "db" if watcher is not None else "http",
        "rate": rate,
        "seconds": seconds,
        "scheduled": count,
        "visible": summarize_ms(visible),
        "submit": summarize_ms(submits),
        "send_lag": summarize_ms(send_lag),
        "poll_interval_ms": poll * 1000,
        "get_requests": polls,
        "get_requests_per_s": round(polls / elapsed, 1),
        "slowest": [
            {"at_s": round(at, 2), "visible_ms": round(v * 1000, 1), "submit_ms": round(sub * 1000, 1)}
            for v, at, sub in sorted(slowest, reverse=True)[:5]
        ],
        "errors": dict(errors),
        "measured_from": "scheduled send time (open loop, no coordinated omission)",
        "not_visible_counted_as_ms": visible_timeout * 1000,
    }
    if watcher is not None:
        result["in_read_model"] = summarize_ms(in_read_model)
        result["read_model_queries"] = watcher.queries
    return result
