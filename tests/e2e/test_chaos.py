"""`langnghe chaos`, short: the whole system under steady submissions and commands while every
service and nats-server is killed once and NATS is frozen once (a fault every 15 s), then the
command's own checks against the log and every read model."""

from __future__ import annotations

from pathlib import Path

import pytest

from langnghe.tools.chaos import FAULTS, ChaosConfig, run_chaos

pytestmark = pytest.mark.e2e


def test_chaos_loses_duplicates_and_notifies_twice_nothing(tmp_path: Path) -> None:
    cfg = ChaosConfig(minutes=1.6, data_dir=tmp_path / "var", seed=7, period_s=15.0, freeze_s=4.0)
    result = run_chaos(cfg, say=lambda message: None)
    print(result.summary())

    assert result.aborted is None
    assert all(result.faults[fault] >= 1 for fault in FAULTS), result.faults  # each process hurt
    assert result.accepted > 50 and result.commands_accepted > result.accepted
    assert result.settled, result.still_moving
    assert result.lost == [] and result.duplicated == [] and result.duplicate_event_ids == 0
    assert result.commands_missing == [] and result.commands_duplicated == []
    assert result.refused == [] and result.undecodable == 0
    assert result.in_log_petitions == result.reporting_rows == result.tracking_cases >= result.accepted
    assert result.reporting_mismatches == [] and result.stats_mismatches == []
    assert result.tracking_mismatches == []
    assert result.notices > 0 and result.double_notices == []
    assert result.ok, result.failures
