"""What a run was measured on: machine, versions, load, and the commit."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sqlite3
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    """Read-only git (`--no-optional-locks`: not even the index's stat cache is refreshed)."""
    try:
        out = subprocess.run(
            ["git", "--no-optional-locks", *args],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def git_state() -> dict[str, Any]:
    """The commit measured, and whether tracked files differed from it (then the figures are
    of the working tree, not of the commit)."""
    changed = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "git_commit": _git("rev-parse", "--short", "HEAD") or None,
        "git_tracked_files_modified": None if changed is None else len(changed.splitlines()),
    }


def environment(
    nats_version: tuple[int, int, int] | None,
    pg_version: str | None,
    load_at_start: Sequence[float],
    git: dict[str, Any],
) -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "nats_server": ".".join(map(str, nats_version)) if nats_version else None,
        "nats_sync_interval": "always",
        "nats_py": _version("nats-py"),
        "sqlalchemy": _version("SQLAlchemy"),
        "aiosqlite": _version("aiosqlite"),
        "asyncpg": _version("asyncpg"),
        "httpx": _version("httpx"),
        "uvicorn": _version("uvicorn"),
        "sqlite": sqlite3.sqlite_version,
        "postgres": pg_version,
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        **git,
    }
