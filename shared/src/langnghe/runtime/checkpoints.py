"""Checkpoint and parking rows, read and written inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from langnghe.runtime.tables import (
    consumer_checkpoints,
    delivery_attempts,
    parked_aggregates,
    parked_messages,
    processed_messages,
)


def _now() -> datetime:
    return datetime.now(UTC)


async def read_checkpoint(session: AsyncSession, consumer: str, *, lock: bool = False) -> int:
    query = select(consumer_checkpoints.c.stream_seq).where(consumer_checkpoints.c.consumer == consumer)
    if lock:
        query = query.with_for_update()
    value = (await session.execute(query)).scalar_one_or_none()
    return int(value or 0)


async def write_checkpoint(session: AsyncSession, consumer: str, stream_seq: int) -> None:
    result = await session.execute(
        update(consumer_checkpoints)
        .where(consumer_checkpoints.c.consumer == consumer)
        .values(stream_seq=stream_seq, updated_at=_now())
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        await session.execute(
            insert(consumer_checkpoints).values(consumer=consumer, stream_seq=stream_seq, updated_at=_now())
        )


async def already_processed(session: AsyncSession, consumer: str, seqs: Sequence[int]) -> set[int]:
    if not seqs:
        return set()
    rows = await session.execute(
        select(processed_messages.c.stream_seq).where(
            processed_messages.c.consumer == consumer, processed_messages.c.stream_seq.in_(seqs)
        )
    )
    return {int(r[0]) for r in rows}


async def mark_processed(session: AsyncSession, consumer: str, seqs: Iterable[int]) -> None:
    rows = [{"consumer": consumer, "stream_seq": s} for s in seqs]
    if rows:
        await session.execute(insert(processed_messages), rows)


async def parked_among(
    session: AsyncSession, consumer: str, aggregate_ids: Iterable[str], *, lock: bool = False
) -> set[str]:
    ids = sorted(set(aggregate_ids))
    if not ids:
        return set()
    query = select(parked_aggregates.c.aggregate_id).where(
        parked_aggregates.c.consumer == consumer, parked_aggregates.c.aggregate_id.in_(ids)
    )
    if lock:
        query = query.with_for_update()
    return {r[0] for r in await session.execute(query)}


async def park_aggregate(
    session: AsyncSession, consumer: str, aggregate_id: str, first_seq: int, reason: str
) -> None:
    await session.execute(
        insert(parked_aggregates).values(
            consumer=consumer, aggregate_id=aggregate_id, first_seq=first_seq, reason=reason, parked_at=_now()
        )
    )


async def park_messages(session: AsyncSession, consumer: str, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        now = _now()
        await session.execute(
            insert(parked_messages), [{"consumer": consumer, "parked_at": now, **r} for r in rows]
        )


async def list_parked(session: AsyncSession, consumer: str | None = None) -> list[dict[str, Any]]:
    counts = (
        select(
            parked_messages.c.consumer,
            parked_messages.c.aggregate_id,
            func.count().label("messages"),
            func.max(parked_messages.c.attempts).label("attempts"),
        )
        .group_by(parked_messages.c.consumer, parked_messages.c.aggregate_id)
        .subquery()
    )
    query = (
        select(parked_aggregates, counts.c.messages, counts.c.attempts)
        .join(
            counts,
            (counts.c.consumer == parked_aggregates.c.consumer)
            & (counts.c.aggregate_id == parked_aggregates.c.aggregate_id),
            isouter=True,
        )
        .order_by(parked_aggregates.c.parked_at)
    )
    if consumer:
        query = query.where(parked_aggregates.c.consumer == consumer)
    return [dict(r._mapping) for r in await session.execute(query)]


async def parked_messages_of(session: AsyncSession, consumer: str, aggregate_id: str) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(parked_messages)
        .where(parked_messages.c.consumer == consumer, parked_messages.c.aggregate_id == aggregate_id)
        .order_by(parked_messages.c.stream_seq)
    )
    return [dict(r._mapping) for r in rows]


async def unpark(session: AsyncSession, consumer: str, aggregate_id: str) -> None:
    await session.execute(
        delete(parked_messages).where(
            parked_messages.c.consumer == consumer, parked_messages.c.aggregate_id == aggregate_id
        )
    )
    await session.execute(
        delete(parked_aggregates).where(
            parked_aggregates.c.consumer == consumer, parked_aggregates.c.aggregate_id == aggregate_id
        )
    )


async def record_redrive_failure(session: AsyncSession, consumer: str, aggregate_id: str, error: str) -> None:
    await session.execute(
        update(parked_messages)
        .where(parked_messages.c.consumer == consumer, parked_messages.c.aggregate_id == aggregate_id)
        .values(attempts=parked_messages.c.attempts + 1, error=error)
    )


async def bump_attempt(session: AsyncSession, consumer: str, stream_seq: int) -> int:
    """Count one more attempt at applying the message; returns the new count."""
    key = (delivery_attempts.c.consumer == consumer) & (delivery_attempts.c.stream_seq == stream_seq)
    current = (await session.execute(select(delivery_attempts.c.attempts).where(key))).scalar_one_or_none()
    if current is None:
        await session.execute(
            insert(delivery_attempts).values(consumer=consumer, stream_seq=stream_seq, attempts=1)
        )
        return 1
    await session.execute(update(delivery_attempts).where(key).values(attempts=current + 1))
    return int(current) + 1


async def clear_attempts(session: AsyncSession, consumer: str) -> None:
    await session.execute(delete(delivery_attempts).where(delivery_attempts.c.consumer == consumer))


async def all_parked_messages(session: AsyncSession) -> list[dict[str, Any]]:
    """Every parked message of every consumer, oldest first (a small table: what failed)."""
    rows = await session.execute(
        select(parked_messages).order_by(parked_messages.c.stream_seq, parked_messages.c.consumer)
    )
    return [dict(r._mapping) for r in rows]
