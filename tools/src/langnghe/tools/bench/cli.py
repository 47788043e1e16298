"""`langnghe bench`: the arguments, and the run they start (see the package's docstring)."""

from __future__ import annotations

import argparse
import os
import sys

from langnghe.tools.bench.http_client import HTTP_CLIENTS
from langnghe.tools.bench.load import CONCURRENCY_STEPS
from langnghe.tools.bench.postgres import DEFAULT_PG_ADMIN_URL
from langnghe.tools.bench.report import say
from langnghe.tools.bench.run import Bench


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="langnghe bench",
        description="Benchmark the embedded system (local nats-server with sync_interval: always, the four "
        "services as separate processes on SQLite; rebuild also on PostgreSQL) against raw limits.",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=60.0,
        help="seconds of end-to-end load, and of the latency run (default 60)",
    )
    parser.add_argument(
        "--rate", type=float, default=50.0, help="submissions/s of the latency run (default 50)"
    )
    parser.add_argument(
        "--out", default="bench-results/latest.json", help="JSON output (default bench-results/latest.json)"
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (about 5 s per phase)")
    parser.add_argument("--skip-postgres", action="store_true", help="no PostgreSQL replay/rebuild")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("LN_BENCH_POSTGRES_URL", DEFAULT_PG_ADMIN_URL),
        help="server URL to create a scratch database on (default $LN_BENCH_POSTGRES_URL, else "
        f"{DEFAULT_PG_ADMIN_URL})",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="submissions in flight during the end-to-end run (default: probe "
        f"{', '.join(map(str, CONCURRENCY_STEPS))} for the knee of the rate, then sustain it there)",
    )
    parser.add_argument(
        "--events", type=int, default=20_000, help="events replayed and rebuilt (default 20000)"
    )
    parser.add_argument(
        "--client",
        choices=sorted(HTTP_CLIENTS),
        default="lite",
        help="HTTP client of the load generator: lite (minimal keep-alive HTTP/1.1, little CPU; "
        "default) or httpx (one httpx.AsyncClient; about 1.3 ms of CPU per request on 2 cores)",
    )
    parser.add_argument(
        "--probe",
        choices=("db", "http"),
        default="db",
        help="how the latency run finds that a petition is visible: db (default) watches "
        "reporting's read model every 5 ms with one query for all petitions in flight, then "
        "confirms each with one GET; http polls GET /v1/petitions/{id} every 5 ms per petition "
        "(which loads reporting itself: a GET costs it a few ms of CPU)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir and logs")
    return parser


def main_bench(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.duration <= 0 or args.rate <= 0 or (args.concurrency or 1) < 1 or args.events < 100:
        say("langnghe bench: --duration and --rate must be > 0, --concurrency ≥ 1, --events ≥ 100")
        return 2
    return Bench(args).run()


if __name__ == "__main__":
    raise SystemExit(main_bench(sys.argv[1:]))
