"""Re-driving a parked aggregate: an operator's request, once the cause is fixed."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from langnghe.contracts.codec import EventRegistry
from langnghe.runtime import checkpoints as ck
from langnghe.runtime.consumer.incoming import EventHandler, VoidLookup
from langnghe.runtime.eventstore import decode_stored

log = structlog.get_logger("langnghe.consumer")


async def redrive(
    sessions: async_sessionmaker[AsyncSession],
    consumer: str,
    registry: EventRegistry,
    handler: EventHandler,
    aggregate_id: str,
    voids: VoidLookup | None = None,
) -> dict[str, Any]:
    """Re-apply a parked aggregate's events in order; unpark it if they all apply. Messages an
    operator voided since they were parked are skipped."""
    async with sessions.begin() as session:
        if not await ck.parked_among(session, consumer, [aggregate_id], lock=True):
            return {"aggregate_id": aggregate_id, "status": "not_parked", "applied": 0}
        rows = await ck.parked_messages_of(session, consumer, aggregate_id)
        try:
            voided = await voids.voided(r["stream_seq"] for r in rows) if voids is not None else {}
            async with session.begin_nested():
                events = [
                    decode_stored(registry, r["stream_seq"], r["subject"], r["payload"])
                    for r in rows
                    if r["stream_seq"] not in voided
                ]
                await handler.apply(session, events)
        except Exception as exc:  # noqa: BLE001 - report the failure, keep the aggregate parked
            error = f"{type(exc).__name__}: {exc}"
            await ck.record_redrive_failure(session, consumer, aggregate_id, error)
            log.error("redrive_failed", consumer=consumer, aggregate_id=aggregate_id, error=error)
            return {"aggregate_id": aggregate_id, "status": "still_failing", "error": error, "applied": 0}
        await ck.unpark(session, consumer, aggregate_id)
    log.info("aggregate_redriven", consumer=consumer, aggregate_id=aggregate_id, events=len(events))
    return {"aggregate_id": aggregate_id, "status": "redriven", "applied": len(events)}
