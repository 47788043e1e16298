"""`langnghe backup DIR` and `langnghe restore DIR`: the event log and intake's vault, the two
things nothing can rebuild.

What a backup holds, in the order it is taken (the order is what makes it consistent):

1. every JetStream stream, one after the other, through the server's own snapshot API
   (`$JS.API.STREAM.SNAPSHOT.<stream>`, consumers included): `PETITIONS` (the event store)
   first, then `PETITION_TIMERS`, `NOTIFY_DELIVERIES` (notify's delivery ledger),
   `JS_ADVISORIES`. Each snapshot is consistent in itself. Taken after the event store, the
   ledger holds every delivery of every answer the backed-up log contains: after a restore, no
   notice is sent again (a delivery of an answer newer than the log is a harmless extra key);
2. intake's database (the vault: contacts and submissions) last, with SQLite's online backup
   API (the embedded default) or `pg_dump` (PostgreSQL): every `citizen_ref` in the backed-up
   log is then in the vault. A vault row whose event is not in the log is what a client's
   retry finishes (the same idempotency key returns the stored submission);
3. `manifest.json`: when, what, each file's size and SHA-256, each stream's state at the
   snapshot (messages, first and last sequence) as the server reported it.

Nothing else is backed up: tracking's, notify's and reporting's databases are projections
that rebuild from the restored streams (their consumers replay from sequence 1 when they find
no checkpoint), and notify's deliveries are in the ledger, not in its database.

`restore DIR --data-dir D` checks the manifest (files, sizes, hashes), refuses a data
directory that holds anything, starts a nats-server of its own on `D/nats`, restores each
stream through `$JS.API.STREAM.RESTORE.<stream>`, compares each stream's state with the
manifest, stops the server and writes intake's database. `./langnghe up --data-dir D` then
starts on the restored data. Production: deploy/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

from langnghe.contracts.subjects import (
    ADVISORIES_STREAM,
    NOTIFY_DELIVERIES_STREAM,
    PETITIONS_STREAM,
    TIMERS_STREAM,
)
from langnghe.runtime.settings import DEFAULT_NATS_PORT
from langnghe.tools import nats_server

FORMAT = 1
#: The order of the snapshots: the event store first, the ledger after it (module docstring).
STREAMS = (PETITIONS_STREAM, TIMERS_STREAM, NOTIFY_DELIVERIES_STREAM, ADVISORIES_STREAM)
CHUNK = 128 * 1024
MANIFEST = "manifest.json"
VAULT_SQLITE = "intake.db"
VAULT_PG = "intake.pgdump"


class BackupError(RuntimeError):
    pass


def _say(text: str) -> None:
    print(text, flush=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_entry(path: Path) -> dict[str, Any]:
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": _sha256(path)}


# -- JetStream ------------------------------------------------------------------------------


async def _api(nc: NatsClient, subject: str, body: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
    reply = await nc.request(subject, json.dumps(body).encode(), timeout=timeout)
    answer: dict[str, Any] = json.loads(reply.data or b"{}")
    if "error" in answer:
        raise BackupError(f"{subject}: {answer['error'].get('description', answer['error'])}")
    return answer


def _state(state: dict[str, Any]) -> dict[str, int]:
    messages = int(state.get("messages", 0))
    return {
        "messages": messages,
        # An empty stream reports 0 or 1 depending on its history: not compared.
        "first_seq": int(state.get("first_seq", 0)) if messages else 0,
        "last_seq": int(state.get("last_seq", 0)),
    }


async def snapshot_stream(
    nc: NatsClient, stream: str, target: Path, *, timeout: float = 30.0
) -> dict[str, Any]:
    """Write the server's snapshot of `stream` (config, state, messages, consumers) to
    `target`. The server sends chunks to an inbox, each with a reply subject that must be
    answered (its flow control), then an empty message without reply: the end."""
    inbox = nc.new_inbox()
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    with target.open("wb") as out:

        async def on_chunk(msg: Msg) -> None:
            if done.done():
                return
            if msg.data:
                out.write(msg.data)
                if msg.reply:
                    await nc.publish(msg.reply, b"")
                return
            status = (msg.headers or {}).get("Status")
            if status and status not in ("200", "204"):
                done.set_exception(BackupError(f"snapshot of {stream} ended with {status} {msg.headers}"))
            else:
                done.set_result(None)

        sub = await nc.subscribe(inbox, cb=on_chunk)
        try:
            answer = await _api(
                nc,
                f"$JS.API.STREAM.SNAPSHOT.{stream}",
                {"deliver_subject": inbox, "no_consumers": False, "chunk_size": CHUNK, "jsck": False},
            )
            await asyncio.wait_for(done, timeout)
        finally:
            await sub.unsubscribe()
    return {**_file_entry(target), "config": answer["config"], "state": _state(answer["state"])}


async def restore_stream(
    nc: NatsClient, entry: dict[str, Any], source: Path, *, timeout: float = 30.0
) -> dict[str, int]:
    """Restore one stream from its snapshot file; the stream must not exist. Returns the
    restored stream's state as the server reports it."""
    name = entry["config"]["name"]
    answer = await _api(
        nc, f"$JS.API.STREAM.RESTORE.{name}", {"config": entry["config"], "state": entry["state"]}
    )
    deliver = answer["deliver_subject"]
    with source.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            await nc.request(deliver, chunk, timeout=timeout)  # each chunk is acknowledged
    final = await nc.request(deliver, b"", timeout=timeout)  # the end: the server answers with the stream
    result = json.loads(final.data or b"{}")
    if "error" in result:
        raise BackupError(f"restore of {name}: {result['error'].get('description', result['error'])}")
    info = await _api(nc, f"$JS.API.STREAM.INFO.{name}", {})
    return _state(info["state"])


# -- intake's vault -------------------------------------------------------------------------


def sqlite_path(database_url: str) -> Path | None:
    for prefix in ("sqlite+aiosqlite:///", "sqlite:///"):
        if database_url.startswith(prefix):
            return Path(database_url[len(prefix) :])
    return None


def _pg_dsn(database_url: str) -> str:
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


def backup_vault(database_url: str, target_dir: Path) -> dict[str, Any]:
    path = sqlite_path(database_url)
    if path is not None:
        if not path.exists():
            raise BackupError(f"intake's database {path} does not exist")
        target = target_dir / VAULT_SQLITE
        # The online backup API copies a consistent state while intake keeps writing.
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return {"kind": "sqlite", **_file_entry(target)}
    if database_url.startswith("postgresql"):
        target = target_dir / VAULT_PG
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _pg_dsn(database_url)])
        return {"kind": "postgresql", **_file_entry(target)}
    raise BackupError(f"unsupported database URL for intake: {database_url.split(':', 1)[0]}")


def restore_vault(entry: dict[str, Any], source_dir: Path, database_url: str) -> None:
    source = source_dir / entry["file"]
    if entry["kind"] == "sqlite":
        path = sqlite_path(database_url)
        if path is None:
            raise BackupError("a SQLite vault restores into a SQLite database URL")
        if path.exists():
            raise BackupError(f"{path} exists: restore into an empty data directory")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)
        return
    if not database_url.startswith("postgresql"):
        raise BackupError("a PostgreSQL dump restores into a PostgreSQL database URL")
    # Into an empty database (created by the operator): --exit-on-error keeps a half restore loud.
    _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_pg_dsn(database_url)}", str(source)])


def _run(argv: list[str]) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"{argv[0]} not found: install the PostgreSQL client tools")
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()[-500:]}")


# -- the commands ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupReport:
    directory: Path
    manifest: dict[str, Any]
    seconds: float


def _empty_dir(path: Path, what: str) -> None:
    if path.exists() and any(path.iterdir()):
        raise BackupError(f"{path} is not empty: {what}")
    path.mkdir(parents=True, exist_ok=True)


async def backup(nats_url: str, intake_database_url: str, target: Path) -> BackupReport:
    started = time.monotonic()
    _empty_dir(target, "back up into a new directory")
    nc = await nats.connect(nats_url, connect_timeout=5, max_reconnect_attempts=0)
    streams: dict[str, Any] = {}
    try:
        for stream in STREAMS:
            streams[stream] = await snapshot_stream(nc, stream, target / f"{stream}.snapshot")
        server_version = nc.connected_server_version
    finally:
        await nc.close()
    vault = backup_vault(intake_database_url, target)  # after the streams: module docstring
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "nats_server": str(server_version),
        "order": [*STREAMS, "intake"],
        "streams": streams,
        "intake": vault,
    }
    (target / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return BackupReport(target, manifest, time.monotonic() - started)


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, once every file it names is present with its size and hash."""
    path = source / MANIFEST
    if not path.exists():
        raise BackupError(f"{path} not found: not a backup directory")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    entries = [*manifest["streams"].values(), manifest["intake"]]
    for entry in entries:
        file = source / entry["file"]
        if not file.exists():
            raise BackupError(f"{file} is missing")
        if file.stat().st_size != entry["bytes"] or _sha256(file) != entry["sha256"]:
            raise BackupError(f"{file} does not match the manifest (size or SHA-256)")
    return manifest


async def restore_streams(nats_url: str, source: Path, manifest: dict[str, Any]) -> dict[str, dict[str, int]]:
    nc = await nats.connect(nats_url, connect_timeout=5, max_reconnect_attempts=0)
    restored = {}
    try:
        for stream in manifest["order"]:
            entry = manifest["streams"].get(stream)
            if entry is None:
                continue
            state = await restore_stream(nc, entry, source / entry["file"])
            if state != entry["state"]:
                raise BackupError(f"stream {stream} restored as {state}, the manifest says {entry['state']}")
            restored[stream] = state
    finally:
        await nc.close()
    return restored


def restore_embedded(source: Path, data_dir: Path) -> dict[str, dict[str, int]]:
    """Restore into an empty embedded data directory (what `./langnghe up` uses)."""
    manifest = read_manifest(source)
    _empty_dir(data_dir, "restore into a new data directory")
    (data_dir / "logs").mkdir()
    # Without `sync_interval: always`: with it the server syncs every restored message (about
    # 3,000 messages/s here instead of 200,000). Nothing is acknowledged to anyone meanwhile;
    # the server flushes its files when it stops, then os.sync() before anything uses them.
    # An interrupted restore leaves a directory to delete and restore into again.
    server = nats_server.start(
        data_dir / "nats", log_file=data_dir / "logs" / "restore-nats.log", sync_always=False
    )
    try:
        restored = asyncio.run(restore_streams(server.url, source, manifest))
    finally:
        server.stop(timeout=60)
    if server.process.returncode != 0:
        raise BackupError(f"the restore's nats-server did not stop cleanly ({server.process.returncode})")
    os.sync()
    restore_vault(manifest["intake"], source, f"sqlite+aiosqlite:///{data_dir / 'intake.db'}")
    return restored


def _describe(streams: dict[str, dict[str, int]]) -> str:
    return ", ".join(
        f"{name} {s['messages']} messages (last seq {s['last_seq']})" for name, s in streams.items()
    )


def main_backup(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="langnghe backup",
        description="Back up the JetStream streams (the server's snapshots) and intake's vault "
        "into DIR, with a manifest. Safe while the system runs.",
    )
    parser.add_argument("directory", type=Path, metavar="DIR", help="a new or empty directory")
    parser.add_argument(
        "--nats-url", default=os.environ.get("LN_NATS_URL", f"nats://127.0.0.1:{DEFAULT_NATS_PORT}")
    )
    parser.add_argument("--data-dir", type=Path, default=Path("./var"), help="embedded data (default ./var)")
    parser.add_argument(
        "--intake-database-url",
        default=os.environ.get("LN_INTAKE_DATABASE_URL"),
        help="default: the SQLite file intake.db in --data-dir",
    )
    args = parser.parse_args(argv)
    url = args.intake_database_url or f"sqlite+aiosqlite:///{(args.data_dir / 'intake.db').resolve()}"
    try:
        report = asyncio.run(backup(args.nats_url, url, args.directory.expanduser().resolve()))
    except (BackupError, OSError, nats.errors.Error) as exc:
        print(f"langnghe backup: {exc}", file=sys.stderr)
        return 1
    streams = {k: v["state"] for k, v in report.manifest["streams"].items()}
    kind = report.manifest["intake"]["kind"]
    _say(f"Backed up in {report.seconds:.1f}s to {report.directory}: {_describe(streams)}; intake ({kind}).")
    return 0


def main_restore(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="langnghe restore",
        description="Restore a backup made by `langnghe backup` into an empty embedded data "
        "directory; then `./langnghe up --data-dir` it. Read models rebuild from the streams.",
    )
    parser.add_argument("directory", type=Path, metavar="DIR", help="the backup")
    parser.add_argument("--data-dir", type=Path, default=Path("./var"), help="a new or empty directory")
    args = parser.parse_args(argv)
    try:
        restored = restore_embedded(
            args.directory.expanduser().resolve(), args.data_dir.expanduser().resolve()
        )
    except (BackupError, OSError, RuntimeError, nats.errors.Error) as exc:
        print(f"langnghe restore: {exc}", file=sys.stderr)
        return 1
    _say(f"Restored into {args.data_dir}: {_describe(restored)}; intake's vault.")
    _say(f"Start it with: ./langnghe up --data-dir {args.data_dir}")
    return 0
