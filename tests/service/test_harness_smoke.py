"""The harness itself: intake and tracking in one process each, one nats-server, a petition
submitted over HTTP shows up in tracking's case inbox."""

from __future__ import annotations

from pathlib import Path

from tests.service.harness import eventually, running

from langnghe.intake.app import create_app as intake_app
from langnghe.intake.settings import IntakeSettings
from langnghe.tracking.app import create_app as tracking_app
from langnghe.tracking.settings import TrackingSettings


async def test_submitted_petition_opens_a_case(module_nats: str, tmp_path: Path) -> None:
    async with (
        running(intake_app, IntakeSettings, module_nats, tmp_path / "intake.db") as intake,
        running(tracking_app, TrackingSettings, module_nats, tmp_path / "tracking.db") as tracking,
    ):
        r = await intake.post(
            "/v1/petitions",
            json={
                "province_code": "15",
                "commune_code": "03006",
                "channel": "online",
                "content": "Đường vào bản bị sạt lở sau mưa lớn, đề nghị sửa chữa.",
            },
        )
        assert r.status_code == 202, r.text
        pid = r.json()["petition_id"]

        async def case() -> list[dict[str, object]]:
            rows = (await tracking.get("/v1/cases")).json()
            return [c for c in rows if c["petition_id"] == pid]

        rows = await eventually(case)
        assert rows[0]["status"] == "received"
