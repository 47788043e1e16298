"""Reporting over a real nats-server and SQLite: petition events appended to the event store
show up in GET /v1/petitions/{id} and GET /v1/stats, through the whole lifecycle; a
redelivery applies nothing twice; a rebuild reaches the same rows and figures; a database of
the previous shape is upgraded and refilled.

Every test uses a province code of its own, so its figures are read with
`?province_code=...` while the module's other petitions share the stream."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from nats.aio.client import Client as NatsClient
from tests.service.harness import eventually, running

import langnghe.reporting
from langnghe.contracts.envelope import EventMeta
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import PublicationChannel, UnitLevel
from langnghe.contracts.events.petition import (
    Channel,
    DeadlineKind,
    LegalType,
    PetitionAbsorbedDuplicate,
    PetitionAccepted,
    PetitionAnswered,
    PetitionAnswerPublished,
    PetitionAssigned,
    PetitionBecameDueSoon,
    PetitionBecameOverdue,
    PetitionClosed,
    PetitionDeadlineExtended,
    PetitionEscalated,
    PetitionFeedbackGiven,
    PetitionMergedInto,
    PetitionReceived,
    PetitionReopened,
    PetitionWithdrawn,
    StatutoryTerm,
    TransferKind,
)
from langnghe.contracts.subjects import petition_subject
from langnghe.reporting.app import create_app
from langnghe.reporting.domain.petition_figures import figures, summarise
from langnghe.reporting.settings import ReportingSettings
from langnghe.runtime.database import create_engine
from langnghe.runtime.eventstore import JetStreamEventStore, NewEvent
from langnghe.runtime.migrations import upgrade

MIGRATIONS = Path(langnghe.reporting.__file__).parent / "migrations"
RESOLUTION = StatutoryTerm(
    clock="complaint_first_instance", start=date(2026, 3, 4), due=date(2026, 4, 16), days=30
)


def on(day: int, month: int = 3) -> datetime:
    """09:00 in Vietnam."""
    return datetime(2026, month, day, 2, 0, tzinfo=UTC)


class Petitions:
    """Appends one test's petition events straight to the event store, as intake and tracking
    would, each event with an id of its own."""

    def __init__(self, nc: NatsClient) -> None:
        self.store = JetStreamEventStore(nc)
        self.province = "t" + uuid.uuid4().hex[:10]
        self.last: dict[str, int] = {}
        self.stream_last = 0
        self.written = 0

    def id(self, name: str) -> str:
        return f"{self.province}-{name}"

    async def write(self, name: str, event: DomainEvent, at: datetime) -> int:
        pid = self.id(name)
        meta = EventMeta(
            event_id=uuid.uuid4(),
            aggregate_type="petition",
            aggregate_id=pid,
            occurred_at=at,
            schema_version=event.SCHEMA_VERSION,
            correlation_id=f"test-{pid}",
        )
        result = await self.store.append(
            petition_subject(self.province, pid),
            [NewEvent(meta, event)],
            expected_last_seq=self.last.get(pid, 0),
        )
        self.last[pid] = self.stream_last = result.last_seq
        self.written += 1
        return result.last_seq

    def received(
        self, name: str, legal_type: LegalType = LegalType.COMPLAINT, commune: str = "00004"
    ) -> PetitionReceived:
        return PetitionReceived(
            code=f"KN-{self.id(name)}",
            province_code=self.province,
            commune_code=commune,
            channel=Channel.CITIZEN_RECEPTION,
            legal_type=legal_type,
            field_code="dat-dai",
            content="Đề nghị xem xét việc thu hồi đất làm đường liên thôn.",
            citizen_ref="vault-ref-not-for-reporting",
        )


@pytest.fixture
async def nc(module_nats: str) -> AsyncIterator[NatsClient]:
    client = await nats.connect(module_nats)
    yield client
    await client.close()


async def row(client: httpx.AsyncClient, pid: str, seq: int) -> dict[str, Any]:
    """The petition's row once it holds the event at stream sequence `seq`."""

    async def probe() -> dict[str, Any] | None:
        r = await client.get(f"/v1/petitions/{pid}")
        return r.json() if r.status_code == 200 and r.json()["last_seq"] >= seq else None

    found: dict[str, Any] = await eventually(probe)
    return found


async def stats(client: httpx.AsyncClient, province: str, **params: str) -> dict[str, Any]:
    r = await client.get("/v1/stats", params={"province_code": province, **params})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def caught_up(client: httpx.AsyncClient, seq: int) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        lag = (await client.get("/ops/consumers")).json()
        mine = next(c for c in lag if c["consumer"] == "reporting-petitions")
        return mine if mine["checkpoint"] >= seq else None

    found: dict[str, Any] = await eventually(probe)
    return found


def recomputed(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures summed straight from the rows, to hold the kept counters to."""
    total: Counter[str] = Counter()
    for r in rows:
        total.update(figures(r))  # type: ignore[arg-type]
    return summarise(total)


def without_context(s: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in s.items()
        if k not in ("generation", "province_code", "commune_code", "events_applied")
    }


async def test_a_petition_is_followed_from_received_to_closed(
    nc: NatsClient, module_nats: str, tmp_path: Path
) -> None:
    p = Petitions(nc)
    pid = p.id("life")
    async with running(create_app, ReportingSettings, module_nats, tmp_path / "r.db") as client:
        seq = await p.write("life", p.received("life"), on(2))
        received = await row(client, pid, seq)
        assert (received["status"], received["legal_type"], received["province_code"]) == (
            "received",
            "complaint",
            p.province,
        )
        assert "vault-ref-not-for-reporting" not in str(received)

        await p.write(
            "life",
            PetitionAssigned(
                agency_code="UBND-XA", officer_ref="cb-17", promised_date=date(2026, 3, 5), deadline_version=1
            ),
            on(3),
        )
        await p.write(
            "life",
            PetitionAccepted(
                agency_code="UBND-XA",
                accepted_on=date(2026, 3, 4),
                late=False,
                statutory=RESOLUTION,
                deadline_version=2,
            ),
            on(4),
        )
        await p.write(
            "life",
            PetitionDeadlineExtended(
                which=DeadlineKind.PROMISED,
                previous_due=date(2026, 3, 5),
                new_due=date(2026, 3, 6),
                reason="Cần thêm thời gian xác minh thực địa.",
                extensions=1,
                after_due=False,
                deadline_version=3,
            ),
            on(5),
        )
        seq = await p.write(
            "life",
            PetitionBecameOverdue(which=DeadlineKind.PROMISED, due=date(2026, 3, 6), deadline_version=3),
            on(7),
        )
        late = await row(client, pid, seq)
        assert (late["status"], late["agency_code"], late["officer_ref"]) == ("assigned", "UBND-XA", "cb-17")
        assert (late["promised_date"], late["promised_extensions"]) == ("2026-03-06", 1)
        assert (late["statutory_clock"], late["statutory_due"]) == ("complaint_first_instance", "2026-04-16")
        assert late["accepted_on"] == "2026-03-04"
        assert late["promised_overdue"] is True and late["statutory_overdue"] is False
        s = await stats(client, p.province)
        assert s["open"] == 1
        assert s["open_overdue"] == {"promised": 1, "statutory": 0, "any": 1}

        await p.write(
            "life",
            PetitionAnswered(
                answer_text="Đã kiểm tra thực địa; việc thu hồi đúng quy định.",
                answering_agency_code="UBND-XA",
                document_number="12/TB-UBND",
            ),
            on(8),
        )
        await p.write(
            "life",
            PetitionAnswerPublished(
                published_on=date(2026, 3, 9),
                channels=(PublicationChannel.WEB_PORTAL, PublicationChannel.HEADQUARTERS_NOTICE_BOARD),
            ),
            on(9),
        )
        seq = await p.write(
            "life", PetitionFeedbackGiven(satisfied=False, reason="Chưa giải quyết dứt điểm."), on(10)
        )
        unhappy = await row(client, pid, seq)
        assert (unhappy["status"], unhappy["answered_on"], unhappy["answer_timeliness"]) == (
            "answered",
            "2026-03-08",
            "late",
        )
        assert unhappy["promised_overdue"] is False  # no deadline can be missed once answered
        assert unhappy["answer_published_on"] == "2026-03-09"
        assert unhappy["answer_published_channels"] == ["headquarters_notice_board", "web_portal"]
        assert unhappy["feedback_satisfied"] is False
        s = await stats(client, p.province)
        assert s["open"] == 0 and s["open_overdue"]["any"] == 0
        assert s["answers"] == {
            "standing": 1,
            "on_time": 0,
            "late": 1,
            "no_promised_date": 0,
            "published": 1,
            "at_conference": 0,
            "not_public": 0,
        }
        assert s["feedback"] == {
            "satisfied": 0,
            "not_satisfied": 1,
            "ever_not_satisfied": 1,
            "not_satisfied_times": 1,
        }

        seq = await p.write(
            "life",
            PetitionReopened(
                reason="Người dân chưa đồng ý với kết quả.",
                promised_date=date(2026, 3, 30),
                deadline_version=4,
            ),
            on(11),
        )
        reopened = await row(client, pid, seq)
        assert (reopened["status"], reopened["times_reopened"], reopened["promised_date"]) == (
            "assigned",
            1,
            "2026-03-30",
        )
        assert reopened["statutory_due"] is None and reopened["answer_published_on"] is None
        assert reopened["feedback_satisfied"] is None
        s = await stats(client, p.province)
        assert s["open"] == 1 and s["answers"]["standing"] == 0 and s["feedback"]["not_satisfied"] == 0
        assert s["feedback"]["ever_not_satisfied"] == 1  # the history stays (it used to vanish)

        await p.write(
            "life",
            PetitionAnswered(
                answer_text="Đã đo đạc lại và điều chỉnh mốc giới.", answering_agency_code="UBND-XA"
            ),
            on(20),
        )
        seq = await p.write("life", PetitionClosed(note="Đã trả lời lần hai."), on(21))
        closed = await row(client, pid, seq)
        assert closed["status"] == "closed"
        assert (closed["answer_text"], closed["answer_timeliness"]) == (
            "Đã đo đạc lại và điều chỉnh mốc giới.",
            "on_time",
        )
        assert closed["last_event_at"].startswith("2026-03-21T02:00")
        s = await stats(client, p.province)
        assert (s["total"], s["by_status"], s["by_legal_type"]) == (1, {"closed": 1}, {"complaint": 1})
        assert s["answers"]["on_time"] == 1 and s["answers"]["late"] == 0
        assert s["reopened"] == {"petitions": 1, "times": 1}
        assert s["feedback"] == {
            "satisfied": 0,
            "not_satisfied": 0,
            "ever_not_satisfied": 1,
            "not_satisfied_times": 1,
        }
        assert without_context(s) == recomputed([closed])
        assert s["events_applied"]["petition.reopened"] >= 1


async def write_escalated_withdrawn_and_merged(p: Petitions) -> None:
    await p.write("esc", p.received("esc", commune="00007"), on(2))
    await p.write("esc", PetitionAssigned(agency_code="UBND-XA", promised_date=date(2026, 3, 20)), on(3))
    await p.write(
        "esc",
        PetitionBecameDueSoon(
            which=DeadlineKind.PROMISED, due=date(2026, 3, 20), working_days_left=2, deadline_version=1
        ),
        on(16),
    )
    await p.write(
        "esc",
        PetitionEscalated(
            kind=TransferKind.ESCALATION,
            to_level=UnitLevel.PROVINCE,
            to_unit_code="UBND-TINH",
            reason="Vượt thẩm quyền cấp xã.",
            from_agency_code="UBND-XA",
            deadline_version=2,
        ),
        on(17),
    )
    await p.write("gone", p.received("gone", legal_type=LegalType.REFLECTION), on(2))
    await p.write("gone", PetitionWithdrawn(reason="Hai bên đã tự hòa giải."), on(4))
    await p.write("main", p.received("main"), on(2))
    await p.write("main", PetitionAssigned(agency_code="PHONG-TNMT", promised_date=date(2026, 3, 25)), on(3))
    await p.write("dup", p.received("dup"), on(5))
    await p.write(
        "dup", PetitionMergedInto(primary_petition_id=p.id("main"), reason="Cùng nội dung kiến nghị."), on(6)
    )
    await p.write("main", PetitionAbsorbedDuplicate(duplicate_petition_id=p.id("dup")), on(6))


async def test_escalation_withdrawal_and_merge(nc: NatsClient, module_nats: str, tmp_path: Path) -> None:
    p = Petitions(nc)
    async with running(create_app, ReportingSettings, module_nats, tmp_path / "r.db") as client:
        await write_escalated_withdrawn_and_merged(p)
        escalated = await row(client, p.id("esc"), p.last[p.id("esc")])
        assert escalated["status"] == "escalated"
        assert (escalated["escalated_to_level"], escalated["escalated_to_unit_code"]) == (
            "province",
            "UBND-TINH",
        )
        assert escalated["agency_code"] is None and escalated["promised_date"] is None
        assert escalated["promised_due_soon"] is False
        withdrawn = await row(client, p.id("gone"), p.last[p.id("gone")])
        assert withdrawn["status"] == "withdrawn"
        duplicate = await row(client, p.id("dup"), p.last[p.id("dup")])
        assert (duplicate["status"], duplicate["merged_into"]) == ("merged", p.id("main"))
        primary = await row(client, p.id("main"), p.last[p.id("main")])
        assert (primary["status"], primary["duplicates_absorbed"]) == ("assigned", 1)

        s = await stats(client, p.province)
        assert s["total"] == 4
        assert s["by_status"] == {"assigned": 1, "escalated": 1, "withdrawn": 1, "merged": 1}
        assert s["by_legal_type"] == {"complaint": 3, "reflection": 1}
        assert s["open"] == 2 and s["duplicates_absorbed"] == 1
        assert s["open_due_soon"]["any"] == 0  # the escalation stopped the clock that was due soon
        assert without_context(s) == recomputed([escalated, withdrawn, duplicate, primary])

        one_commune = await stats(client, p.province, commune_code="00007")
        assert (one_commune["total"], one_commune["by_status"]) == (1, {"escalated": 1})
        escalated_again = await p.write(
            "esc",
            PetitionAssigned(agency_code="SO-TNMT", promised_date=date(2026, 4, 10), deadline_version=3),
            on(18),
        )
        again = await row(client, p.id("esc"), escalated_again)
        assert (again["status"], again["agency_code"], again["escalated_to_level"]) == (
            "assigned",
            "SO-TNMT",
            "province",
        )

        bad = await client.get("/v1/stats", params={"province_code": "tỉnh 1"})
        assert bad.status_code == 422


async def snapshot(client: httpx.AsyncClient, p: Petitions) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = [await row(client, pid, seq) for pid, seq in sorted(p.last.items())]
    return rows, await stats(client, p.province)


async def test_redelivered_events_are_applied_once(nc: NatsClient, module_nats: str, tmp_path: Path) -> None:
    p = Petitions(nc)
    db = tmp_path / "r.db"
    async with running(create_app, ReportingSettings, module_nats, db) as client:
        await write_escalated_withdrawn_and_merged(p)
        rows, before = await snapshot(client, p)
        await caught_up(client, p.stream_last)
        everything = (await client.get("/v1/stats")).json()
    # As if the checkpoint had been lost with a batch: the consumer is realigned at start and
    # the server delivers the whole stream again; only the rows' own sequences stop it.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE consumer_checkpoints SET stream_seq = 0 WHERE consumer = 'reporting-petitions'")
    async with running(create_app, ReportingSettings, module_nats, db) as client:
        position = await caught_up(client, p.stream_last)
        assert position["applied"] >= p.written  # handed to the view again...
        again, after = await snapshot(client, p)
        assert again == rows  # ...which changed nothing
        assert after == before
        assert (await client.get("/v1/stats")).json() == everything
    assert before["total"] == 4


async def test_rebuild_reaches_the_same_rows_and_figures(
    nc: NatsClient, module_nats: str, tmp_path: Path
) -> None:
    p = Petitions(nc)
    async with running(create_app, ReportingSettings, module_nats, tmp_path / "r.db") as client:
        await write_escalated_withdrawn_and_merged(p)
        await p.write(
            "main", PetitionAnswered(answer_text="Đã giải quyết.", answering_agency_code="PHONG-TNMT"), on(9)
        )
        await p.write(
            "main",
            PetitionAnswerPublished(
                published_on=date(2026, 3, 10), channels=(PublicationChannel.LOUDSPEAKER,)
            ),
            on(10),
        )
        await p.write("main", PetitionFeedbackGiven(satisfied=True), on(11))
        rows, before = await snapshot(client, p)
        await caught_up(client, p.stream_last)
        everything = (await client.get("/v1/stats")).json()

        r = await client.post("/ops/projections/reporting-petitions/rebuild")
        assert r.status_code == 200, r.text
        assert r.json()["generation"] == before["generation"] + 1
        rebuilt_rows, after = await snapshot(client, p)
        assert after["generation"] == before["generation"] + 1
        assert rebuilt_rows == rows
        assert {**after, "generation": 0} == {**before, "generation": 0}
        assert after["answers"]["published"] == 1 and after["feedback"]["satisfied"] == 1
        assert {**(await client.get("/v1/stats")).json(), "generation": 0} == {**everything, "generation": 0}

        # The live consumer goes on in the new generation.
        seq = await p.write("main", PetitionClosed(citizen_satisfied=True), on(12))
        closed = await row(client, p.id("main"), seq)
        assert closed["status"] == "closed"
        assert (await stats(client, p.province))["by_status"]["closed"] == 1


async def test_a_database_of_the_previous_shape_is_upgraded_and_refilled(
    nc: NatsClient, module_nats: str, tmp_path: Path
) -> None:
    db = tmp_path / "r.db"
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await upgrade(engine, MIGRATIONS, "0001")
    await engine.dispose()
    with sqlite3.connect(db) as conn:
        for n in (1, 2):
            conn.execute(
                f"CREATE TABLE petitions_g{n} (petition_id VARCHAR(64) PRIMARY KEY, status VARCHAR(32))"
            )
            conn.execute(
                f"CREATE TABLE petition_counts_by_status_g{n} (status VARCHAR(32) PRIMARY KEY, count INTEGER)"
            )
            conn.execute(
                f"CREATE TABLE events_applied_by_type_g{n} (event_type VARCHAR(64) PRIMARY KEY, n INTEGER)"
            )
        conn.execute(
            "INSERT INTO projection_generations VALUES ('reporting-petitions', 2, '2026-01-01 00:00:00')"
        )
        conn.execute(
            "INSERT INTO consumer_checkpoints VALUES ('reporting-petitions', 999999, '2026-01-01 00:00:00')"
        )
    p = Petitions(nc)
    seq = await p.write("old", p.received("old"), on(2))
    seq = await p.write("old", PetitionWithdrawn(reason="Người dân rút đơn."), on(3))
    async with running(create_app, ReportingSettings, module_nats, db) as client:
        withdrawn = await row(client, p.id("old"), seq)
        assert withdrawn["status"] == "withdrawn"
        s = await stats(client, p.province)
        assert (s["generation"], s["by_status"]) == (1, {"withdrawn": 1})
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert version == "0004"
    assert {t for t in tables if re.search(r"_g\d+$", t)} == {
        "petitions_g1",
        "petition_figures_by_province_g1",
        "events_applied_by_type_g1",
    }
