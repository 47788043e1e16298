"""One bench run: a nats-server of its own, the phases in order (raw limits and the store,
the replays and rebuilds, the system), then the table and the JSON."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from langnghe.runtime.provision_command import provision_nats
from langnghe.tools import nats_server
from langnghe.tools.bench import system
from langnghe.tools.bench.cpu import CpuWindow
from langnghe.tools.bench.environment import environment, git_state
from langnghe.tools.bench.figures import best_publish, best_replay, figures_from
from langnghe.tools.bench.plan import Plan
from langnghe.tools.bench.postgres import database_url, pg_admin
from langnghe.tools.bench.raw_limits import (
    REPLAY_BATCH,
    append_corpus,
    measure_raw_publish,
    measure_raw_replay,
)
from langnghe.tools.bench.rebuild import REBUILD_PATH, ReportingProcess, measure_rebuild
from langnghe.tools.bench.report import build_result, report_text, say
from langnghe.tools.bench.store_append import measure_store_append
from langnghe.tools.launcher import Launcher


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.plan = Plan.from_args(args)
        self.raw: dict[str, Any] = {"replay": {}, "replay_after": {}}
        self.ours: dict[str, Any] = {"rebuild": {}}
        self.errors: dict[str, str] = {}
        self.data_dir = Path(tempfile.mkdtemp(prefix="langnghe-bench-"))
        self.nats: nats_server.NatsServer | None = None
        self.nats_version: tuple[int, int, int] | None = None
        self.pg_version: str | None = None
        self.launcher: Launcher | None = None
        self.corpus: dict[str, Any] | None = None
        self.pids: dict[str, int] = {"bench": os.getpid()}
        self.cpu_by_phase: dict[str, dict[str, Any]] = {}

    @property
    def nats_url(self) -> str:
        assert self.nats is not None, "nats-server is started first"
        return self.nats.url

    def phase(
        self,
        key: str,
        label: str,
        fn: Callable[[], Coroutine[Any, Any, dict[str, Any]]],
        pids: dict[str, int] | None = None,
    ) -> dict[str, Any] | None:
        """Run one measurement, with the CPU of our processes (and `pids`) over its span."""
        say(f"… {label}")
        started = time.perf_counter()
        window = CpuWindow({**self.pids, **(pids or {})})
        try:
            result: dict[str, Any] = asyncio.run(fn())
        except Exception as exc:  # noqa: BLE001 - a failed phase is reported, the others still run
            self.errors[key] = f"{type(exc).__name__}: {exc}"
            say(f"  FAILED after {time.perf_counter() - started:.1f} s: {self.errors[key]}")
            return None
        cpu = window.stop()
        result["cpu"] = cpu
        self.cpu_by_phase[key] = cpu
        shares = ", ".join(
            f"{n} {v:.0f}" for n, v in cpu["processes_pct_of_one_core"].items() if v is not None
        )
        say(
            f"  done in {time.perf_counter() - started:.1f} s; CPU % of one core: {shares}; "
            f"machine {cpu.get('machine_busy_pct')} of {100 * (os.cpu_count() or 1)}, "
            f"outside our processes {cpu.get('outside_pct')}"
        )
        return result

    def run(self) -> int:
        from langnghe.runtime.speedups.gc_tuning import tune_gc

        # The raw replays run in this process: with the garbage collector set as in every
        # service (the rebuild runs inside reporting), raw limit and figure alike.
        tune_gc()
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        load_at_start = os.getloadavg()
        git = git_state()
        t0 = time.perf_counter()
        failed = False
        try:
            binary = nats_server.find_binary()
            self.nats_version = nats_server.binary_version(binary)
            self.nats = nats_server.start(
                self.data_dir / "nats",
                port=nats_server.free_port(),
                monitor_port=nats_server.free_port(),
                log_file=self.data_dir / "nats.log",
            )
            self.pids["nats-server"] = self.nats.process.pid
            version = ".".join(map(str, self.nats_version))
            say(f"nats-server {version} on {self.nats.url} (sync_interval: always), data in {self.data_dir}")
            self.provision()
            self._raw_and_store()
            self._replays()
            system.run_system(self)
        except KeyboardInterrupt:
            self.errors["interrupted"] = "Ctrl-C"
            failed = True
        except Exception as exc:  # noqa: BLE001 - reported, then cleaned up
            self.errors["run"] = f"{type(exc).__name__}: {exc}"
            failed = True
        finally:
            self._cleanup()
        seconds = time.perf_counter() - t0
        figures = figures_from(self.raw, self.ours)
        result = build_result(
            environment=environment(self.nats_version, self.pg_version, load_at_start, git),
            config={
                **dataclasses.asdict(self.plan),
                "quick": self.args.quick,
                "postgres": not self.args.skip_postgres,
            },
            raw=self.raw,
            ours=self.ours,
            figures=figures,
            errors=self.errors,
            started_at=started_at,
            seconds=seconds,
        )
        out = Path(self.args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        say("")
        say(report_text(result, figures, self.cpu_by_phase))
        say(f"\nJSON: {out}  ({seconds:.0f} s in all)")
        for key, error in self.errors.items():
            say(f"error in {key}: {error}")
        return 1 if failed or self.errors else 0

    # ----------------------------------------------------------------- phases

    def provision(self) -> None:
        report = asyncio.run(provision_nats(self.nats_url))
        if not report.ok:
            raise RuntimeError(f"provisioning failed: {report.errors}")

    def raw_publish(self, key: str, again: str) -> None:
        url, seconds = self.nats_url, self.plan.raw_seconds
        result = self.phase(
            f"raw.{key}",
            f"raw{again}: synchronous js.publish from one client, {seconds:g} s",
            lambda: measure_raw_publish(url, seconds),
        )
        if result:
            self.raw[key] = result
            best = f"; the figures use {best_publish(self.raw) or 0:,.0f}/s, the better of the two"
            say(
                f"  {result['msgs_per_s']:,.0f} msgs/s, ack p50 {result['ack']['p50_ms']} ms"
                + (best if again else "")
            )

    def _raw_and_store(self) -> None:
        url, plan = self.nats_url, self.plan
        self.raw_publish("publish", "")
        for batch, key in ((1, "append_single"), (3, "append_batch3")):
            result = self.phase(
                key,
                f"ours: JetStreamEventStore.append, {batch} event(s) per append, {plan.append_seconds:g} s",
                lambda batch=batch: measure_store_append(url, plan.append_seconds, batch),  # type: ignore[misc]
            )
            if result:
                self.ours[key] = result
                say(f"  {result['appends_per_s']:,.0f} appends/s = {result['events_per_s']:,.0f} events/s")

    def _replays(self) -> None:
        url, plan = self.nats_url, self.plan
        self.corpus = self.phase(
            "corpus",
            f"corpus: {plan.corpus_events:,} petition events into PETITIONS (pipelined publish_async)",
            lambda: append_corpus(url, plan.corpus_events),
        )
        if not self.corpus:
            return
        self.raw["corpus"] = self.corpus
        say(f"  {self.corpus['petitions']:,} petitions, {self.corpus['msgs_per_s']:,.0f} msgs/s")
        databases: list[tuple[str, str]] = [
            ("sqlite", f"sqlite+aiosqlite:///{self.data_dir / 'bench-sqlite.db'}")
        ]
        pg_db: str | None = None
        if self.args.skip_postgres:
            self.raw["replay"]["postgres"] = {"skipped": "--skip-postgres"}
            self.ours["rebuild"]["postgres"] = {"skipped": "--skip-postgres"}
        else:
            admin = self.args.postgres_url
            pg_db = f"ln_bench_{uuid.uuid4().hex[:10]}"
            try:
                self.pg_version = asyncio.run(pg_admin(admin, "version"))
                asyncio.run(pg_admin(admin, f'CREATE DATABASE "{pg_db}"'))
                databases.append(("postgres", database_url(admin, pg_db)))
            except Exception as exc:  # noqa: BLE001 - PostgreSQL is optional for the run
                self.errors["postgres"] = f"{type(exc).__name__}: {exc}"
                pg_db = None
        events = self.corpus["events"]

        def raw_replay(key: str, again: str, db: str, db_url: str) -> None:
            result = self.phase(
                f"raw.{key}.{db}",
                f"raw{again}: ordered consumer → executemany ({REPLAY_BATCH}/transaction) on {db}",
                lambda: measure_raw_replay(url, db_url, events),
            )
            if result:
                self.raw[key][db] = result
                best = f"; the rebuild is compared with {best_replay(self.raw, db) or 0:,.0f}/s, the better"
                say(f"  {result['events_per_s']:,.0f} events/s" + (best if again else ""))

        try:
            for db, db_url in databases:
                raw_replay("replay", "", db, db_url)
                self._rebuild(db, db_url)
                raw_replay("replay_after", ", again", db, db_url)
        finally:
            if pg_db is not None:
                with contextlib.suppress(Exception):
                    asyncio.run(
                        pg_admin(self.args.postgres_url, f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)')
                    )

    def _rebuild(self, db: str, db_url: str) -> None:
        """Reporting on `db`, caught up with the corpus, rebuilt over HTTP, then stopped (the
        raw replay after it runs without it, as the one before it did)."""
        assert self.corpus is not None
        events, petitions = self.corpus["events"], self.corpus["petitions"]
        reporting = ReportingProcess(
            self.nats_url, db_url, self.data_dir / f"reporting-{db}.log", data_dir=self.data_dir
        )
        say(f"… reporting on {db} (a process of its own): its live consumer applies the corpus first")
        reporting.start()
        try:
            try:
                catch_up = asyncio.run(reporting.wait_caught_up(events))
            except Exception as exc:  # noqa: BLE001 - reported; the other databases still run
                self.errors[f"rebuild.{db}"] = f"{type(exc).__name__}: {exc}"
                say(f"  FAILED: {self.errors[f'rebuild.{db}']}")
                return
            say(f"  {events:,} events applied in {catch_up:.1f} s")
            pid = reporting.pid
            result = self.phase(
                f"rebuild.{db}",
                f"ours: POST {REBUILD_PATH} (reporting's rebuild) on {db}",
                lambda: measure_rebuild(reporting, events, petitions),
                pids={"reporting": pid} if pid is not None else None,
            )
            if result:
                result["catch_up_seconds"] = round(catch_up, 1)
                self.ours["rebuild"][db] = result
                say(f"  {result['events_per_s']:,.0f} events/s ({result['seconds']} s)")
        finally:
            reporting.stop()

    def _cleanup(self) -> None:
        if self.launcher is not None:
            with contextlib.suppress(Exception):
                self.launcher._stop_services()
        if self.nats is not None:
            self.nats.stop()
        if self.args.keep or self.errors:
            say(f"data and logs kept in {self.data_dir}")
        else:
            shutil.rmtree(self.data_dir, ignore_errors=True)
