"""The case inbox projection: a case opens when a petition is received and follows it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from langnghe.contracts.codec import Envelope
from langnghe.contracts.events.petition import PetitionAnswered, PetitionAssigned, PetitionReceived
from langnghe.runtime.eventstore import RecordedEvent
from langnghe.tracking.adapters.tables import cases
from langnghe.tracking.domain.petition import Status


class CaseInbox:
    """Folds a batch in memory, then writes it with executemany (one INSERT, one UPDATE)."""

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
                if row is not None:
                    continue
                new[pid] = {
                    "petition_id": pid,
                    "code": event.code,
                    "province_code": event.province_code,
                    "status": Status.RECEIVED.value,
                    "agency_code": None,
                    "promised_date": None,
                    "received_at": env.meta.occurred_at,
                    "last_seq": recorded.stream_seq,
                }
                continue
            if row is None:
                continue  # an event of a petition whose receipt this inbox never saw
            row = dict(row, last_seq=recorded.stream_seq)
            if isinstance(event, PetitionAssigned):
                row.update(
                    status=Status.ASSIGNED.value,
                    agency_code=event.agency_code,
                    promised_date=event.promised_date,
                )
            elif isinstance(event, PetitionAnswered):
                row.update(status=Status.ANSWERED.value)
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
                .values(
                    status=bindparam("b_status"),
                    agency_code=bindparam("b_agency_code"),
                    promised_date=bindparam("b_promised_date"),
                    last_seq=bindparam("b_last_seq"),
                ),
                [
                    {
                        "pid": r["petition_id"],
                        "b_status": r["status"],
                        "b_agency_code": r["agency_code"],
                        "b_promised_date": r["promised_date"],
                        "b_last_seq": r["last_seq"],
                    }
                    for r in changed.values()
                ],
            )


async def list_cases(
    session: AsyncSession, *, agency_code: str | None, status: str | None, limit: int
) -> list[dict[str, Any]]:
    query = select(cases).order_by(
        cases.c.promised_date.is_(None), cases.c.promised_date, cases.c.received_at
    )
    if agency_code:
        query = query.where(cases.c.agency_code == agency_code)
    if status:
        query = query.where(cases.c.status == status)
    return [dict(r._mapping) for r in await session.execute(query.limit(limit))]
