"""Reporting's petition view on each database it runs on (SQLite, and PostgreSQL when
TEST_DATABASE_URL or a Docker engine provides one): batches applied as the consumer and the
rebuild apply them give the rows the pure fold gives, the kept figures equal the figures summed
over those rows, re-applying any batch changes nothing; and migration 0002 retires generations
of the previous shape."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

import langnghe.reporting
from langnghe.contracts.codec import Envelope, UnknownEvent
from langnghe.contracts.envelope import EventMeta
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import PublicationChannel
from langnghe.contracts.events.petition import (
    Channel,
    DeadlineKind,
    Disposition,
    LegalType,
    PetitionAbsorbedDuplicate,
    PetitionAccepted,
    PetitionAnswered,
    PetitionAnswerPublished,
    PetitionAssigned,
    PetitionBecameDueSoon,
    PetitionBecameOverdue,
    PetitionDisposedAtConference,
    PetitionFeedbackGiven,
    PetitionMergedInto,
    PetitionReceived,
    PetitionReopened,
    StatutoryTerm,
)
from langnghe.reporting.adapters.petition_tables import generation_tables
from langnghe.reporting.domain.petition_figures import figures, summarise
from langnghe.reporting.domain.petition_row import PetitionRow
from langnghe.reporting.domain.petition_row_fold import fold
from langnghe.reporting.projections.petition_view import PetitionView
from langnghe.reporting.projections.rebuild_tallies import RECENT_ROWS
from langnghe.runtime.database import create_engine, session_factory
from langnghe.runtime.eventstore import RecordedEvent
from langnghe.runtime.migrations import upgrade

MIGRATIONS = Path(langnghe.reporting.__file__).parent / "migrations"
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TERM = StatutoryTerm(clock="complaint_first_instance", start=date(2026, 3, 4), due=date(2026, 4, 16), days=30)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(db_url)
    await upgrade(eng, MIGRATIONS)
    await PetitionView().create_generation(eng, 1)
    yield eng
    await eng.dispose()


def received(n: int, commune: str | None) -> PetitionReceived:
    return PetitionReceived(
        code=f"KN-01-{n:04d}",
        province_code="01",
        commune_code=commune,
        channel=Channel.DIALOGUE_CONFERENCE if n % 2 else Channel.ONLINE,
        legal_type=LegalType.COMPLAINT if n % 3 else LegalType.RECOMMENDATION,
        content=f"Kiến nghị số {n} về đường liên thôn.",
    )


def histories() -> dict[str, list[DomainEvent]]:
    answered = PetitionAnswered(answer_text="Đã trả lời bằng văn bản.", answering_agency_code="UBND-XA")
    return {
        "p1": [
            received(1, "00004"),
            PetitionAssigned(agency_code="UBND-XA", promised_date=date(2026, 3, 5)),
            PetitionAccepted(
                agency_code="UBND-XA",
                accepted_on=date(2026, 3, 4),
                late=True,
                statutory=TERM,
                deadline_version=2,
            ),
            PetitionBecameOverdue(which=DeadlineKind.PROMISED, due=date(2026, 3, 5), deadline_version=2),
            answered,
            PetitionAnswerPublished(
                published_on=date(2026, 3, 9), channels=(PublicationChannel.LOUDSPEAKER,)
            ),
            PetitionFeedbackGiven(satisfied=False, reason="Chưa thỏa đáng."),
            PetitionReopened(reason="Xem xét lại.", promised_date=date(2026, 3, 30), deadline_version=3),
        ],
        "p2": [
            received(2, None),
            PetitionDisposedAtConference(conference_id="hn-1", disposition=Disposition.ANSWERED_ON_SPOT),
            answered,
            PetitionFeedbackGiven(satisfied=True),
        ],
        "p3": [
            received(3, "00004"),
            PetitionAssigned(agency_code="PHONG-TNMT", promised_date=date(2026, 3, 25), statutory=TERM),
            PetitionBecameDueSoon(
                which=DeadlineKind.STATUTORY, due=date(2026, 4, 16), working_days_left=2, deadline_version=1
            ),
            PetitionAbsorbedDuplicate(duplicate_petition_id="p4"),
        ],
        "p4": [received(4, "00007"), PetitionMergedInto(primary_petition_id="p3", reason="Trùng nội dung.")],
    }


def stream(histories: dict[str, list[DomainEvent]]) -> list[RecordedEvent]:
    """The histories interleaved as a stream: the i-th event of every petition, then the next."""
    out: list[RecordedEvent] = []
    longest = max(len(h) for h in histories.values())
    for i in range(longest):
        for pid, history in histories.items():
            if i < len(history):
                meta = EventMeta(
                    event_id=uuid.uuid4(),
                    aggregate_type="petition",
                    aggregate_id=pid,
                    occurred_at=T0 + timedelta(days=i, hours=len(out)),
                    schema_version=history[i].SCHEMA_VERSION,
                    correlation_id="test",
                )
                out.append(
                    RecordedEvent(len(out) + 1, f"petitions.events.01.{pid}", Envelope(meta, history[i]))
                )
    return out


def expected_rows(events: list[RecordedEvent]) -> dict[str, PetitionRow]:
    by_petition: dict[str, list[tuple[DomainEvent, datetime]]] = {}
    for r in events:
        assert not isinstance(r.envelope, UnknownEvent)
        by_petition.setdefault(r.envelope.meta.aggregate_id, []).append(
            (r.envelope.event, r.envelope.meta.occurred_at)
        )
    rows = {pid: fold(pid, history) for pid, history in by_petition.items()}
    return {pid: row for pid, row in rows.items() if row is not None}


def without_seq(row: PetitionRow | dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in row.items() if k != "last_seq"}


async def assert_rows_and_figures(
    view: PetitionView, sessions: Any, expected: dict[str, PetitionRow]
) -> dict[str, Any]:
    """The active generation holds the folded rows, and its figures are summed over them;
    returns the national figures."""
    async with sessions() as s:
        for pid, want in expected.items():
            got = await view.petition(s, pid)
            assert got is not None
            assert without_seq(got) == without_seq(want)
        everything: dict[str, Any] = await view.stats(s)
    total: Counter[str] = Counter()
    for row in expected.values():
        total.update(figures(row))
    assert {k: everything[k] for k in summarise(total)} == summarise(total)
    return everything


async def test_batches_give_the_folded_rows_and_their_figures_once(engine: AsyncEngine) -> None:
    view, sessions = PetitionView(), session_factory(engine)
    events = stream(histories())
    unknown = RecordedEvent(
        len(events) + 1,
        "petitions.events.01.p1",
        UnknownEvent(meta=events[0].envelope.meta, type="petition.from_the_future", data={}),
    )
    events.append(unknown)
    for start in range(0, len(events), 5):
        async with sessions.begin() as s:
            await view.apply_to(s, events[start : start + 5], 1)
    # A redelivery of everything (the runner's checkpoint lost), then of one batch again.
    for again in (events, events[3:9]):
        async with sessions.begin() as s:
            await view.apply_to(s, again, 1)

    everything = await assert_rows_and_figures(view, sessions, expected_rows(events[:-1]))
    async with sessions() as s:
        commune = await view.stats(s, province_code="01", commune_code="00004")
        elsewhere = await view.stats(s, province_code="79")
    assert everything["by_status"] == {"assigned": 2, "answered": 1, "merged": 1}
    assert everything["answers"]["at_conference"] == 1 and everything["feedback"]["satisfied"] == 1
    assert everything["reopened"] == {"petitions": 1, "times": 1} and everything["accepted_late"] == 1
    assert everything["open_due_soon"]["statutory"] == 1 and everything["duplicates_absorbed"] == 1
    assert sum(everything["events_applied"].values()) == len(events) - 1  # the unknown one is skipped
    assert (commune["total"], commune["by_status"]) == (2, {"assigned": 2})
    assert elsewhere["total"] == 0 and elsewhere["by_status"] == {}


@pytest.mark.parametrize("remembered", [0, 2, RECENT_ROWS], ids=["reads-all", "remembers-2", "default"])
async def test_a_rebuild_remembering_rows_gives_the_rows_and_figures_of_one_reading_them(
    engine: AsyncEngine, remembered: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild finds the rows it wrote recently in memory instead of reading them back: the
    generation it fills is the same whether it remembers none, a few or all of them."""
    view, sessions = PetitionView(), session_factory(engine)
    events = stream(histories())
    read: list[int] = []
    rows_of = PetitionView._rows

    async def counted(session: object, g: object, ids: set[str]) -> list[dict[str, object]]:
        read.append(len(ids))
        return await rows_of(session, g, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(PetitionView, "_rows", staticmethod(counted))
    await view.create_generation(engine, 2, indexes=False)
    tallies = view.new_tallies()
    tallies.recent_limit = remembered
    for start in range(0, len(events), 3):
        async with sessions.begin() as s:
            await view.apply_to(s, events[start : start + 3], 2, tallies)
    async with sessions.begin() as s:
        await view.write_tallies(s, 2, tallies)
        await view.set_active_generation(s, 2)

    expected = expected_rows(events)
    everything = await assert_rows_and_figures(view, sessions, expected)
    assert sum(everything["events_applied"].values()) == len(events)
    assert len(tallies.recent) == min(remembered, len(expected))
    # The rows each batch changes that an earlier batch wrote: read back unless remembered.
    earlier = 0
    for start in range(0, len(events), 3):
        batch = [e.envelope for e in events[start : start + 3] if not isinstance(e.envelope, UnknownEvent)]
        opened = {e.meta.aggregate_id for e in batch if isinstance(e.event, PetitionReceived)}
        earlier += len({e.meta.aggregate_id for e in batch} - opened)
    assert earlier > 0
    if remembered == 0:
        assert sum(read) == earlier
    elif remembered < len(expected):
        assert 0 < sum(read) < earlier
    else:
        assert read == []


async def test_migration_0002_retires_generations_of_the_previous_shape(db_url: str) -> None:
    eng = create_engine(db_url)
    try:
        await upgrade(eng, MIGRATIONS, "0001")
        md = sa.MetaData()
        for n in (1, 2):
            sa.Table(f"petitions_g{n}", md, sa.Column("petition_id", sa.String(64), primary_key=True))
            sa.Table(
                f"petition_counts_by_status_g{n}", md, sa.Column("status", sa.String(32), primary_key=True)
            )
            sa.Table(
                f"events_applied_by_type_g{n}", md, sa.Column("event_type", sa.String(64), primary_key=True)
            )
        kept = sa.Table("petitions_elsewhere", md, sa.Column("id", sa.Integer, primary_key=True))
        now = datetime(2026, 1, 1, tzinfo=UTC)
        async with eng.begin() as conn:
            await conn.run_sync(md.create_all)
            await conn.execute(
                sa.text("INSERT INTO projection_generations VALUES (:p, :a, :t)"),
                [{"p": "reporting-petitions", "a": 2, "t": now}, {"p": "other-view", "a": 5, "t": now}],
            )
            await conn.execute(
                sa.text("INSERT INTO consumer_checkpoints VALUES (:c, :s, :t)"),
                [
                    {"c": "reporting-petitions", "s": 120, "t": now},
                    {"c": "reporting-petitions@g3", "s": 60, "t": now},
                    {"c": "reporting-other", "s": 7, "t": now},
                ],
            )
            await conn.execute(
                sa.text("INSERT INTO parked_aggregates VALUES ('reporting-petitions', 'p9', 44, 'boom', :t)"),
                {"t": now},
            )
        await upgrade(eng, MIGRATIONS)
        async with eng.connect() as conn:
            tables = set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
            generations = (await conn.execute(sa.text("SELECT projection FROM projection_generations"))).all()
            checkpoints = (
                await conn.execute(sa.text("SELECT consumer, stream_seq FROM consumer_checkpoints"))
            ).all()
            parked = (await conn.execute(sa.text("SELECT count(*) FROM parked_aggregates"))).scalar()
        assert not {t for t in tables if t.endswith(("_g1", "_g2"))}
        assert kept.name in tables
        assert [tuple(r) for r in generations] == [("other-view",)]
        assert [tuple(r) for r in checkpoints] == [("reporting-other", 7)]
        assert parked == 0

        # The new shape is created at start and serves from generation 1.
        view = PetitionView()
        await view.create_generation(eng, 1)
        async with session_factory(eng).begin() as s:
            assert await view.active_generation(s) == 1
            await view.apply_to(s, stream({"p1": histories()["p1"][:2]}), 1)
        async with session_factory(eng)() as s:
            row = await view.petition(s, "p1")
            figures_kept = (
                await s.execute(sa.select(sa.func.count()).select_from(generation_tables(1).figures))
            ).scalar()
        assert row is not None and row["status"] == "assigned"
        assert figures_kept
    finally:
        await eng.dispose()


async def test_a_rebuild_leaves_out_a_repeated_code_as_the_live_path_does(engine: AsyncEngine) -> None:
    """A receipt whose code another petition already has (forged, or from an old log) is
    refused live by the unique index (its petition is parked). The rebuild writes without the
    index until the end; it must refuse the same receipt, or the index fails after the replay."""
    view, sessions = PetitionView(), session_factory(engine)
    repeated = histories()
    repeated["p5"] = [
        received(1, "00007"),  # KN-01-0001 again: p1's code
        PetitionAssigned(agency_code="UBND-XA", promised_date=date(2026, 3, 20)),
    ]
    events = stream(repeated)
    await view.create_generation(engine, 2, indexes=False)
    tallies = view.new_tallies()
    for start in range(0, len(events), 3):
        async with sessions.begin() as s:
            await view.apply_to(s, events[start : start + 3], 2, tallies)
    async with sessions.begin() as s:
        await view.write_tallies(s, 2, tallies)
        await view.set_active_generation(s, 2)
    await view.create_indexes(engine, 2)  # the unique code index: fails if p5 got a row

    expected = expected_rows([e for e in events if e.envelope.meta.aggregate_id != "p5"])
    everything = await assert_rows_and_figures(view, sessions, expected)
    async with sessions() as s:
        assert await view.petition(s, "p5") is None
    assert everything["total"] == len(expected)
    assert sum(everything["events_applied"].values()) == len(events) - len(repeated["p5"])
