"""Static checks of the container deployment: docker-compose.yml, Dockerfiles, NATS and
PostgreSQL config. No Docker engine and no network: files are parsed, and each service's
settings class is instantiated with the environment compose would give it.
"""

from __future__ import annotations

import importlib
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from langnghe.runtime.settings import DEFAULT_HTTP_PORTS, ProvisionSettings, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
NATS_CONF = ROOT / "deploy" / "nats" / "nats.conf"
POSTGRES_INIT = ROOT / "deploy" / "postgres" / "init-databases.sql"

SERVICES = ("intake", "tracking", "notify", "reporting")
#: Operators need 2.12 (atomic batch, schedules); patch >= 2.12.3 after the Jepsen findings.
MIN_NATS_VERSION = (2, 12, 3)

_INTERPOLATION = re.compile(
    r"\$\$|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<sep>:?-)?(?P<default>[^}]*)\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "docker-compose.yml must be a mapping"
    return data


def _service(compose: dict[str, Any], name: str) -> dict[str, Any]:
    services = compose["services"]
    assert name in services, f"service {name!r} missing from docker-compose.yml"
    return services[name]


def interpolate(value: str) -> str:
    """Compose variable interpolation as if no variable were set: defaults must exist."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("bare")
        if match.group("sep") is None:
            raise AssertionError(f"${{{name}}} has no default: compose would substitute ''")
        return match.group("default")

    return _INTERPOLATION.sub(replace, value)


def compose_environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):  # the KEY=VALUE list form
        env = dict(item.split("=", 1) for item in env)
    assert isinstance(env, dict)
    result = {}
    for key, value in env.items():
        assert value is not None, f"{key} has no value (would be taken from the host)"
        result[key] = interpolate(str(value))
    return result


def image_tag(image: str) -> tuple[str, str | None]:
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        repo, tag = name.rsplit(":", 1)
        return repo, tag
    return name, None


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuations joined."""
    logical: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, f"{path}: dangling line continuation"
    pairs = []
    for line in logical:
        instr, _, args = line.partition(" ")
        pairs.append((instr.upper(), args.strip()))
    return pairs


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"langnghe.{service}.settings")
    found = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, ServiceSettings)
        and obj is not ServiceSettings
        and obj.__module__ == module.__name__
    ]
    assert len(found) == 1, f"{module.__name__} must define exactly one ServiceSettings subclass"
    return found[0]


# --------------------------------------------------------------------------- compose shape


def test_compose_defines_infrastructure_provision_and_the_four_services(compose):
    assert set(compose["services"]) == {"keycloak", "nats", "postgres", "provision", *SERVICES}


def test_every_external_image_is_pinned_to_an_explicit_version(compose):
    for name, service in compose["services"].items():
        if "image" not in service:
            assert "build" in service, f"{name}: neither image nor build"
            continue
        _, tag = image_tag(service["image"])
        assert tag is not None, f"{name}: image {service['image']!r} has no tag"
        assert tag != "latest", f"{name}: image uses :latest"
        assert re.match(r"^\d+\.\d+(\.\d+)?", tag), f"{name}: tag {tag!r} is not a version"


def test_nats_image_version_is_at_least_2_12_3(compose):
    repo, tag = image_tag(_service(compose, "nats")["image"])
    assert repo in {"nats", "docker.io/library/nats", "library/nats"}
    match = re.match(r"^(\d+)\.(\d+)\.(\d+)", tag or "")
    assert match, f"NATS tag {tag!r} must be a full x.y.z version"
    assert tuple(int(p) for p in match.groups()) >= MIN_NATS_VERSION


def test_nats_runs_the_mounted_config_with_a_persistent_store(compose):
    nats = _service(compose, "nats")
    command = nats["command"]
    command = command.split() if isinstance(command, str) else command
    assert command == ["-c", "/etc/nats/nats.conf"]
    mounts = nats["volumes"]
    assert "./deploy/nats/nats.conf:/etc/nats/nats.conf:ro" in mounts
    data_mounts = [m for m in mounts if m.split(":")[1] == "/data"]
    assert len(data_mounts) == 1, "JetStream /data must be a volume"
    assert data_mounts[0].split(":")[0] in compose["volumes"], "/data must be a named volume"


def test_nats_healthcheck_requires_jetstream(compose):
    test = " ".join(_service(compose, "nats")["healthcheck"]["test"])
    assert "wget" in test
    assert ":8222/healthz?js-enabled-only=true" in test


def test_nats_conf_enables_jetstream_with_sync_interval_always():
    text = "\n".join(line.split("#", 1)[0] for line in NATS_CONF.read_text(encoding="utf-8").splitlines())
    block = re.search(r"jetstream\s*[:=]?\s*\{(?P<body>[^}]*)\}", text)
    assert block, "nats.conf has no jetstream block"
    body = block.group("body")
    assert re.search(r"^\s*sync_interval\s*[:=]\s*always\s*$", body, re.M)
    assert re.search(r"^\s*store_dir\s*[:=]\s*\"?/data\"?\s*$", body, re.M)
    assert re.search(r"^\s*listen\s*[:=]\s*\"?0\.0\.0\.0:4222\"?\s*$", text, re.M)
    assert re.search(r"^\s*http\s*[:=]\s*\"?0\.0\.0\.0:8222\"?\s*$", text, re.M)


def test_postgres_init_creates_one_database_per_service_owned_by_langnghe(compose):
    sql = POSTGRES_INIT.read_text(encoding="utf-8")
    created = re.findall(r"CREATE\s+DATABASE\s+(\w+)\s+OWNER\s+langnghe\s*;", sql, re.I)
    assert sorted(created) == sorted(SERVICES)
    postgres = _service(compose, "postgres")
    env = compose_environment(postgres)
    assert env["POSTGRES_USER"] == "langnghe"
    assert env["POSTGRES_PASSWORD"], "POSTGRES_PASSWORD needs a default"
    init_mounts = [
        m for m in postgres["volumes"] if m.split(":")[1].startswith("/docker-entrypoint-initdb.d/")
    ]
    assert init_mounts and init_mounts[0].startswith("./deploy/postgres/init-databases.sql:")
    data_mounts = [m for m in postgres["volumes"] if m.split(":")[1] == "/var/lib/postgresql/data"]
    assert len(data_mounts) == 1 and data_mounts[0].split(":")[0] in compose["volumes"]


def test_postgres_healthcheck_uses_pg_isready_over_tcp(compose):
    test = _service(compose, "postgres")["healthcheck"]["test"]
    assert "pg_isready" in test
    # TCP only opens after the init scripts ran; the Unix socket is up during init.
    assert "-h" in test and test[test.index("-h") + 1] == "127.0.0.1"


def test_provision_job_runs_once_from_the_intake_image_after_nats_is_healthy(compose):
    provision = _service(compose, "provision")
    assert provision["command"] == ["langnghe-provision"]
    assert provision["build"] == _service(compose, "intake")["build"]
    assert provision["restart"] == "no"
    assert provision["depends_on"]["nats"]["condition"] == "service_healthy"
    assert provision.get("healthcheck", {}).get("disable") is True


@pytest.mark.parametrize("svc", SERVICES)
def test_service_starts_after_provision_succeeded_and_postgres_is_healthy(compose, svc):
    depends_on = _service(compose, svc)["depends_on"]
    assert depends_on["provision"]["condition"] == "service_completed_successfully"
    assert depends_on["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("svc", SERVICES)
def test_service_healthcheck_probes_readyz_on_its_port(compose, svc):
    service = _service(compose, svc)
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD"
    assert f"http://127.0.0.1:{DEFAULT_HTTP_PORTS[svc]}/readyz" in " ".join(test)
    assert service["restart"] == "unless-stopped"


@pytest.mark.parametrize("svc", SERVICES)
def test_service_publishes_its_default_http_port(compose, svc):
    port = DEFAULT_HTTP_PORTS[svc]
    assert _service(compose, svc)["ports"] == [f"{port}:{port}"]


@pytest.mark.parametrize("svc", SERVICES)
def test_service_builds_the_one_dockerfile_from_the_repository_root(compose, svc):
    build = _service(compose, svc)["build"]
    assert build["context"] == "."
    assert build["dockerfile"] == "deploy/Dockerfile"
    assert build["args"] == {"SERVICE": svc}
    assert (ROOT / build["dockerfile"]).is_file()


# --------------------------------------------------------------------------- Dockerfile

DOCKERFILE = ROOT / "deploy" / "Dockerfile"


def _stages(instructions: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instr, args in instructions:
        if instr == "FROM":
            stages.append([])
        stages[-1].append((instr, args))
    return stages


def test_there_is_one_dockerfile_for_every_service():
    assert not list((ROOT / "services").glob("*/Dockerfile"))
    build, final = _stages(dockerfile_instructions(DOCKERFILE))
    for stage in (build, final):
        assert ("ARG", "SERVICE") in stage
    checks = " ".join(args for instr, args in build if instr == "RUN")
    assert "intake|tracking|notify|reporting" in checks and "exit 1" in checks


def test_dockerfile_is_pinned_non_root_and_health_checked():
    instructions = dockerfile_instructions(DOCKERFILE)
    froms = [args.split()[0] for instr, args in instructions if instr == "FROM"]
    assert len(froms) == 2 and froms[0] == froms[1]
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", froms[0])

    users = [args for instr, args in instructions if instr == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}

    healthchecks = [args for instr, args in instructions if instr == "HEALTHCHECK"]
    assert len(healthchecks) == 1
    assert "urllib.request" in healthchecks[0] and "/healthz" in healthchecks[0]
    assert "LANGNGHE_SERVICE" in healthchecks[0]

    cmd = [args for instr, args in instructions if instr == "CMD"]
    assert cmd == ['exec "langnghe-$LANGNGHE_SERVICE"']


@pytest.mark.parametrize("svc", SERVICES)
def test_image_listens_on_the_service_default_port_on_every_interface(svc):
    _, final = _stages(dockerfile_instructions(DOCKERFILE))
    env = " ".join(args for instr, args in final if instr == "ENV").split()
    prefix = f"LN_{svc.upper()}_"
    assert f"{prefix}HTTP_HOST=0.0.0.0" in env
    assert f"{prefix}HTTP_PORT={DEFAULT_HTTP_PORTS[svc]}" in env
    assert "LANGNGHE_SERVICE=${SERVICE}" in env


def test_dockerfile_installs_the_lock_with_hashes_then_only_shared_and_the_service():
    build, final = _stages(dockerfile_instructions(DOCKERFILE))
    sources = sorted(args.split()[0] for instr, args in build if instr in {"COPY", "ADD"})
    assert sources == sorted(["locks/", "shared/", "services/${SERVICE}/"])
    runs = " ".join(args for instr, args in build if instr == "RUN")
    assert "--require-hashes locks/runtime.txt" in runs
    assert "--require-hashes -r locks/build.txt" in runs
    assert "--no-deps --no-build-isolation" in runs and "./shared ./services/${SERVICE}" in runs
    # The final image takes only the service's venv from the build stage.
    assert [args for instr, args in final if instr == "COPY"] == ["--from=build /opt/venv /opt/venv"]


@pytest.mark.parametrize("svc", SERVICES)
def test_dockerfile_cmd_is_a_declared_console_script(svc):
    project = tomllib.loads((ROOT / "services" / svc / "pyproject.toml").read_text("utf-8"))
    assert f"langnghe-{svc}" in project["project"]["scripts"]


def test_provision_command_is_a_console_script_of_the_shared_package(compose):
    # The job runs from a service image, which holds the shared package but not the tools.
    project = tomllib.loads((ROOT / "shared" / "pyproject.toml").read_text("utf-8"))
    command = _service(compose, "provision")["command"][0]
    target = project["project"]["scripts"][command]
    module_name, function_name = target.split(":")
    assert module_name.startswith("langnghe.runtime.")
    assert callable(getattr(importlib.import_module(module_name), function_name))


def test_the_developer_tools_are_in_no_service_image():
    shared = tomllib.loads((ROOT / "shared" / "pyproject.toml").read_text("utf-8"))
    assert "httpx" not in " ".join(shared["project"]["dependencies"])
    packaged = shared["tool"]["hatch"]["build"]["targets"]["wheel"]["only-include"]
    assert all(not path.startswith("src/langnghe/tools") for path in packaged)
    tools = tomllib.loads((ROOT / "tools" / "pyproject.toml").read_text("utf-8"))
    assert tools["project"]["scripts"]["langnghe"] == "langnghe.tools.cli:main"


def test_dockerignore_keeps_local_state_and_tests_out_of_the_context():
    patterns = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "var", "tests", "**/__pycache__"} <= patterns
    assert not {"shared", "services", "shared/", "services/"} & patterns


# --------------------------------------------------------------------------- environment


def test_interpolation_applies_defaults_and_rejects_variables_without_one():
    assert interpolate("a:${P:-x}@h/${Q-y}$$z") == "a:x@h/y$z"
    with pytest.raises(AssertionError):
        interpolate("${NOPE}")


@pytest.mark.parametrize("svc", SERVICES)
def test_compose_environment_satisfies_the_service_settings(compose, svc, monkeypatch):
    cls = settings_class(svc)
    prefix = f"LN_{svc.upper()}_"
    assert cls.model_config.get("env_prefix") == prefix
    env = compose_environment(_service(compose, svc))

    required = [name for name, field in cls.model_fields.items() if field.is_required()]
    assert {"nats_url", "database_url", "http_port"} <= set(required)
    missing = [f"{prefix}{name.upper()}" for name in required if f"{prefix}{name.upper()}" not in env]
    assert not missing, f"{svc}: compose does not set {missing}"
    unknown = [k for k in env if not k.startswith(prefix) or k[len(prefix) :].lower() not in cls.model_fields]
    assert not unknown, f"{svc}: compose sets variables the settings ignore: {unknown}"

    for key in list(os.environ):
        if key.startswith(prefix):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    settings = cls()
    assert settings.nats_servers == ["nats://nats:4222"]
    assert settings.database_url == (f"postgresql+asyncpg://langnghe:langnghe@postgres:5432/{svc}")
    assert settings.http_host == "0.0.0.0"
    assert settings.http_port == DEFAULT_HTTP_PORTS[svc]
    assert settings.log_format == "json"


def test_compose_environment_satisfies_the_provision_settings(compose, monkeypatch):
    env = compose_environment(_service(compose, "provision"))
    required = [n for n, f in ProvisionSettings.model_fields.items() if f.is_required()]
    assert all(f"LN_PROVISION_{n.upper()}" in env for n in required)
    for key in list(os.environ):
        if key.startswith("LN_PROVISION_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    settings = ProvisionSettings()
    assert settings.nats_url == "nats://nats:4222"
    assert settings.replicas == 1
