"""The embedded default on one machine: nats-server, provisioning, then the four services as
separate processes, supervised until Ctrl-C or SIGTERM.

One loop, no threads: it polls the children twice a second. Signal handlers only record the
request; the loop notices it. Each service runs in its own session so that the terminal's
Ctrl-C reaches the launcher alone, and shutdown keeps its order: services first (they drain
their consumers while NATS is still up), then nats-server.

nats-server is supervised like a service: when it dies it is started again with the same
configuration, port and JetStream directory, after the same backoff. The services keep
running meanwhile and reconnect by themselves (their connection retries without limit);
their `/readyz` answers 503 until the server answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TextIO

import httpx

from langnghe.runtime.provision_command import PROVISION_ERRORS, provision_nats, summary_line
from langnghe.runtime.settings import (
    DEFAULT_HTTP_PORTS,
    DEFAULT_NATS_MONITOR_PORT,
    DEFAULT_NATS_PORT,
)
from langnghe.tools import issuer, nats_server

SERVICES: tuple[str, ...] = tuple(DEFAULT_HTTP_PORTS)
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
POLL_S = 0.5
DEMO_MARKER = "demo-loaded"
PID_FILE = "launcher.pid"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


# --------------------------------------------------------------------------- pure helpers


def restart_delay(failures: int, *, base: float = 1.0, cap: float = 30.0) -> float:
    """Seconds to wait before restarting after the `failures`-th crash in a row:
    1, 2, 4, 8, 16, 30, 30, ..."""
    if failures < 1:
        raise ValueError("failures counts from 1")
    return min(cap, base * 2.0 ** min(failures - 1, 32))


@dataclass
class Backoff:
    """Crash-restart backoff; a process that stayed up `stable_after` seconds starts over."""

    base: float = 1.0
    cap: float = 30.0
    stable_after: float = 60.0
    failures: int = 0

    def after_exit(self, uptime: float) -> float:
        if uptime >= self.stable_after:
            self.failures = 0
        self.failures += 1
        return restart_delay(self.failures, base=self.base, cap=self.cap)


@dataclass(frozen=True)
class StackConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    nats_port: int = DEFAULT_NATS_PORT
    nats_monitor_port: int = DEFAULT_NATS_MONITOR_PORT
    http_ports: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_HTTP_PORTS))
    demo: bool = False

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    def base_url(self, service: str) -> str:
        # A wildcard bind address is reachable on loopback.
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.http_ports[service]}"


@dataclass(frozen=True)
class PortClaim:
    port: int
    flag: str
    what: str
    host: str


def port_claims(cfg: StackConfig) -> list[PortClaim]:
    # nats_server.write_config listens on 127.0.0.1 whatever --host says.
    claims = [
        PortClaim(cfg.nats_port, "--nats-port", "NATS", "127.0.0.1"),
        PortClaim(cfg.nats_monitor_port, "--nats-monitor-port", "NATS monitoring", "127.0.0.1"),
    ]
    claims += [
        PortClaim(cfg.http_ports[name], f"--{name}-port", f"{name} HTTP", cfg.host) for name in SERVICES
    ]
    return claims


def port_in_use_message(claim: PortClaim) -> str:
    return (
        f"Port {claim.port} ({claim.what}) is already in use on {claim.host}. Stop the program "
        f"that holds it (`lsof -i :{claim.port}` shows which), or choose another port with "
        f"{claim.flag} <port>."
    )


def port_problems(cfg: StackConfig, is_free: Callable[[int, str], bool] = nats_server.port_free) -> list[str]:
    problems = []
    seen: dict[int, PortClaim] = {}
    for claim in port_claims(cfg):
        if claim.port in seen:
            problems.append(
                f"Port {claim.port} is given to both {seen[claim.port].flag} and {claim.flag}: "
                "choose different ports."
            )
            continue
        seen[claim.port] = claim
        if not is_free(claim.port, claim.host):
            problems.append(port_in_use_message(claim))
    return problems


def service_env(name: str, cfg: StackConfig, nats_url: str, base: Mapping[str, str]) -> dict[str, str]:
    prefix = f"LN_{name.upper()}_"
    database = (cfg.data_dir / f"{name}.db").resolve().as_posix()
    return {
        **base,
        f"{prefix}NATS_URL": nats_url,
        f"{prefix}DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        f"{prefix}HTTP_PORT": str(cfg.http_ports[name]),
        f"{prefix}HTTP_HOST": cfg.host,
        # Bearer tokens of the embedded issuer (its JWKS file in the data directory).
        **issuer.service_auth_env(name, cfg.data_dir),
        "PYTHONUNBUFFERED": "1",
    }


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        data = path.read_bytes()[-64_000:]
    except FileNotFoundError:
        return "(no log yet)"
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


def format_summary(cfg: StackConfig, nats_url: str) -> str:
    rows = [("", "listens on", "API docs")]
    rows += [(name, cfg.base_url(name), cfg.base_url(name) + "/docs") for name in SERVICES]
    rows.append(("NATS", nats_url, f"monitoring http://127.0.0.1:{cfg.nats_monitor_port}"))
    width = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = ["Lắng Nghe đang chạy", "The Lắng Nghe system is running:", ""]
    lines += [f"  {a:<{width[0]}}  {b:<{width[1]}}  {c}".rstrip() for a, b, c in rows]
    lines += [
        "",
        f"  data  {cfg.data_dir}",
        f"  logs  {cfg.logs_dir}",
        "",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- processes


def start_nats(
    store_dir: Path, *, port: int, monitor_port: int, log_file: Path, ready_timeout: float = 15.0
) -> nats_server.NatsServer:
    """nats-server in a session of its own: otherwise the terminal's Ctrl-C reaches it directly
    and it exits while the services are still draining; the launcher stops it last instead."""
    return nats_server.start(
        store_dir,
        port=port,
        monitor_port=monitor_port,
        log_file=log_file,
        ready_timeout=ready_timeout,
        new_session=True,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write(stream: TextIO, message: str) -> None:
    # A closed terminal or pipe (`langnghe up | head`) must not stop the launcher halfway
    # through a shutdown: the children would be left running.
    with contextlib.suppress(OSError, ValueError):
        print(message, file=stream, flush=True)


def say(message: str) -> None:
    _write(sys.stdout, message)


def complain(message: str) -> None:
    _write(sys.stderr, message)


def log(message: str) -> None:
    """A supervisor event, time-stamped (local time: it is read by the person at the terminal)."""
    say(f"{datetime.now().strftime('%H:%M:%S')}  {message}")


@dataclass
class ServiceProcess:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    backoff: Backoff = field(default_factory=Backoff)
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    restarts: int = 0

    def start(self, why: str = "start") -> None:
        with self.log_path.open("ab") as out:
            out.write(f"----- {_now()} langnghe launcher: {why} {self.name}\n".encode())
            out.flush()
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started_at = time.monotonic()
        self.restart_at = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def send(self, sig: signal.Signals) -> None:
        if self.process is not None and self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)  # its own session: the group is its pid


class Launcher:
    def __init__(self, cfg: StackConfig) -> None:
        self.cfg = cfg
        self.nats: nats_server.NatsServer | None = None
        self.nats_backoff = Backoff()
        self.nats_started_at = 0.0
        self.nats_restart_at: float | None = None
        self.nats_restarts = 0
        self.services: list[ServiceProcess] = []
        self.stop_signal: str | None = None
        self.stopping = False
        self.force = False

    # ----------------------------------------------------------------- entry point

    def run(self) -> int:
        self.cfg.logs_dir.mkdir(parents=True, exist_ok=True)
        other = other_launcher(self.cfg.data_dir)
        if other is not None:
            complain(
                f"Another langnghe launcher (pid {other}) is using {self.cfg.data_dir}. Stop it "
                f"first, or remove {self.cfg.data_dir / PID_FILE} if that process is not ours."
            )
            return 2
        problems = port_problems(self.cfg)
        if problems:
            for problem in problems:
                complain(problem)
            return 2
        pid_file = self.cfg.data_dir / PID_FILE
        pid_file.write_text(f"{os.getpid()}\n")
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        try:
            return self._run()
        finally:
            self._shutdown()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            pid_file.unlink(missing_ok=True)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping:
            self.force = True  # a second Ctrl-C: do not wait for graceful stops
        self.stop_signal = signal.Signals(signum).name

    # ----------------------------------------------------------------- phases

    def _start_nats(self) -> nats_server.NatsServer:
        """nats-server on the configured ports and JetStream directory (the same every time)."""
        server = start_nats(
            self.cfg.data_dir / "nats",
            port=self.cfg.nats_port,
            monitor_port=self.cfg.nats_monitor_port,
            log_file=self.cfg.logs_dir / "nats.log",
        )
        self.nats_started_at = time.monotonic()
        self.nats_restart_at = None
        return server

    def _run(self) -> int:
        nats_log = self.cfg.logs_dir / "nats.log"
        try:
            self.nats = self._start_nats()
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            complain(f"nats-server could not start: {exc}\n{log_tail(nats_log)}")
            return 1
        say(f"nats-server listens on {self.nats.url} (log {nats_log})")
        if self.stop_signal:
            return 0

        try:
            report = asyncio.run(provision_nats(self.nats.url))
        except PROVISION_ERRORS as exc:
            complain(f"provisioning failed: {type(exc).__name__}: {exc}")
            return 1
        say(summary_line(report))
        if not report.ok:
            for name, error in report.errors.items():
                complain(f"  {name}: {error}")
            return 1
        if self.stop_signal:
            return 0

        # The embedded issuer's signing key and JWKS, before any service reads them.
        issuer.ensure_keys(self.cfg.data_dir)
        self.services = [self._service(name, self.nats.url) for name in SERVICES]
        for service in self.services:
            service.start()
        failed = self._wait_ready()
        if failed is not None:
            return failed
        say(format_summary(self.cfg, self.nats.url))
        if self.cfg.demo:
            self._load_demo()
        return self._supervise()

    def _service(self, name: str, nats_url: str) -> ServiceProcess:
        return ServiceProcess(
            name=name,
            argv=[sys.executable, "-m", f"langnghe.{name}"],
            env=service_env(name, self.cfg, nats_url, os.environ),
            log_path=self.cfg.logs_dir / f"{name}.log",
        )

    def _wait_ready(self) -> int | None:
        """None when every service answers /readyz with 200; else the exit code."""
        started = time.monotonic()
        pending = list(self.services)
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while pending:
                if self.stop_signal:
                    return 0
                for service in list(pending):
                    if service.process is not None and not service.running:
                        code = service.process.returncode
                        self._show_failure(
                            service, f"{service.name} stopped ({describe_exit(code)}) before it was ready"
                        )
                        return 1
                    if _ready(client, self.cfg.base_url(service.name)):
                        pending.remove(service)
                        say(f"  {service.name} ready ({time.monotonic() - started:.1f} s)")
                if pending and time.monotonic() - started > READY_TIMEOUT_S:
                    for service in pending:
                        self._show_failure(
                            service,
                            f"{service.name} was not ready within {READY_TIMEOUT_S:.0f} s "
                            f"({self.cfg.base_url(service.name)}/readyz)",
                        )
                    return 1
                if pending:
                    time.sleep(0.25)
        return None

    def _show_failure(self, service: ServiceProcess, what: str) -> None:
        complain(f"{what}. Last lines of {service.log_path}:\n{log_tail(service.log_path)}")

    def _load_demo(self) -> None:
        from langnghe.tools.issuer.demo_users import seed_demo_users, usage_block

        seed_demo_users(self.cfg.data_dir)
        try:
            self._load_demo_data()
        finally:
            say(usage_block(self.cfg.data_dir, self.cfg.base_url("tracking")))

    def _load_demo_data(self) -> None:
        marker = self.cfg.data_dir / DEMO_MARKER
        if marker.exists():
            say(f"Demo data: already loaded into this data dir ({marker}).")
            return
        from langnghe.tools import demo

        say("Loading the demo data…")
        result = demo.load(
            self.cfg.base_url("intake"),
            self.cfg.base_url("tracking"),
            should_stop=lambda: self.stop_signal is not None,
            tokens=issuer.TokenSource(self.cfg.data_dir),
        )
        say(result.summary())
        if result.ok:
            marker.write_text(json.dumps({"loaded_at": _now(), "codes": result.codes}, indent=2) + "\n")
        elif not result.stopped:
            complain("The demo data was not fully loaded; `langnghe up --demo` tries again.")

    def _supervise(self) -> int:
        assert self.nats is not None
        while not self.stop_signal:
            time.sleep(POLL_S)
            if self.stop_signal:
                break
            now = time.monotonic()
            self._check_nats(now)
            for service in self.services:
                self._check(service, now)
        return 0

    def _check_nats(self, now: float) -> None:
        """Restart nats-server after its backoff when it has died; the services stay up."""
        assert self.nats is not None
        if self.nats_restart_at is None:
            if self.nats.process.poll() is None:
                return
            uptime = now - self.nats_started_at
            delay = self.nats_backoff.after_exit(uptime)
            self.nats_restart_at = now + delay
            log(
                f"nats-server stopped ({describe_exit(self.nats.process.returncode)}) after "
                f"{uptime:.0f} s; restarting in {delay:g} s with the same data. "
                f"Log: {self.cfg.logs_dir / 'nats.log'}"
            )
        elif now >= self.nats_restart_at:
            self.nats_restarts += 1
            try:
                self.nats = self._start_nats()
            except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
                # Counted as another crash: the next attempt waits longer.
                self.nats_started_at = now
                self.nats_restart_at = None
                complain(f"nats-server could not restart: {exc}")
                return
            log(f"nats-server restarted (pid {self.nats.process.pid}, restart #{self.nats_restarts})")

    def _check(self, service: ServiceProcess, now: float) -> None:
        if service.restart_at is None:
            if service.process is None or service.running:
                return
            uptime = now - service.started_at
            delay = service.backoff.after_exit(uptime)
            service.restart_at = now + delay
            log(
                f"{service.name} stopped ({describe_exit(service.process.returncode)}) after "
                f"{uptime:.0f} s; restarting in {delay:g} s. Log: {service.log_path}"
            )
        elif now >= service.restart_at:
            service.restarts += 1
            service.start(f"restart #{service.restarts} of")
            assert service.process is not None
            log(f"{service.name} restarted (pid {service.process.pid}, restart #{service.restarts})")

    def _shutdown(self) -> None:
        self.stopping = True
        try:
            self._stop_services()
        finally:
            if self.nats is not None:
                say("Stopping nats-server…")
                self.nats.stop()
                self.nats = None
        if self.stop_signal:
            say(f"Stopped. The data stays in {self.cfg.data_dir}")

    def _stop_services(self) -> None:
        running = [service for service in self.services if service.running]
        if not running:
            return
        say("Stopping the services…")
        for service in running:
            service.send(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while any(s.running for s in running) and time.monotonic() < deadline and not self.force:
            time.sleep(0.1)
        for service in running:
            if service.running:
                why = "a second stop request" if self.force else f"{STOP_TIMEOUT_S:.0f} s"
                complain(f"{service.name} still running after {why}: killing it")
                service.send(signal.SIGKILL)
            if service.process is not None:
                service.process.wait()


def _ready(client: httpx.Client, base_url: str) -> bool:
    try:
        return client.get(f"{base_url}/readyz").status_code == 200
    except httpx.HTTPError:
        return False


def other_launcher(data_dir: Path) -> int | None:
    """The pid of another live launcher using `data_dir`, if any."""
    try:
        pid = int((data_dir / PID_FILE).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    if pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid
