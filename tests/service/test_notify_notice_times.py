"""Notify's notices carry their time with its offset, as its OpenAPI document says
("date-time"): SQLite keeps none, so a naive time read back is UTC (found by the fuzz tier)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from tests.service.harness import running

from langnghe.notify.app import create_app as notify_app
from langnghe.notify.settings import NotifySettings


async def test_notices_created_at_is_utc_with_its_offset(module_nats: str, tmp_path: Path) -> None:
    db = tmp_path / "notify.db"
    async with running(notify_app, NotifySettings, module_nats, db) as notify:
        # A notice as the policy stores it: SQLite drops the offset of the UTC time written.
        with sqlite3.connect(db) as conn:
            conn.execute(
                "INSERT INTO notices (notice_id, petition_id, citizen_ref, kind, channel, status,"
                " body, stream_seq, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ("n-1", "p-1", None, "petition_answered", "dev", "not_deliverable_anonymous",
                 "Kiến nghị đã được trả lời.", 7, "2026-12-02 16:59:51.045895"),
            )  # fmt: skip
        r = await notify.get("/v1/notices")
        assert r.status_code == 200, r.text
        (notice,) = r.json()
        assert datetime.fromisoformat(notice["created_at"]) == datetime(
            2026, 12, 2, 16, 59, 51, 45895, tzinfo=UTC
        )
