"""The checks of `langnghe chaos` (langnghe.tools.chaos) find what they are for: a lost or
doubled submission, a missing or doubled command, a case unlike the fold, a double notice.
The whole command runs in tests/e2e/test_chaos.py."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from langnghe.contracts.events.petition import Channel, LegalType, PetitionAssigned, PetitionReceived
from langnghe.tools import cli
from langnghe.tools.chaos import (
    Accepted,
    ChaosResult,
    LogEvent,
    check_log,
    check_notices,
    check_tracking,
)

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def received(code: str) -> PetitionReceived:
    return PetitionReceived(
        code=code,
        province_code="15",
        commune_code="03006",
        channel=Channel.CITIZEN_RECEPTION,
        legal_type=LegalType.RECOMMENDATION,
        field_code="infrastructure",
        content="Đề nghị sửa chữa đoạn đường liên thôn bị sạt lở.",
    )


def assigned() -> PetitionAssigned:
    return PetitionAssigned(agency_code="UBND-XA-SAPA", promised_date=date(2026, 3, 20))


def item(seq: int, event: object, key: str | None = None) -> LogEvent:
    return LogEvent(seq, event, T0, f"e{seq}", key)  # type: ignore[arg-type]


def test_a_clean_log_passes_and_each_fault_is_found() -> None:
    log = {
        "p1": [item(1, received("KN-15-1"), "k1"), item(2, assigned(), "k1-assign")],
        "p2": [item(3, received("KN-15-2"), "k2"), item(4, received("KN-15-2"), "k2")],  # doubled
        "p3": [item(5, received("KN-15-3"), "k3"), item(6, assigned()), item(7, assigned())],
    }
    accepted = [
        Accepted("k1", "p1", [("assign", "k1-assign")]),
        Accepted("k2", "p2"),
        Accepted("k3", "p3", [("assign", "k3-assign")]),
        Accepted("k4", "p4", [("assign", "k4-assign")]),  # lost
    ]
    result = ChaosResult(data_dir=Path("."))
    check_log(log, accepted, result)

    assert result.in_log_petitions == 3
    assert [lost.split()[0] for lost in result.lost] == ["k4"]
    assert result.duplicated == ["petition p2: 2 × petition.received", "key k2: 2 × petition.received"]
    assert result.commands_missing == ["assign k4-assign"]
    assert result.commands_duplicated == ["assign k3-assign: 2 events"]
    assert not result.ok

    clean = ChaosResult(data_dir=Path("."), accepted=1, settled=True)
    check_log({"p1": log["p1"]}, accepted[:1], clean)
    assert clean.failures == []


def test_tracking_cases_are_compared_with_the_fold_and_notices_counted(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE cases (petition_id, status, agency_code, promised_date)")
        conn.executemany(
            "INSERT INTO cases VALUES (?, ?, ?, ?)",
            [
                ("p1", "assigned", "UBND-XA-SAPA", "2026-03-20"),
                ("p2", "assigned", "UBND-XA-SAPA", "2026-03-20"),  # the log says received
                ("p9", "received", None, None),  # no such petition in the log
            ],
        )
        conn.execute("CREATE TABLE notices (petition_id, kind)")
        conn.executemany(
            "INSERT INTO notices VALUES (?, ?)",
            [("p1", "answered"), ("p1", "received"), ("p2", "answered"), ("p2", "answered")],
        )
    log = {
        "p1": [item(1, received("KN-15-1")), item(2, assigned())],
        "p2": [item(3, received("KN-15-2"))],
        "p3": [item(4, received("KN-15-3"))],  # no case
    }
    result = ChaosResult(data_dir=tmp_path)
    check_tracking(log, db, result)
    assert result.tracking_cases == 3
    assert [m.split(":")[0] for m in result.tracking_mismatches] == ["p2", "p3", "p9"]

    check_notices(db, result)
    assert result.notices == 4
    assert result.double_notices == ["p2 answered: 2 notices"]


def test_the_command_is_registered_and_refuses_a_used_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.EXTERNAL_COMMANDS["chaos"][0] == "langnghe.tools.chaos:main_chaos"
    (tmp_path / "tracking.db").write_bytes(b"")
    with pytest.raises(SystemExit) as exited:
        cli.main(["chaos", "--minutes", "1", "--data-dir", str(tmp_path)])
    assert exited.value.code == 2
    assert "not empty" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["chaos", "--minutes", "0"])
