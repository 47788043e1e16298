"""The launcher's pure parts (restart backoff, port checks, the environment each service gets,
the summary, subcommand registration) and the demo data set: valid for the services' own
request models and rules, Vietnamese in NFC, dates in the future, keys unique."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import types
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from langnghe.contracts.events.petition import Channel, LegalType
from langnghe.runtime import provision_command
from langnghe.runtime.settings import ServiceSettings
from langnghe.tools import cli, demo
from langnghe.tools.launcher import (
    SERVICES,
    Backoff,
    Launcher,
    ServiceProcess,
    StackConfig,
    describe_exit,
    format_summary,
    log_tail,
    other_launcher,
    port_problems,
    restart_delay,
    service_env,
)

TODAY = date(2026, 3, 2)
RECEIVED_AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
FIELDS = {
    "land",
    "site_clearance",
    "urban_planning",
    "agriculture",
    "environment",
    "cadre_ethics",
    "social_policy",
    "infrastructure",
}


def always_free(port: int, host: str) -> bool:
    return True


# --------------------------------------------------------------------------- restart backoff


def test_restart_delay_doubles_from_one_second_to_a_thirty_second_cap():
    assert [restart_delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]
    assert restart_delay(10_000) == 30


def test_restart_delay_counts_failures_from_one():
    with pytest.raises(ValueError):
        restart_delay(0)


def test_backoff_grows_while_a_service_keeps_crashing():
    backoff = Backoff()
    delays = [backoff.after_exit(uptime) for uptime in (0.5, 3, 10, 59.9, 1, 1, 1)]
    assert delays == [1, 2, 4, 8, 16, 30, 30]


def test_backoff_starts_over_after_a_service_stayed_up_a_minute():
    backoff = Backoff()
    for _ in range(5):
        backoff.after_exit(2)
    assert backoff.after_exit(60) == 1
    assert backoff.after_exit(5) == 2


# --------------------------------------------------------------------------- ports


def test_a_taken_port_is_named_with_the_flag_that_changes_it():
    cfg = StackConfig(data_dir=Path("/tmp/x"))
    problems = port_problems(cfg, is_free=lambda port, host: port != 8702)
    assert len(problems) == 1
    assert "8702" in problems[0]
    assert "tracking" in problems[0]
    assert "--tracking-port" in problems[0]


def test_taken_nats_ports_name_their_flags():
    cfg = StackConfig(data_dir=Path("/tmp/x"), nats_port=15000, nats_monitor_port=15001)
    problems = port_problems(cfg, is_free=lambda port, host: port not in (15000, 15001))
    assert any("15000" in p and "--nats-port" in p for p in problems)
    assert any("15001" in p and "--nats-monitor-port" in p for p in problems)


def test_every_port_is_checked_nats_on_loopback_services_on_the_bind_host():
    seen: list[tuple[int, str]] = []

    def record(port: int, host: str) -> bool:
        seen.append((port, host))
        return True

    cfg = StackConfig(data_dir=Path("/tmp/x"), host="0.0.0.0")
    assert port_problems(cfg, is_free=record) == []
    assert (14222, "127.0.0.1") in seen
    assert (18222, "127.0.0.1") in seen
    assert {(8701, "0.0.0.0"), (8702, "0.0.0.0"), (8703, "0.0.0.0"), (8704, "0.0.0.0")} <= set(seen)


def test_one_port_given_to_two_flags_is_refused():
    ports = {"intake": 9001, "tracking": 9002, "notify": 9003, "reporting": 9003}
    cfg = StackConfig(data_dir=Path("/tmp/x"), http_ports=ports)
    problems = port_problems(cfg, is_free=always_free)
    assert len(problems) == 1
    assert "--notify-port" in problems[0] and "--reporting-port" in problems[0]


def test_port_flags_reach_the_stack_config(tmp_path, monkeypatch):
    seen: list[StackConfig] = []

    class FakeLauncher:
        def __init__(self, cfg: StackConfig) -> None:
            seen.append(cfg)

        def run(self) -> int:
            return 0

    monkeypatch.setattr(cli, "Launcher", FakeLauncher)
    argv = ["up", "--data-dir", str(tmp_path / "d"), "--tracking-port", "9102", "--nats-port", "15222"]
    assert cli.main([*argv, "--demo"]) == 0
    cfg = seen[0]
    assert cfg.http_ports == {"intake": 8701, "tracking": 9102, "notify": 8703, "reporting": 8704}
    assert cfg.nats_port == 15222 and cfg.nats_monitor_port == 18222
    assert cfg.demo is True
    assert cfg.data_dir.is_absolute()


def test_a_port_out_of_range_is_a_usage_error():
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["up", "--intake-port", "70000"])
    assert exit_info.value.code == 2


# --------------------------------------------------------------------------- service processes


def _settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"langnghe.{service}.settings")
    (found,) = (
        obj
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, ServiceSettings) and obj is not ServiceSettings
    )
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_gets_settings_it_accepts(service, tmp_path, monkeypatch):
    cfg = StackConfig(data_dir=tmp_path)
    env = service_env(service, cfg, "nats://127.0.0.1:14222", {"KEEP": "1"})
    assert env["KEEP"] == "1"
    for key in [k for k in os.environ if k.startswith(f"LN_{service.upper()}_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("LN_"):
            monkeypatch.setenv(key, value)
    settings = _settings_class(service)()
    assert settings.http_port == cfg.http_ports[service]
    assert settings.http_host == "127.0.0.1"
    assert settings.nats_url == "nats://127.0.0.1:14222"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path.resolve().as_posix()}/{service}.db"
    # The embedded issuer: its JWKS file in the data directory.
    assert settings.auth_issuer == "urn:langnghe:embedded-issuer" and settings.auth_audience == "langnghe"
    assert settings.auth_jwks_file == tmp_path.resolve() / "issuer" / "jwks.json"


def test_exits_are_described_for_people():
    assert describe_exit(3) == "exit code 3"
    assert describe_exit(-9) == "killed by SIGKILL"


def test_log_tail_keeps_the_last_lines(tmp_path):
    log = tmp_path / "x.log"
    log.write_text("".join(f"line {i}\n" for i in range(100)))
    assert log_tail(log, lines=3) == "line 97\nline 98\nline 99"
    assert log_tail(tmp_path / "missing.log") == "(no log yet)"


def test_a_crashed_service_is_restarted_after_its_backoff(tmp_path, capsys):
    launcher = Launcher(StackConfig(data_dir=tmp_path))
    service = ServiceProcess(
        "intake", [sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ), tmp_path / "intake.log"
    )
    service.start()
    assert service.process is not None
    service.process.wait()

    launcher._check(service, now=service.started_at + 5)
    assert service.restart_at == pytest.approx(service.started_at + 6)
    assert "intake stopped (exit code 3)" in capsys.readouterr().out

    launcher._check(service, now=service.restart_at - 0.1)
    assert service.restarts == 0
    launcher._check(service, now=service.restart_at)
    assert service.restarts == 1
    service.process.wait()
    launcher._check(service, now=service.started_at + 1)
    assert service.restart_at == pytest.approx(service.started_at + 3)  # second crash: 2 s
    assert (tmp_path / "intake.log").read_text().count("langnghe launcher:") == 2


def test_another_live_launcher_on_the_data_dir_is_detected(tmp_path):
    pid_file = tmp_path / "launcher.pid"
    assert other_launcher(tmp_path) is None
    pid_file.write_text(f"{os.getpid()}\n")
    assert other_launcher(tmp_path) is None  # ourselves
    pid_file.write_text(f"{os.getppid()}\n")
    assert other_launcher(tmp_path) == os.getppid()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    pid_file.write_text(f"{gone.pid}\n")
    assert other_launcher(tmp_path) is None


def test_the_summary_opens_in_vietnamese_and_lists_every_address(tmp_path):
    cfg = StackConfig(data_dir=tmp_path)
    text = format_summary(cfg, "nats://127.0.0.1:14222")
    assert text.splitlines()[0] == "Lắng Nghe đang chạy"
    for name, port in cfg.http_ports.items():
        assert f"{name}" in text
        assert f"http://127.0.0.1:{port}/docs" in text
    assert "nats://127.0.0.1:14222" in text
    assert str(tmp_path) in text and str(tmp_path / "logs") in text


def test_a_wildcard_bind_address_is_shown_as_loopback():
    assert StackConfig(data_dir=Path("/x"), host="0.0.0.0").base_url("intake") == "http://127.0.0.1:8701"


# --------------------------------------------------------------------------- subcommands


def test_a_subcommand_whose_module_is_missing_is_not_available(monkeypatch, capsys):
    monkeypatch.setitem(cli.EXTERNAL_COMMANDS, "nothing", ("langnghe.tools.no_such_module:main", ""))
    assert cli.main(["nothing", "--flag"]) == 2
    assert "not available" in capsys.readouterr().err


def test_a_registered_subcommand_is_imported_when_used_and_gets_its_arguments(monkeypatch):
    received: list[list[str]] = []
    module = types.ModuleType("langnghe_test_subcommand")
    module.main_x = lambda argv: received.append(argv) or 7  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(cli.EXTERNAL_COMMANDS, "x", (f"{module.__name__}:main_x", ""))
    assert cli.main(["x", "--check", "a"]) == 7
    assert received == [["--check", "a"]]


def test_docs_bench_and_ops_are_registered():
    assert {"docs", "bench", "ops"} <= set(cli.EXTERNAL_COMMANDS)
    assert cli.EXTERNAL_COMMANDS["docs"][0] == "langnghe.tools.docs:main_docs"
    assert cli.EXTERNAL_COMMANDS["bench"][0] == "langnghe.tools.bench.cli:main_bench"


def test_provision_without_a_nats_url_says_how_to_give_one(monkeypatch, capsys):
    monkeypatch.delenv("LN_PROVISION_NATS_URL", raising=False)
    assert cli.main(["provision"]) == 2
    assert "LN_PROVISION_NATS_URL" in capsys.readouterr().err


def test_provision_refuses_two_replicas(capsys):
    assert cli.main(["provision", "--nats-url", "nats://127.0.0.1:1", "--replicas", "2"]) == 2
    assert "replicas" in capsys.readouterr().err


def test_the_runtime_s_provision_command_takes_the_same_flags(monkeypatch, capsys):
    """`langnghe-provision`, which a deployment's job runs from a service image without the
    tools, is the same command as `langnghe provision`."""
    monkeypatch.delenv("LN_PROVISION_NATS_URL", raising=False)
    assert provision_command.main([]) == 2
    assert "LN_PROVISION_NATS_URL" in capsys.readouterr().err
    assert provision_command.main(["--nats-url", "nats://127.0.0.1:1", "--replicas", "2"]) == 2
    assert "replicas" in capsys.readouterr().err


# --------------------------------------------------------------------------- demo data


DATA = demo.dataset()
PETITIONS: list[dict[str, Any]] = DATA["petitions"]
MEETINGS = {m["key"]: m for m in DATA["meetings"]}


def _texts() -> list[str]:
    out = [m["title"] for m in DATA["meetings"]]
    for p in PETITIONS:
        out.append(p["content"])
        if p.get("answer"):
            out.append(p["answer"]["answer_text"])
        if p.get("citizen"):
            out += [p["citizen"]["full_name"], p["citizen"]["address"]]
    return out


def test_the_demo_has_about_thirty_petitions_from_five_or_more_meetings():
    assert 25 <= len(PETITIONS) <= 40
    assert len(MEETINGS) >= 5
    assert len({p["province_code"] for p in PETITIONS}) >= 4


def test_demo_petitions_use_known_channels_legal_types_and_fields():
    channels = {c.value for c in Channel}
    legal_types = {t.value for t in LegalType}
    for p in PETITIONS:
        assert p["channel"] in channels, p["n"]
        assert p["legal_type"] in legal_types, p["n"]
        assert p["field_code"] in FIELDS, p["n"]
    # The demo shows every kind the system knows.
    assert {p["channel"] for p in PETITIONS} == channels
    assert {p["legal_type"] for p in PETITIONS} == legal_types
    assert {p["field_code"] for p in PETITIONS} == FIELDS


def test_demo_units_are_current_codes_and_communes_belong_to_their_province():
    provinces, communes = DATA["units"]["provinces"], DATA["units"]["communes"]
    for p in PETITIONS + DATA["meetings"]:
        assert re.fullmatch(r"\d{2}", p["province_code"]) and p["province_code"] in provinces
        assert communes[p["commune_code"]]["province_code"] == p["province_code"]


def test_demo_units_are_in_the_official_catalogue():
    from langnghe.domain.units import unit

    # The project's own catalogue (the official list), not the vietnam-provinces package:
    # on Python 3.11 pip installs its draft release, where 13291 is Phủ Lý, not Phù Vân.
    for code, name in DATA["units"]["provinces"].items():
        assert name in {unit(code).name_vi, unit(code).short_name_vi}
    for code, commune in DATA["units"]["communes"].items():
        assert unit(code).name_vi == commune["name"]
        assert unit(code).province_code == commune["province_code"]


def test_demo_text_is_vietnamese_in_nfc():
    texts = _texts()
    for text in texts:
        assert unicodedata.is_normalized("NFC", text), text
        assert any(ord(ch) > 127 for ch in text), f"no diacritics: {text}"
    letters = set(" ".join(texts).lower())
    assert set("ăâđêôơư") <= letters
    assert set("ạảấầậắằặẹếềểễệịọỏốồổộớờởợụủứừửữự") <= letters


def test_demo_citizens_are_obvious_placeholders():
    for p in PETITIONS:
        citizen = p.get("citizen")
        if citizen is None:
            continue
        assert re.fullmatch(r".+ [A-Z]", citizen["full_name"]), citizen["full_name"]
        assert re.fullmatch(r"09000000\d\d", citizen["phone"])
        assert "(địa chỉ minh họa)" in citizen["address"]


def test_demo_idempotency_keys_are_unique():
    planned = demo.plan(TODAY)
    keys = [p.idempotency_key for p in planned]
    assert len(set(keys)) == len(keys) == len(PETITIONS)
    assert all(re.fullmatch(r"demo-\d+", key) for key in keys)


@pytest.mark.parametrize("today", [TODAY, date.today(), date(2031, 12, 31)])
def test_demo_promised_dates_lie_after_the_day_of_loading(today):
    planned = [p for p in demo.plan(today) if p.assign]
    assert len(planned) >= len(PETITIONS) // 2
    for p in planned:
        assert p.assign is not None
        assert date.fromisoformat(p.assign["promised_date"]) >= today + timedelta(days=7)


def test_demo_answers_only_follow_assignments():
    for p in PETITIONS:
        if p.get("answer"):
            assert p.get("assign"), p["n"]
    planned = demo.plan(TODAY)
    assert any(p.answer for p in planned)
    assert any(p.assign and not p.answer for p in planned)
    assert any(not p.assign for p in planned)


def test_demo_requests_pass_the_services_request_models_and_rules():
    from langnghe.intake.domain.submission import decide_submission
    from langnghe.intake.entrypoints.conference_bodies import HoldIn, ScheduleIn
    from langnghe.intake.entrypoints.petitions import PetitionIn
    from langnghe.intake.handlers import new_petition_id
    from langnghe.tracking.entrypoints.petition_bodies import AnswerIn, AssignIn, PublishIn

    conferences = demo.plan_conferences(TODAY)
    for c in conferences:
        ScheduleIn.model_validate(c.schedule)
        HoldIn.model_validate(c.hold)
    ids = {c.meeting_key: f"conf-{c.schedule['province_code']}-{'0' * 32}" for c in conferences}
    for p in demo.plan(TODAY, conference_ids=ids):
        PublishIn.model_validate({"published_on": p.answered_on, "channels": ["headquarters_notice_board"]})
        body = PetitionIn.model_validate(p.submit)
        decide_submission(
            body.command(body.contact()),
            petition_id=new_petition_id(),
            citizen_ref=None,
            received_at=RECEIVED_AT,
        )
        if p.assign:
            AssignIn.model_validate(p.assign)
        if p.answer:
            AnswerIn.model_validate(p.answer)


def test_demo_petitions_from_a_meeting_name_it_and_share_its_channel():
    for p in PETITIONS:
        if p["meeting"] is None:
            assert p["channel"] not in ("dialogue_conference", "voter_meeting"), p["n"]
            continue
        meeting = MEETINGS[p["meeting"]]
        assert p["channel"] == meeting["channel"], p["n"]
        assert (p["province_code"], p["commune_code"]) == (meeting["province_code"], meeting["commune_code"])


class FakeServices:
    """intake accepts everything; tracking answers 404 to the first command on each petition,
    as it does until it has seen the petition on the stream."""

    def __init__(self) -> None:
        self.petitions: dict[str, str] = {}
        self.seen_by_tracking: set[str] = set()
        self.keys: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.keys.append(request.headers["Idempotency-Key"])
        if request.url.path == "/v1/conferences":
            conference_id = "conf-" + request.headers["Idempotency-Key"]
            return httpx.Response(201, json={"conference_id": conference_id, "stream_seq": 1})
        if request.url.path.startswith("/v1/conferences/"):
            return httpx.Response(200, json={"conference_id": request.url.path.split("/")[3], "events": []})
        if request.url.path == "/v1/petitions":
            key = request.headers["Idempotency-Key"]
            pid = self.petitions.setdefault(key, f"p{len(self.petitions) + 1}")
            return httpx.Response(202, json={"petition_id": pid, "code": f"KN-01-26-{pid.upper()}"})
        pid = request.url.path.split("/")[3]
        if pid not in self.seen_by_tracking:
            self.seen_by_tracking.add(pid)
            return httpx.Response(404, json={"errors": [{"code": "petition.not_found"}]})
        return httpx.Response(200, json={"petition_id": pid, "stream_seq": 1, "events": []})


def test_demo_load_waits_for_tracking_to_see_each_petition(monkeypatch):
    monkeypatch.setattr(demo.time, "sleep", lambda s: None)
    fake = FakeServices()
    with httpx.Client(transport=httpx.MockTransport(fake)) as client:
        result = demo.load("http://intake", "http://tracking", today=TODAY, client=client)
    assert result.ok, result.errors
    planned = demo.plan(TODAY)
    assert len(result.codes) == len(planned)
    assert result.assigned == sum(1 for p in planned if p.assign)
    assert result.answered == sum(1 for p in planned if p.answer)
    assert "demo-1" in fake.keys and "demo-1-assign" in fake.keys
    conferences = demo.plan_conferences(TODAY)
    assert result.conferences == len(conferences) >= 4
    assert {f"{c.idempotency_key}-hold" for c in conferences} <= set(fake.keys)
    # Conferences come first: every petition raised at one names the id intake gave it.
    assert fake.keys.index("demo-1") > max(fake.keys.index(c.idempotency_key) for c in conferences)


def test_demo_load_calls_each_route_with_the_role_that_makes_it(monkeypatch, tmp_path):
    from langnghe.runtime.auth.jwks import JwksCache, read_jwks_file
    from langnghe.runtime.auth.oidc import OidcAuthenticator
    from langnghe.tools.issuer import LOCAL_ISSUER, TokenSource, jwks_path

    monkeypatch.setattr(demo.time, "sleep", lambda s: None)
    fake = FakeServices()
    verifier = OidcAuthenticator(issuer=LOCAL_ISSUER, keys=JwksCache(read_jwks_file(jwks_path(tmp_path))))
    callers: dict[str, set[tuple[str, str | None, str | None]]] = {}

    def verify(request: httpx.Request) -> httpx.Response:
        principal = verifier.authenticate(request.headers["Authorization"].removeprefix("Bearer "))
        route = request.url.path.rsplit("/", 1)[-1]
        route = "conference" if route.startswith("conf-") else route
        callers.setdefault(route, set()).add(
            (principal.role.value, principal.unit_code, principal.agency_code)
        )
        return fake(request)

    with httpx.Client(transport=httpx.MockTransport(verify)) as client:
        tokens = TokenSource(tmp_path)
        result = demo.load("http://intake", "http://tracking", today=TODAY, client=client, tokens=tokens)
    assert result.ok, result.errors
    provinces = {p["province_code"] for p in PETITIONS}
    assert {unit for _, unit, _ in callers["petitions"]} == provinces
    assert {role for role, _, _ in callers["petitions"] | callers["conferences"] | callers["hold"]} == {
        "clerk"
    }
    assert {role for role, _, _ in callers["assign"] | callers["publish-answer"]} == {"unit_leader"}
    answered_by = {
        p["answer"].get("agency_code", p["assign"]["agency_code"]) for p in PETITIONS if p.get("answer")
    }
    assert {(role, agency) for role, _, agency in callers["answer"]} == {
        ("agency_officer", agency) for agency in answered_by
    }


def test_demo_load_reports_a_refused_petition_and_goes_on(monkeypatch):
    monkeypatch.setattr(demo.time, "sleep", lambda s: None)
    fake = FakeServices()

    def refuse_the_third(request: httpx.Request) -> httpx.Response:
        if request.headers["Idempotency-Key"] == "demo-3":
            return httpx.Response(422, json={"errors": [{"code": "petition.content_too_short"}]})
        return fake(request)

    with httpx.Client(transport=httpx.MockTransport(refuse_the_third)) as client:
        result = demo.load("http://intake", "http://tracking", today=TODAY, client=client)
    assert not result.ok
    assert len(result.errors) == 1 and result.errors[0].startswith("demo-3:")
    assert len(result.codes) == len(PETITIONS) - 1


def test_ops_calls_the_services_operator_endpoint(monkeypatch, capsys, tmp_path):
    from langnghe.runtime.auth.jwks import JwksCache, read_jwks_file
    from langnghe.runtime.auth.oidc import OidcAuthenticator
    from langnghe.tools import ops
    from langnghe.tools.issuer import LOCAL_ISSUER, ensure_keys, jwks_path

    monkeypatch.delenv("LN_TOKEN", raising=False)
    calls = []

    def fake_request(method, url, headers, timeout):
        calls.append((method, url, headers.get("Authorization")))
        return httpx.Response(200, json=[{"consumer": "notify-citizen-notices", "lag": 0}])

    monkeypatch.setattr(ops.httpx, "request", fake_request)
    no_issuer = ["ops", "--data-dir", str(tmp_path / "none")]
    assert cli.main([*no_issuer, "--service", "notify", "consumers"]) == 0
    ensure_keys(tmp_path)  # as `langnghe up` makes them
    with_issuer = ["ops", "--data-dir", str(tmp_path)]
    assert cli.main([*with_issuer, "--service", "notify", "redrive", "notify-citizen-notices", "p1"]) == 0
    monkeypatch.setenv("LN_TOKEN", "from-the-provider")
    assert cli.main([*with_issuer, "--service", "notify", "consumers"]) == 0
    assert [(m, u) for m, u, _ in calls] == [
        ("GET", "http://127.0.0.1:8703/ops/consumers"),
        ("POST", "http://127.0.0.1:8703/ops/parked/notify-citizen-notices/p1/redrive"),
        ("GET", "http://127.0.0.1:8703/ops/consumers"),
    ]
    assert calls[0][2] is None and calls[2][2] == "Bearer from-the-provider"
    verifier = OidcAuthenticator(issuer=LOCAL_ISSUER, keys=JwksCache(read_jwks_file(jwks_path(tmp_path))))
    assert verifier.authenticate(calls[1][2].removeprefix("Bearer ")).role.value == "ops"
    assert '"lag": 0' in capsys.readouterr().out
