"""The case inbox's times carry their offset, as its OpenAPI document says ("date-time"):
SQLite keeps none, so a naive time read back is UTC (found by the fuzz tier)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.service.harness import eventually, running

from langnghe.intake.app import create_app as intake_app
from langnghe.intake.settings import IntakeSettings
from langnghe.tracking.app import create_app as tracking_app
from langnghe.tracking.settings import TrackingSettings


async def test_case_inbox_received_at_is_utc_with_its_offset(module_nats: str, tmp_path: Path) -> None:
    async with (
        running(intake_app, IntakeSettings, module_nats, tmp_path / "intake.db") as intake,
        running(tracking_app, TrackingSettings, module_nats, tmp_path / "tracking.db") as tracking,
    ):
        before = datetime.now(UTC)
        r = await intake.post(
            "/v1/petitions",
            json={
                "province_code": "15",
                "commune_code": "03006",
                "channel": "online",
                "content": "Đèn đường ở tổ dân phố số 2 đã hỏng nhiều tuần, đề nghị thay mới.",
            },
        )
        assert r.status_code == 202, r.text
        pid = r.json()["petition_id"]

        async def case() -> list[dict[str, object]]:
            rows = (await tracking.get("/v1/cases")).json()
            return [c for c in rows if c["petition_id"] == pid]

        (row,) = await eventually(case)
        received_at = datetime.fromisoformat(str(row["received_at"]))
        assert received_at.utcoffset() is not None, row["received_at"]
        assert abs((received_at - before).total_seconds()) < 60
