"""The safety net under the deadline timers (docs/ARCHITECTURE.md, "Timers").

A schedule can be lost: the timers stream was recreated, a server was restored from an old
backup, the policy consumer was parked. Every run, the reconciler takes the open cases whose
promised or statutory date is near or past and carries out, for each, the marks whose day has
come, with the same command ids a fired timer uses. So a mark is recorded once whether the
timer, the reconciler or both get there, and every tracking replica may run it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Final

import structlog
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from langnghe.contracts.envelope import Actor
from langnghe.runtime.commands import execute
from langnghe.runtime.eventstore import AggregateQuarantined, EventStore
from langnghe.tracking.adapters.tables import cases
from langnghe.tracking.domain.petition import OPEN, fold, vietnam_date
from langnghe.tracking.domain.timers import due_now, mark_command, timer_command_id
from langnghe.tracking.handlers import deciding, load_petition, petition_target

log = structlog.get_logger()

RECONCILER_ACTOR: Final = Actor(kind="system", ref="tracking-reconciler")
#: Far enough ahead to cover the due-soon threshold (a few working days) across Tết.
HORIZON: Final = timedelta(days=21)
BATCH: Final = 500


async def candidates(session: AsyncSession, today: date, *, limit: int = BATCH) -> list[str]:
    horizon = today + HORIZON
    query = (
        select(cases.c.petition_id)
        .where(cases.c.status.in_([s.value for s in OPEN]))
        .where(
            or_(
                and_(
                    cases.c.overdue.is_(False),
                    or_(cases.c.promised_date <= horizon, cases.c.statutory_due <= horizon),
                ),
                # Overdue on the promised date says nothing of the statutory one.
                and_(cases.c.statutory_due <= horizon, ~cases.c.marks.contains("statutory:overdue")),
            )
        )
        .order_by(cases.c.promised_date)
        .limit(limit)
    )
    return [row[0] for row in await session.execute(query)]


async def reconcile(
    sessions: async_sessionmaker[AsyncSession],
    store: EventStore,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """One pass; returns how many marks it recorded (0 when the timers did their job)."""
    today = vietnam_date(now())
    async with sessions() as session:
        petition_ids = await candidates(session, today)
    recorded = 0
    for petition_id in petition_ids:
        try:
            state = await load_petition(store, petition_id)
        except AggregateQuarantined as exc:
            # Waits for an operator (/ops/quarantine); the other petitions go on.
            log.error("reconciler_skipped_quarantined", petition_id=petition_id, error=str(exc))
            continue
        for timer in due_now(state, today):
            outcome = await execute(
                store,
                petition_target(petition_id),
                fold,
                deciding(mark_command(timer)),
                command_id=timer_command_id(petition_id, timer.which, timer.kind, timer.deadline_version),
                actor=RECONCILER_ACTOR,
                correlation_id=f"reconcile:{today.isoformat()}",
                now=now,
            )
            recorded += len(outcome.events)
    if recorded:
        log.warning("reconciler_recorded_missed_marks", marks=recorded, checked=len(petition_ids))
    return recorded
