"""The pure parts of `langnghe bench`: percentiles, ratios and their formatting, verdicts, the
table and the shape of the JSON result. Nothing here starts a server or measures time."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path
from typing import Any

import httpx
import pytest

from langnghe.tools.bench.cli import build_parser, main_bench
from langnghe.tools.bench.cpu import cpu_percent
from langnghe.tools.bench.figures import (
    Figure,
    best_publish,
    best_replay,
    figures_from,
    format_number,
    format_ratio,
    ratio,
    verdict,
)
from langnghe.tools.bench.http_client import HttpError, parse_response_head
from langnghe.tools.bench.latency import PETITIONS_TABLE, PROJECTION
from langnghe.tools.bench.load import knee, saturated
from langnghe.tools.bench.percentiles import percentile, summarize_ms
from langnghe.tools.bench.plan import Plan
from langnghe.tools.bench.rebuild import REBUILD_PATH, ReportingProcess, measure_rebuild
from langnghe.tools.bench.report import SCHEMA_VERSION, build_result, outside_load, render_table
from langnghe.tools.bench.sample import corpus_plan, petition_body

# -- percentiles -------------------------------------------------------------------------------


def test_percentile_interpolates_linearly_between_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0]  # unsorted on purpose
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 2.5
    assert percentile(values, 100) == 4.0
    assert percentile(values, 25) == pytest.approx(1.75)


def test_percentile_agrees_with_the_standard_library() -> None:
    values = [float(v * v % 97) for v in range(1, 202)]
    cut_points = statistics.quantiles(values, n=100, method="inclusive")
    for p in (1, 50, 95, 99):
        assert percentile(values, p) == pytest.approx(cut_points[p - 1])


def test_percentile_of_one_value_and_of_none() -> None:
    assert percentile([7.5], 99) == 7.5
    assert percentile([], 50) is None


@pytest.mark.parametrize("p", [-1, 100.5])
def test_percentile_refuses_out_of_range(p: float) -> None:
    with pytest.raises(ValueError):
        percentile([1.0], p)


def test_summarize_ms_converts_seconds() -> None:
    summary = summarize_ms([0.010, 0.020, 0.030])
    assert summary == {
        "count": 3,
        "p50_ms": 20.0,
        "p95_ms": 29.0,
        "p99_ms": 29.8,
        "max_ms": 30.0,
        "mean_ms": 20.0,
    }
    assert summarize_ms([])["p99_ms"] is None


# -- ratios, numbers, verdicts -----------------------------------------------------------------


def test_ratio() -> None:
    assert ratio(50, 200) == 0.25
    assert ratio(None, 200) is None
    assert ratio(50, None) is None
    assert ratio(50, 0) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.5234, "52 %"),
        (0.5, "50 %"),
        (1.26, "126 %"),
        (0.045, "4.5 %"),
        (0.0, "0.0 %"),
        (None, "—"),
        (math.nan, "—"),
    ],
)
def test_format_ratio(value: float | None, text: str) -> None:
    assert format_ratio(value) == text


def test_format_number() -> None:
    assert format_number(2239.3, "msgs/s") == "2,239 msgs/s"
    assert format_number(96.84, "MiB") == "96.8 MiB"
    assert format_number(None, "ms") == "—"


def test_verdict() -> None:
    assert verdict(0.6, 0.5, at_least=True) == "PASS"
    assert verdict(0.5, 0.5, at_least=True) == "PASS"
    assert verdict(0.4, 0.5, at_least=True) == "MISS"
    assert verdict(150.0, 200.0, at_least=False) == "PASS"
    assert verdict(250.0, 200.0, at_least=False) == "MISS"
    assert verdict(None, 200.0, at_least=False) == "n/a"
    assert verdict(3.0, None, at_least=True) == "info"


def test_figure_judges_the_ratio_or_the_value() -> None:
    on_ratio = Figure("e2e", "e2e", 600.0, "petitions/s", limit=1000.0, target=0.5)
    assert on_ratio.ratio == 0.6
    assert on_ratio.status == "PASS"
    assert on_ratio.target_text == "≥ 50 %"
    on_value = Figure("p99", "p99", 250.0, "ms", target=200.0, target_on="value", at_least=False)
    assert on_value.ratio is None
    assert on_value.status == "MISS"
    assert on_value.target_text == "≤ 200 ms"
    assert Figure("x", "x", 1.0, "/s", limit=2.0).status == "info"


def test_cpu_percent() -> None:
    assert cpu_percent(150, 1.5, 100) == 100.0
    assert cpu_percent(10, 0, 100) is None


# -- the table and the JSON --------------------------------------------------------------------

RAW = {
    "publish": {"msgs_per_s": 2000.0},
    "replay": {"sqlite": {"events_per_s": 20000.0}, "postgres": {"skipped": "--skip-postgres"}},
}
OURS = {
    "append_single": {"appends_per_s": 1600.0, "events_per_s": 1600.0},
    "append_batch3": {"appends_per_s": 300.0, "events_per_s": 900.0},
    "e2e": {"petitions_per_s": 1100.0},
    "latency": {"rate": 50.0, "visible": {"p50_ms": 40.0, "p95_ms": 120.0, "p99_ms": 250.0}},
    "rebuild": {"sqlite": {"events_per_s": 9000.0}},
    "rss": {name: {"vmrss_mib": 100.0} for name in ("intake", "tracking", "notify", "reporting")},
}


def test_figures_from_measurements() -> None:
    figures = {f.key: f for f in figures_from(RAW, OURS)}
    assert figures["e2e_throughput"].ratio == pytest.approx(0.55)
    assert figures["e2e_throughput"].status == "PASS"
    assert figures["latency_p99"].status == "MISS"
    assert figures["latency_p50"].status == "info"
    assert figures["rebuild_sqlite"].ratio == pytest.approx(0.45)
    assert figures["rebuild_sqlite"].status == "PASS"
    assert figures["rebuild_postgres"].value is None
    assert figures["rebuild_postgres"].status == "n/a"
    assert figures["append_single"].ratio == pytest.approx(0.8)
    assert {figures[f"rss_{n}"].status for n in ("intake", "tracking", "notify", "reporting")} == {"PASS"}


def test_figures_from_nothing_measured() -> None:
    figures = figures_from({}, {})
    assert {f.status for f in figures} == {"info", "n/a"}


def test_render_table_has_a_row_per_figure() -> None:
    figures = figures_from(RAW, OURS)
    table = render_table(figures)
    lines = table.splitlines()
    assert lines[0].split() == ["figure", "value", "raw", "limit", "ratio", "target", "result"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert len(lines) == len(figures) + 2
    e2e = next(line for line in lines if line.startswith("end to end"))
    assert "1,100 petitions/s" in e2e and "55 %" in e2e and e2e.endswith("PASS")


def test_build_result_shape() -> None:
    figures = figures_from(RAW, OURS)
    result = build_result(
        environment={"cpu_count": 2, "nats_sync_interval": "always"},
        config={"e2e_seconds": 60},
        raw=RAW,
        ours=OURS,
        figures=figures,
        errors={},
        started_at="2026-01-01T00:00:00+00:00",
        seconds=123.456,
    )
    assert json.loads(json.dumps(result)) == result  # plain JSON all the way down
    assert set(result) == {
        "schema_version",
        "started_at",
        "seconds",
        "environment",
        "config",
        "raw",
        "ours",
        "checks",
        "summary",
        "errors",
    }
    assert result["schema_version"] == SCHEMA_VERSION
    assert result["seconds"] == 123.5
    assert len(result["checks"]) == len(figures)
    check = next(c for c in result["checks"] if c["key"] == "e2e_throughput")
    assert set(check) == {
        "key",
        "label",
        "value",
        "unit",
        "limit",
        "limit_label",
        "ratio",
        "target",
        "target_on",
        "at_least",
        "status",
        "note",
    }
    assert check["ratio"] == 0.55 and check["status"] == "PASS" and check["target_on"] == "ratio"
    # e2e, 2 rebuilds (one not measured), p99, 4 RSS are judged; the rest is information
    assert result["summary"] == {"pass": 6, "miss": 1, "not_measured": 1, "all_passed": False}


def test_build_result_with_errors_never_all_passed() -> None:
    passing = [Figure("x", "x", 1.0, "/s", limit=1.0, target=0.5)]
    kwargs = {
        "environment": {},
        "config": {},
        "raw": {},
        "ours": {},
        "figures": passing,
        "started_at": "",
        "seconds": 1.0,
    }
    assert build_result(errors={}, **kwargs)["summary"]["all_passed"] is True  # type: ignore[arg-type]
    failed = build_result(errors={"e2e": "boom"}, **kwargs)  # type: ignore[arg-type]
    assert failed["summary"]["all_passed"] is False
    assert failed["errors"] == {"e2e": "boom"}


# -- sample data and arguments -----------------------------------------------------------------


def test_corpus_plan_is_exact_and_causal() -> None:
    plan = corpus_plan(20_000)
    assert len(plan) == 20_000
    received: set[int] = set()
    for n, kind in plan:
        if kind == "received":
            assert n not in received
            received.add(n)
        else:
            assert n in received  # never an event of a petition not yet received
    kinds = [kind for _, kind in plan]
    assert kinds.count("assigned") > kinds.count("answered") > 0


def test_petition_body_is_a_valid_submission_shape() -> None:
    body = petition_body(7)
    assert len(str(body["province_code"])) == 2 and len(str(body["commune_code"])) == 5
    assert body["citizen"] is not None
    assert petition_body(9)["citizen"] is None


def test_arguments_and_plans() -> None:
    parser = build_parser()
    full = Plan.from_args(parser.parse_args([]))
    assert (full.e2e_seconds, full.latency_seconds, full.latency_rate, full.corpus_events) == (
        60.0,
        60.0,
        50.0,
        20_000,
    )
    quick = Plan.from_args(parser.parse_args(["--quick"]))
    assert quick.e2e_seconds <= 5 and quick.raw_seconds <= 5 and quick.corpus_events < 20_000
    args = parser.parse_args(["--duration", "30", "--rate", "20", "--out", "x.json", "--skip-postgres"])
    assert (args.duration, args.rate, args.out, args.skip_postgres) == (30.0, 20.0, "x.json", True)


def test_end_to_end_probes_by_default_unless_told_how_many_in_flight() -> None:
    parser = build_parser()
    assert Plan.from_args(parser.parse_args([])).concurrency is None
    assert Plan.from_args(parser.parse_args(["--concurrency", "32"])).concurrency == 32
    assert Plan.from_args(parser.parse_args(["--quick"])).probe_seconds < 5


def test_saturated_when_a_probe_gains_less_than_the_step_or_fails() -> None:
    assert not saturated([])
    assert not saturated([800.0])
    assert not saturated([800.0, 1000.0])  # +25 %: keep climbing
    assert saturated([800.0, 1000.0, 1040.0])  # +4 % over the best before
    assert saturated([800.0, 1000.0, 900.0])  # worse
    assert saturated([800.0, None])  # failed (errors, or not all visible)
    assert saturated([None])


def test_knee_is_the_fewest_in_flight_near_the_best_rate() -> None:
    probes = [(24, 880.0), (48, 1040.0), (96, 1123.0), (192, 1188.0)]
    assert knee(probes) == 96  # 1123 >= 0.9 * 1188; 1040 is not
    assert knee(probes, share=0.95) == 192
    assert knee(probes, share=0.7) == 24
    assert knee([(24, 500.0), (48, None)]) == 24
    assert knee([(24, None)]) is None
    assert knee([]) is None


def test_the_end_to_end_figure_says_how_many_were_in_flight() -> None:
    ours = {"e2e": {"petitions_per_s": 1100.0, "concurrency": 96}}
    figure = next(
        f for f in figures_from({"publish": {"msgs_per_s": 2000.0}}, ours) if f.key == "e2e_throughput"
    )
    assert figure.label == "end to end submit→visible (96 in flight)"
    assert figure.ratio == 0.55 and figure.status == "PASS"


def test_main_bench_refuses_bad_values() -> None:
    assert main_bench(["--duration", "0"]) == 2


def test_outside_load_warns_only_above_the_level() -> None:
    phases = {"e2e": {"outside_pct": 40.0}, "latency": {"outside_pct": 10.0}, "rss": {}}
    assert outside_load(phases) == ("e2e", 40.0)
    assert outside_load({"e2e": {"outside_pct": 5.0}}) is None
    assert outside_load({}) is None


def test_parse_response_head() -> None:
    head = b"HTTP/1.1 202 Accepted\r\ncontent-length: 42\r\ncontent-type: application/json\r\n\r\n"
    assert parse_response_head(head) == (202, 42, False, True)
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    assert parse_response_head(chunked) == (200, None, True, False)
    assert parse_response_head(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")[3] is False
    with pytest.raises(HttpError):
        parse_response_head(b"SSH-2.0-OpenSSH\r\n\r\n")


def test_the_publish_limit_is_the_better_of_its_two_measurements() -> None:
    """Measured before and after the system run: a ratio is taken against the higher."""
    slow_then_fast = {**RAW, "publish_after": {"msgs_per_s": 2200.0}}
    figures = {f.key: f for f in figures_from(slow_then_fast, OURS)}
    assert figures["e2e_throughput"].limit == 2200.0
    assert figures["e2e_throughput"].ratio == pytest.approx(0.5)
    assert (
        best_publish({"publish": {"msgs_per_s": 1500.0}, "publish_after": {"msgs_per_s": 1200.0}}) == 1500.0
    )
    assert best_publish({"publish_after": {"msgs_per_s": 1200.0}}) == 1200.0  # the first failed
    assert best_publish({"publish": {"error": "timeout"}}) is None


def test_the_replay_limit_is_the_better_of_its_two_measurements() -> None:
    raw = {**RAW, "replay_after": {"sqlite": {"events_per_s": 30000.0}}}
    figures = {f.key: f for f in figures_from(raw, OURS)}
    assert figures["rebuild_sqlite"].limit == 30000.0
    assert figures["rebuild_sqlite"].ratio == pytest.approx(0.3)
    assert figures["rebuild_sqlite"].status == "MISS"
    assert best_replay(raw, "postgres") is None  # skipped both times
    assert best_replay({"replay_after": {"sqlite": {"events_per_s": 5.0}}}, "sqlite") == 5.0


# -- the rebuild, over reporting's HTTP API ----------------------------------------------------


def reporting_answering(events: int, total: int, generation: int) -> tuple[Any, list[str]]:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        if request.url.path == REBUILD_PATH:
            report = {"projection": "reporting-petitions", "generation": 2, "events": events}
            return httpx.Response(
                200, json={**report, "seconds": 2.0, "position": events, "events_per_second": events / 2.0}
            )
        return httpx.Response(
            200, json={"generation": generation, "total": total, "by_status": {"received": total}}
        )

    return httpx.MockTransport(answer), calls


async def test_the_rebuild_figure_is_reporting_s_own_report() -> None:
    transport, calls = reporting_answering(events=5000, total=3143, generation=2)
    reporting = ReportingProcess("nats://127.0.0.1:1", "sqlite+aiosqlite:///x.db", Path("reporting.log"))
    result = await measure_rebuild(reporting, 5000, 3143, transport=transport)
    assert calls == [f"POST {REBUILD_PATH}", "GET /v1/stats"]
    assert (result["events"], result["seconds"], result["events_per_s"]) == (5000, 2.0, 2500.0)
    assert result["generation"] == 2 and result["by_status"] == {"received": 3143}


@pytest.mark.parametrize(
    ("events", "total", "generation"), [(4999, 3143, 2), (5000, 3000, 2), (5000, 3143, 1)]
)
async def test_a_rebuild_that_missed_events_petitions_or_the_switch_is_an_error(
    events: int, total: int, generation: int
) -> None:
    transport, _ = reporting_answering(events, total, generation)
    reporting = ReportingProcess("nats://127.0.0.1:1", "sqlite+aiosqlite:///x.db", Path("reporting.log"))
    with pytest.raises(RuntimeError, match="expected 5000 / 3143"):
        await measure_rebuild(reporting, 5000, 3143, transport=transport)


def test_the_latency_probe_reads_the_tables_reporting_writes() -> None:
    """The probe reads reporting's SQLite file by name (the bench imports no service): the
    names must be the ones reporting's projection uses."""
    from langnghe.reporting.adapters.petition_tables import generation_tables
    from langnghe.reporting.projections.petition_view import PetitionView

    assert PetitionView.name == PROJECTION
    assert generation_tables(3).petitions.name == PETITIONS_TABLE.format(generation=3)


async def test_the_bench_rebuilds_as_an_operator_of_its_own_issuer(tmp_path: Path) -> None:
    from langnghe.runtime.auth import Role
    from langnghe.runtime.auth.jwks import JwksCache, read_jwks_file
    from langnghe.runtime.auth.oidc import OidcAuthenticator
    from langnghe.tools.issuer import LOCAL_ISSUER, jwks_path

    roles: list[Role] = []
    transport, _ = reporting_answering(events=5000, total=3143, generation=2)

    async def verifying(request: httpx.Request) -> httpx.Response:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        verifier = OidcAuthenticator(issuer=LOCAL_ISSUER, keys=JwksCache(read_jwks_file(jwks_path(tmp_path))))
        roles.append(verifier.authenticate(token).role)
        return await transport.handle_async_request(request)

    reporting = ReportingProcess(
        "nats://127.0.0.1:1", "sqlite+aiosqlite:///x.db", Path("reporting.log"), data_dir=tmp_path
    )
    assert reporting.service.env["LN_REPORTING_AUTH_JWKS_FILE"] == str(jwks_path(tmp_path).resolve())
    await measure_rebuild(reporting, 5000, 3143, transport=httpx.MockTransport(verifying))
    assert roles == [Role.OPS, Role.OPS]
