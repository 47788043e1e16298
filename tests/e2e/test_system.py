"""The whole system as a user runs it: `langnghe up` (real launcher, nats-server, four service
processes on SQLite), driven over HTTP only.

The chaos test kills each service with SIGKILL in the middle of a stream of submissions and
checks, once everything is back, that nothing was lost and nothing applied twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import nats
import pytest

from langnghe.contracts.subjects import PETITIONS_STREAM
from langnghe.tools.issuer import TokenSource
from langnghe.tools.nats_server import free_port

pytestmark = pytest.mark.e2e

SERVICES = ("intake", "tracking", "notify", "reporting")


@dataclass
class System:
    process: subprocess.Popen[bytes]
    urls: dict[str, str]
    nats_url: str
    data_dir: Path

    def url(self, service: str, path: str) -> str:
        return self.urls[service] + path

    def auth(self, call: str, agency: str | None = None) -> dict[str, str]:
        """A bearer token of the system's embedded issuer for a kind of call, as its role
        makes it in the petitions' province (langnghe.tools.issuer.callers)."""
        return self.tokens.for_call(call, "15", agency)

    def __post_init__(self) -> None:
        self.tokens = TokenSource(self.data_dir)


def wait_until(predicate, timeout: float, interval: float = 0.1):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    ports = {name: free_port() for name in SERVICES}
    nats_port, monitor_port = free_port(), free_port()
    argv = [
        sys.executable,
        "-c",
        "import sys; from langnghe.tools.cli import main; sys.exit(main())",
        "up",
        "--data-dir",
        str(tmp_path / "var"),
        "--nats-port",
        str(nats_port),
        "--nats-monitor-port",
        str(monitor_port),
        *[arg for name, port in ports.items() for arg in (f"--{name}-port", str(port))],
    ]
    log = (tmp_path / "launcher.log").open("wb")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}

    def all_ready() -> bool:
        if proc.poll() is not None:
            raise AssertionError((tmp_path / "launcher.log").read_text())
        try:
            return all(httpx.get(u + "/readyz", timeout=1).status_code == 200 for u in urls.values())
        except httpx.HTTPError:
            return False

    wait_until(all_ready, 90, 0.2)
    yield System(proc, urls, f"nats://127.0.0.1:{nats_port}", tmp_path / "var")
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    log.close()


def request(client: httpx.Client, method: str, url: str, *, attempts: int = 60, **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
    """What a well-behaved client does: retry with the same Idempotency-Key until answered."""
    last: object = None
    for _ in range(attempts):
        try:
            response = client.request(method, url, timeout=5, **kwargs)
        except httpx.HTTPError as exc:
            last = exc
            time.sleep(0.25)
            continue
        if response.status_code == 503 or (response.status_code == 404 and "/v1/petitions/" in url):
            last = (response.status_code, response.text)
            time.sleep(0.25)  # restarting, or tracking has not seen the petition yet
            continue
        return response
    raise AssertionError(f"{method} {url} never succeeded; last: {last!r}")


def petition(n: int) -> dict[str, object]:
    return {
        "province_code": "15",
        "commune_code": "03006",
        "channel": "citizen_reception",
        "legal_type": "recommendation",
        "field_code": "infrastructure",
        "content": f"Đề nghị sửa chữa đoạn đường liên thôn số {n} bị sạt lở sau mưa lũ.",
        "citizen": {"full_name": "Người dân thử nghiệm", "phone": "0912345678"} if n % 3 else None,
    }


def test_petition_is_assigned_answered_and_visible_in_reporting(system: System) -> None:
    with httpx.Client() as client:
        accepted = request(
            client,
            "POST",
            system.url("intake", "/v1/petitions"),
            json=petition(1),
            headers=system.auth("submit"),
        )
        assert accepted.status_code == 202, accepted.text
        body = accepted.json()
        pid = body["petition_id"]
        assert body["code"].startswith("KN-15-")
        promised = (date.today() + timedelta(days=15)).isoformat()
        assigned = request(
            client,
            "POST",
            system.url("tracking", f"/v1/petitions/{pid}/assign"),
            json={"agency_code": "UBND-XA-SAPA", "promised_date": promised},
            headers=system.auth("assign"),
        )
        assert assigned.status_code == 200, assigned.text
        answered = request(
            client,
            "POST",
            system.url("tracking", f"/v1/petitions/{pid}/answer"),
            json={"answer_text": "Xã đã bố trí kinh phí sửa chữa.", "answering_agency_code": "UBND-XA-SAPA"},
            headers=system.auth("answer", "UBND-XA-SAPA"),
        )
        assert answered.status_code == 200, answered.text

        def shown() -> dict[str, object] | None:
            r = client.get(system.url("reporting", f"/v1/petitions/{pid}"), headers=system.auth("read"))
            return r.json() if r.status_code == 200 and r.json()["status"] == "answered" else None

        view = wait_until(shown, 5, 0.02)
        assert view["agency_code"] == "UBND-XA-SAPA"
        assert view["promised_date"] == promised
        assert view["answer_text"] == "Xã đã bố trí kinh phí sửa chữa."
        notices = wait_until(
            lambda: client.get(
                system.url("notify", f"/v1/notices?petition_id={pid}"), headers=system.auth("read")
            ).json(),
            5,
            0.05,
        )
        assert len(notices) == 1 and "ông/bà" in notices[0]["body"]

        refused = client.post(
            system.url("intake", "/v1/petitions"),
            json={**petition(2), "channel": "fax"},
            headers=system.auth("submit"),
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0] == {
            "code": "validation.enum",
            "field": "channel",
            "message": "Giá trị không nằm trong danh sách cho phép.",
        }
        for service in SERVICES:
            assert client.get(system.url(service, "/docs")).status_code == 200
            assert client.get(system.url(service, "/asyncapi.json")).json()["asyncapi"] == "3.0.0"


def test_sigkill_of_any_service_loses_and_duplicates_nothing(system: System) -> None:
    total = 120
    kill_at = (
        {} if os.environ.get("NO_KILL") else {15: "intake", 40: "tracking", 65: "notify", 90: "reporting"}
    )
    promised = (date.today() + timedelta(days=20)).isoformat()
    with httpx.Client() as client:
        for n in range(total):
            if n in kill_at:
                pid = client.get(system.url(kill_at[n], "/healthz")).json()["pid"]
                os.kill(pid, signal.SIGKILL)
            key = f"chaos-{n}"
            accepted = request(
                client,
                "POST",
                system.url("intake", "/v1/petitions"),
                json=petition(n),
                headers={"Idempotency-Key": key, **system.auth("submit")},
            )
            assert accepted.status_code == 202, accepted.text
            pid_ = accepted.json()["petition_id"]
            assert (
                request(
                    client,
                    "POST",
                    system.url("tracking", f"/v1/petitions/{pid_}/assign"),
                    json={"agency_code": "UBND-XA-SAPA", "promised_date": promised},
                    headers={"Idempotency-Key": key + "-assign", **system.auth("assign")},
                ).status_code
                == 200
            )
            assert (
                request(
                    client,
                    "POST",
                    system.url("tracking", f"/v1/petitions/{pid_}/answer"),
                    json={
                        "answer_text": f"Trả lời kiến nghị số {n}.",
                        "answering_agency_code": "UBND-XA-SAPA",
                    },
                    headers={"Idempotency-Key": key + "-answer", **system.auth("answer", "UBND-XA-SAPA")},
                ).status_code
                == 200
            )

        def settled() -> dict[str, object] | None:
            try:
                stats = client.get(system.url("reporting", "/v1/stats"), headers=system.auth("stats")).json()
            except httpx.HTTPError:
                return None
            return stats if stats.get("by_status") == {"answered": total} else None

        stats = wait_until(settled, 60, 0.2)
        assert stats["events_applied"] == {
            "petition.received": total,
            "petition.assigned": total,
            "petition.answered": total,
        }
        cases = wait_until(
            lambda: (
                (
                    c := client.get(
                        system.url("tracking", "/v1/cases?status=answered&limit=500"),
                        headers=system.auth("read"),
                    ).json()
                )
                and len(c) == total
                and c
            ),
            60,
            0.2,
        )
        assert len({c["petition_id"] for c in cases}) == total
        notices = wait_until(
            lambda: (
                (
                    r := client.get(
                        system.url("notify", "/v1/notices?limit=500"), headers=system.auth("read")
                    ).json()
                )
                and len(r) >= total
                and r
            ),
            60,
            0.2,
        )
        assert len(notices) == total
        assert len({n["notice_id"] for n in notices}) == total
        deliverable = sum(1 for n in range(total) if n % 3)
        assert sum(1 for n in notices if n["status"] == "delivered") == deliverable

    async def stream_messages() -> int:
        nc = await nats.connect(system.nats_url)
        info = await nc.jetstream().stream_info(PETITIONS_STREAM)
        await nc.close()
        return int(info.state.messages)

    assert asyncio.run(stream_messages()) == 3 * total  # the event store holds no duplicate


def nats_server_pid(data_dir: Path) -> int | None:
    """The pid of the nats-server this system's launcher started (its config is in data_dir)."""
    conf = str(data_dir / "nats" / "nats-server.conf")
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if conf.encode() in argv:
                return int(entry.name)
    return None


def test_sigkill_of_nats_server_is_survived(system: System) -> None:
    """The launcher restarts nats-server with its data; the services reconnect and go on."""
    total = 20
    with httpx.Client() as client:

        def submit(n: int) -> str:
            accepted = request(
                client,
                "POST",
                system.url("intake", "/v1/petitions"),
                json=petition(n),
                headers={"Idempotency-Key": f"nats-kill-{n}", **system.auth("submit")},
            )
            assert accepted.status_code == 202, accepted.text
            return str(accepted.json()["petition_id"])

        first = [submit(n) for n in range(total // 2)]
        killed = nats_server_pid(system.data_dir)
        assert killed is not None
        os.kill(killed, signal.SIGKILL)
        launcher_log = system.data_dir.parent / "launcher.log"
        try:
            # Generous: on a loaded machine a restart may wait out a failed first attempt.
            wait_until(lambda: nats_server_pid(system.data_dir) not in (None, killed), 90, 0.2)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nlauncher log:\n{launcher_log.read_text()[-3000:]}") from None
        assert system.process.poll() is None  # the launcher did not stop the system
        second = [submit(n) for n in range(total // 2, total)]

        def counted() -> dict[str, object] | None:
            try:
                stats = client.get(system.url("reporting", "/v1/stats"), headers=system.auth("stats")).json()
            except httpx.HTTPError:
                return None
            return stats if stats.get("by_status") == {"received": total} else None

        wait_until(counted, 60, 0.2)
        for pid in first + second:
            assert (
                request(
                    client,
                    "GET",
                    system.url("tracking", f"/v1/petitions/{pid}/case"),
                    headers=system.auth("read"),
                ).status_code
                == 200
            )

    async def stream_messages() -> int:
        nc = await nats.connect(system.nats_url)
        info = await nc.jetstream().stream_info(PETITIONS_STREAM)
        await nc.close()
        return int(info.state.messages)

    assert asyncio.run(stream_messages()) == total  # the data survived; nothing was written twice
    assert "nats-server restarted" in launcher_log.read_text()
