"""Backup and restore (issue finding 9): back up a running embedded system, restore into a
fresh data directory, start it there: the read models equal the originals (they rebuild from
the restored streams) and no notice is delivered again (the ledger came back with the log).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from langnghe.tools import backup as bk
from langnghe.tools.cli import main as langnghe
from langnghe.tools.nats_server import free_port

from .test_system import SERVICES, System, petition, request, wait_until

pytestmark = pytest.mark.e2e


@contextmanager
def launched(data_dir: Path, log_path: Path) -> Iterator[System]:
    ports = {name: free_port() for name in SERVICES}
    nats_port, monitor_port = free_port(), free_port()
    argv = [
        sys.executable,
        "-c",
        "import sys; from langnghe.tools.cli import main; sys.exit(main())",
        "up",
        "--data-dir",
        str(data_dir),
        "--nats-port",
        str(nats_port),
        "--nats-monitor-port",
        str(monitor_port),
        *[arg for name, port in ports.items() for arg in (f"--{name}-port", str(port))],
    ]
    log = log_path.open("wb")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}

    def all_ready() -> bool:
        if proc.poll() is not None:
            raise AssertionError(log_path.read_text())
        try:
            return all(httpx.get(u + "/readyz", timeout=1).status_code == 200 for u in urls.values())
        except httpx.HTTPError:
            return False

    try:
        wait_until(all_ready, 90, 0.2)
        yield System(proc, urls, f"nats://127.0.0.1:{nats_port}", data_dir)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


TOTAL = 24  # n % 3 == 0: anonymous; n % 4 == 3: received only; n % 4 == 2: assigned only


def drive(system: System) -> dict[str, str]:
    """Petitions through the lifecycle; idempotency key -> petition id."""
    promised = (date.today() + timedelta(days=20)).isoformat()
    keys = {}
    with httpx.Client() as client:
        for n in range(TOTAL):
            key = f"bk-{n}"
            accepted = request(
                client,
                "POST",
                system.url("intake", "/v1/petitions"),
                json=petition(n),
                headers={"Idempotency-Key": key, **system.auth("submit")},
            )
            assert accepted.status_code == 202, accepted.text
            pid = accepted.json()["petition_id"]
            keys[key] = pid
            if n % 4 == 3:
                continue
            assigned = request(
                client,
                "POST",
                system.url("tracking", f"/v1/petitions/{pid}/assign"),
                json={"agency_code": "UBND-XA-SAPA", "promised_date": promised},
                headers={"Idempotency-Key": key + "-assign", **system.auth("assign")},
            )
            assert assigned.status_code == 200, assigned.text
            if n % 4 == 2:
                continue
            answered = request(
                client,
                "POST",
                system.url("tracking", f"/v1/petitions/{pid}/answer"),
                json={"answer_text": f"Trả lời kiến nghị số {n}.", "answering_agency_code": "UBND-XA-SAPA"},
                headers={"Idempotency-Key": key + "-answer", **system.auth("answer", "UBND-XA-SAPA")},
            )
            assert answered.status_code == 200, answered.text
    return keys


ANSWERED = sum(1 for n in range(TOTAL) if n % 4 in (0, 1))
ASSIGNED = sum(1 for n in range(TOTAL) if n % 4 != 3)


def read_models(system: System, ids: list[str]) -> dict[str, Any]:
    """Every read model, once settled: reporting's rows and figures, tracking's cases,
    notify's notices."""
    with httpx.Client() as client:

        def settled() -> dict[str, Any] | None:
            try:
                stats = client.get(system.url("reporting", "/v1/stats"), headers=system.auth("stats")).json()
                read = system.auth("read")
                cases = client.get(system.url("tracking", "/v1/cases?limit=500"), headers=read).json()
                notices = client.get(system.url("notify", "/v1/notices?limit=500"), headers=read).json()
            except httpx.HTTPError:
                return None
            if (
                sum(stats.get("by_status", {}).values()) != TOTAL
                or len(cases) != TOTAL
                or len(notices) != ANSWERED
            ):
                return None
            if stats["by_status"].get("answered") != ANSWERED:
                return None
            return {
                "stats": stats,
                "cases": sorted(cases, key=lambda c: c["petition_id"]),
                "notices": notices,
            }

        models: dict[str, Any] = wait_until(settled, 90, 0.25)
        models["rows"] = {
            pid: client.get(
                system.url("reporting", f"/v1/petitions/{pid}"), headers=system.auth("read")
            ).json()
            for pid in ids
        }
    models["notices"] = sorted(models["notices"], key=lambda n: n["notice_id"])
    return models


def dev_deliveries(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "notify.db") as conn:
        return int(conn.execute("SELECT count(*) FROM dev_channel_messages").fetchone()[0])


def test_backup_then_restore_into_a_fresh_directory_gives_the_same_read_models(tmp_path: Path) -> None:
    original, restored, backup_dir = tmp_path / "var", tmp_path / "restored", tmp_path / "backup"
    with launched(original, tmp_path / "original.log") as system:
        keys = drive(system)
        ids = sorted(keys.values())
        before = read_models(system, ids)
        # While the system runs, as an operator would.
        code = langnghe(
            ["backup", str(backup_dir), "--nats-url", system.nats_url, "--data-dir", str(original)]
        )
        assert code == 0
    delivered = dev_deliveries(original)
    assert delivered == sum(1 for n in range(TOTAL) if n % 4 in (0, 1) and n % 3)

    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["order"][0] == "PETITIONS" and manifest["order"][-1] == "intake"
    petitions = manifest["streams"]["PETITIONS"]["state"]
    assert petitions["messages"] == petitions["last_seq"] == TOTAL + ASSIGNED + ANSWERED
    assert manifest["streams"]["NOTIFY_DELIVERIES"]["state"]["messages"] == 2 * delivered  # sending, sent
    assert manifest["intake"]["kind"] == "sqlite"

    assert langnghe(["restore", str(backup_dir), "--data-dir", str(restored)]) == 0
    with launched(restored, tmp_path / "restored.log") as system:
        after = read_models(system, ids)
        with httpx.Client() as client:
            # The vault came back: a client's retry gets its petition, not a new one.
            again = request(
                client,
                "POST",
                system.url("intake", "/v1/petitions"),
                json=petition(5),
                headers={"Idempotency-Key": "bk-5", **system.auth("submit")},
            )
            assert again.json()["petition_id"] == keys["bk-5"]
    assert after == before
    assert dev_deliveries(restored) == 0  # nothing was sent again


def test_a_restore_refuses_a_used_directory_and_a_damaged_backup(tmp_path: Path) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "intake.db").write_bytes(b"")
    backup_dir = tmp_path / "backup"
    backup_dir.mkdir()
    entry = {"file": "PETITIONS.snapshot", "bytes": 3, "sha256": "0" * 64, "config": {}, "state": {}}
    (backup_dir / "PETITIONS.snapshot").write_bytes(b"abc")
    (backup_dir / "intake.db").write_bytes(b"")
    manifest = {
        "format": bk.FORMAT,
        "order": ["PETITIONS", "intake"],
        "streams": {"PETITIONS": entry},
        "intake": {
            "kind": "sqlite",
            "file": "intake.db",
            "bytes": 0,
            "sha256": bk._sha256(backup_dir / "intake.db"),
        },
    }
    (backup_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(bk.BackupError, match="does not match the manifest"):
        bk.restore_embedded(backup_dir, tmp_path / "fresh")
    entry["sha256"] = bk._sha256(backup_dir / "PETITIONS.snapshot")
    (backup_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(bk.BackupError, match="not empty"):
        bk.restore_embedded(backup_dir, used)
