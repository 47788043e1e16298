"""The case inbox projection: a case opens when a petition is received and follows it through
its whole life (the same meaning as the domain's `evolve`, kept to what an inbox shows)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from langnghe.contracts.codec import Envelope
from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import (
    DeadlineKind,
    PetitionAccepted,
    PetitionAnswered,
    PetitionAssigned,
    PetitionBecameDueSoon,
    PetitionBecameOverdue,
    PetitionClosed,
    PetitionDeadlineExtended,
    PetitionEscalated,
    PetitionMergedInto,
    PetitionReassigned,
    PetitionReceived,
    PetitionReopened,
    PetitionWithdrawn,
)
from langnghe.runtime.eventstore import RecordedEvent
from langnghe.tracking.adapters.tables import cases
from langnghe.tracking.domain.petition import Status

_UPDATED = (
    "status",
    "agency_code",
    "promised_date",
    "statutory_due",
    "overdue",
    "due_soon",
    "marks",
    "handling_unit_code",
    "last_seq",
)


def _marks(row: dict[str, Any]) -> dict[str, str]:
    return dict(m.split(":", 1) for m in row["marks"].split())


def _set_marks(row: dict[str, Any], marks: dict[str, str]) -> None:
    row["marks"] = " ".join(f"{k}:{v}" for k, v in sorted(marks.items()))
    row["overdue"] = "overdue" in marks.values()
    row["due_soon"] = "due_soon" in marks.values()


def _deadlines(row: dict[str, Any], promised: Any, statutory_due: Any) -> None:
    """A deadline that moves loses its marks (the domain's deadline version rule)."""
    marks = _marks(row)
    if promised != row["promised_date"]:
        marks.pop(DeadlineKind.PROMISED.value, None)
    if statutory_due != row["statutory_due"]:
        marks.pop(DeadlineKind.STATUTORY.value, None)
    row.update(promised_date=promised, statutory_due=statutory_due)
    _set_marks(row, marks)


def _stopped(row: dict[str, Any], status: Status) -> None:
    row["status"] = status.value
    _set_marks(row, {})


def opened_case(pid: str, event: PetitionReceived, occurred_at: datetime, seq: int) -> dict[str, Any]:
    return {
        "petition_id": pid,
        "code": event.code,
        "province_code": event.province_code,
        "status": Status.RECEIVED.value,
        "agency_code": None,
        "promised_date": None,
        "received_at": occurred_at,
        "last_seq": seq,
        "legal_type": event.legal_type.value,
        "statutory_due": None,
        "overdue": False,
        "due_soon": False,
        "handling_unit_code": None,
        "marks": "",
    }


def evolve_case(row: dict[str, Any], event: DomainEvent) -> dict[str, Any]:
    """The case row after `event` (a new dict; the input is not changed)."""
    row = dict(row)
    match event:
        case PetitionAssigned():
            row.update(status=Status.ASSIGNED.value, agency_code=event.agency_code)
            statutory = event.statutory.due if event.statutory else row["statutory_due"]
            _deadlines(row, event.promised_date, statutory)
        case PetitionAccepted():
            _deadlines(row, row["promised_date"], event.statutory.due)
        case PetitionDeadlineExtended():
            if event.which is DeadlineKind.PROMISED:
                _deadlines(row, event.new_due, row["statutory_due"])
            elif event.statutory is not None:
                _deadlines(row, row["promised_date"], event.statutory.due)
        case PetitionReassigned():
            row["agency_code"] = event.agency_code
            _deadlines(row, event.promised_date, row["statutory_due"])
        case PetitionEscalated():
            row.update(status=Status.ESCALATED.value, agency_code=None, handling_unit_code=event.to_unit_code)
            _deadlines(row, None, None)
        case PetitionAnswered():
            _stopped(row, Status.ANSWERED)
        case PetitionReopened():
            row["status"] = (Status.ASSIGNED if row["agency_code"] else Status.RECEIVED).value
            _deadlines(row, event.promised_date, None)
        case PetitionClosed():
            _stopped(row, Status.CLOSED)
        case PetitionWithdrawn():
            _stopped(row, Status.WITHDRAWN)
        case PetitionMergedInto():
            _stopped(row, Status.MERGED)
        case PetitionBecameDueSoon():
            marks = _marks(row)
            marks.setdefault(event.which.value, "due_soon")
            _set_marks(row, marks)
        case PetitionBecameOverdue():
            _set_marks(row, {**_marks(row), event.which.value: "overdue"})
    return row


class CaseInbox:
    """Folds a batch in memory, then writes it with executemany (one INSERT, one UPDATE)."""

    event_types = frozenset(
        m.type_name()
        for m in (
            PetitionReceived,
            PetitionAssigned,
            PetitionAccepted,
            PetitionDeadlineExtended,
            PetitionReassigned,
            PetitionEscalated,
            PetitionAnswered,
            PetitionReopened,
            PetitionClosed,
            PetitionWithdrawn,
            PetitionMergedInto,
            PetitionBecameDueSoon,
            PetitionBecameOverdue,
        )
    )

    async def apply(self, session: AsyncSession, events: Sequence[RecordedEvent]) -> None:
        ids = {r.envelope.meta.aggregate_id for r in events}
        known = {
            row.petition_id: dict(row._mapping)
            for row in await session.execute(select(cases).where(cases.c.petition_id.in_(ids)))
        }
        new: dict[str, dict[str, Any]] = {}
        changed: dict[str, dict[str, Any]] = {}
        for recorded in events:
            env = recorded.envelope
            if not isinstance(env, Envelope):
                continue
            pid = env.meta.aggregate_id
            row = new.get(pid) or changed.get(pid) or known.get(pid)
            if row is not None and recorded.stream_seq <= row["last_seq"]:
                continue  # already applied (per-aggregate guard)
            event = env.event
            if isinstance(event, PetitionReceived):
                if row is None:
                    new[pid] = opened_case(pid, event, env.meta.occurred_at, recorded.stream_seq)
                continue
            if row is None:
                continue  # an event of a petition whose receipt this inbox never saw
            row = evolve_case(row, event)
            row["last_seq"] = recorded.stream_seq
            if pid in new:
                new[pid] = row
            else:
                changed[pid] = row
        if new:
            await session.execute(insert(cases), list(new.values()))
        if changed:
            await session.execute(
                update(cases)
                .where(cases.c.petition_id == bindparam("pid"))
                .values({name: bindparam(f"b_{name}") for name in _UPDATED}),
                [{"pid": r["petition_id"], **{f"b_{n}": r[n] for n in _UPDATED}} for r in changed.values()],
            )


async def list_cases(
    session: AsyncSession, *, agency_code: str | None, status: str | None, overdue: bool | None, limit: int
) -> list[dict[str, Any]]:
    """By promised date (none last), then statutory date, then the oldest receipt."""
    query = select(cases).order_by(
        cases.c.promised_date.is_(None), cases.c.promised_date, cases.c.statutory_due, cases.c.received_at
    )
    if agency_code:
        query = query.where(cases.c.agency_code == agency_code)
    if status:
        query = query.where(cases.c.status == status)
    if overdue is not None:
        query = query.where(cases.c.overdue.is_(overdue))
    rows = [dict(r._mapping) for r in await session.execute(query.limit(limit))]
    for row in rows:
        row.pop("last_seq", None)
        row["marks"] = _marks(row)
        # SQLite keeps no offset; every time written is UTC.
        if row["received_at"].tzinfo is None:
            row["received_at"] = row["received_at"].replace(tzinfo=UTC)
    return rows
