"""The vault (citizens' contacts and the submission records): the port handlers use, and its
SQL adapter."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import structlog
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from langnghe.intake.adapters.tables import citizen_contacts, submissions

log = structlog.get_logger("langnghe.intake.vault")


@dataclass(frozen=True)
class Submission:
    idempotency_key: str
    fingerprint: str
    petition_id: str
    province_code: str
    citizen_ref: str | None
    received_at: datetime
    code: str | None = None
    """The petition's human code (`KN-…`); unique among submissions."""
    #: The petition.received envelope to append, kept until the store has it.
    event_body: str | None = None
    #: The event's stream sequence once the store acknowledged it; None: not confirmed.
    settled_seq: int | None = None


class CodeTaken(Exception):
    """The submission's petition code is already another petition's: draw another id."""


@dataclass(frozen=True)
class CitizenContact:
    full_name: str | None
    phone: str | None
    email: str | None
    address: str | None


class Vault(Protocol):
    """What the submission handler needs from the vault (SqlVault in production)."""

    async def record_submission(self, submission: Submission, contact: CitizenContact | None) -> Submission:
        """Store the contact and the submission together; if the key is already taken (a
        retry), return the stored submission instead. Raises `CodeTaken` when the code is
        another submission's."""
        ...

    def mark_settled(self, key: str, seq: int) -> None:
        """Note, without waiting, that the submission's event is in the store at `seq`. A mark
        lost to a crash only leaves the row for the sweeper, which finds the event."""
        ...

    async def settle(self, marks: Sequence[tuple[str, int]]) -> None:
        """Record (key, stream sequence) marks now."""
        ...

    async def unsettled(self, received_before: datetime, limit: int) -> list[Submission]:
        """Submissions received before the time whose event is not confirmed, oldest first."""
        ...

    async def count_unsettled(self, received_before: datetime | None = None) -> int: ...


class SqlVault:
    """Writes submissions with group commit: requests that arrive while a transaction is
    being committed are written together in the next one (one fsync for all of them)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, max_batch: int = 500) -> None:
        self._sessions = sessions
        self._max_batch = max_batch
        self._pending: list[tuple[Submission, CitizenContact | None, asyncio.Future[Submission]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._marks: list[tuple[str, int]] = []
        self._marker: asyncio.Task[None] | None = None

    # -- settlement: is the submission's event in the store? ---------------------------------

    def mark_settled(self, key: str, seq: int) -> None:
        self._marks.append((key, seq))
        if self._marker is None or self._marker.done():
            self._marker = asyncio.create_task(self._write_marks())

    async def _write_marks(self) -> None:
        while self._marks:
            batch, self._marks = self._marks[: self._max_batch], self._marks[self._max_batch :]
            try:
                await self.settle(batch)
            except Exception as exc:  # noqa: BLE001 - the sweeper settles these rows later
                log.warning("settle_marks_lost", marks=len(batch), error=f"{type(exc).__name__}: {exc}")

    async def settle(self, marks: Sequence[tuple[str, int]]) -> None:
        if not marks:
            return
        statement = (
            update(submissions)
            .where(submissions.c.idempotency_key == bindparam("key"))
            .values(settled_seq=bindparam("seq"), event_body=None)
        )
        async with self._sessions.begin() as session:
            await session.execute(statement, [{"key": key, "seq": seq} for key, seq in marks])

    async def unsettled(self, received_before: datetime, limit: int) -> list[Submission]:
        query = (
            select(submissions)
            .where(submissions.c.settled_seq.is_(None), submissions.c.received_at < received_before)
            .order_by(submissions.c.received_at)
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return [_submission(dict(row._mapping)) for row in rows]

    async def count_unsettled(self, received_before: datetime | None = None) -> int:
        query = select(func.count()).select_from(submissions).where(submissions.c.settled_seq.is_(None))
        if received_before is not None:
            query = query.where(submissions.c.received_at < received_before)
        async with self._sessions() as session:
            return int((await session.execute(query)).scalar_one())

    # -- recording -------------------------------------------------------------------------

    async def find_submission(self, key: str) -> Submission | None:
        async with self._sessions() as session:
            row = (
                await session.execute(select(submissions).where(submissions.c.idempotency_key == key))
            ).first()
        if row is None:
            return None
        return _submission(dict(row._mapping))

    async def record_submission(self, submission: Submission, contact: CitizenContact | None) -> Submission:
        """Store the contact and the submission together; if the key is already taken (a
        retry), return the stored submission instead."""
        future: asyncio.Future[Submission] = asyncio.get_running_loop().create_future()
        self._pending.append((submission, contact, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
            try:
                try:
                    await self._write([(s, c) for s, c, _ in batch])
                    results: list[Submission | CodeTaken] = [s for s, _, _ in batch]
                except IntegrityError:  # a key or code seen before (or twice in this batch): one by one
                    results = [await self._one_of_batch(s, c) for s, c, _ in batch]
            except Exception as exc:  # noqa: BLE001 - every waiting request gets the failure
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, _, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, CodeTaken):
                    future.set_exception(result)
                else:
                    future.set_result(result)

    async def _write(self, items: list[tuple[Submission, CitizenContact | None]]) -> None:
        contacts = [
            {
                "citizen_ref": s.citizen_ref,
                "full_name": c.full_name,
                "phone": c.phone,
                "email": c.email,
                "address": c.address,
                "created_at": s.received_at,
            }
            for s, c in items
            if c is not None and s.citizen_ref
        ]
        async with self._sessions.begin() as session:
            if contacts:
                await session.execute(insert(citizen_contacts), contacts)
            await session.execute(insert(submissions), [s.__dict__ for s, _ in items])

    async def _one_of_batch(
        self, submission: Submission, contact: CitizenContact | None
    ) -> Submission | CodeTaken:
        """One submission of a batch that failed together: a taken code fails that one only."""
        try:
            return await self._write_one(submission, contact)
        except CodeTaken as exc:
            return exc

    async def _write_one(self, submission: Submission, contact: CitizenContact | None) -> Submission:
        try:
            await self._write([(submission, contact)])
        except IntegrityError:
            existing = await self.find_submission(submission.idempotency_key)
            if existing is not None:
                return existing
            if submission.code is not None and await self._code_taken(submission.code):
                raise CodeTaken(submission.code) from None
            raise
        return submission

    async def _code_taken(self, code: str) -> bool:
        async with self._sessions() as session:
            found = await session.execute(select(submissions.c.code).where(submissions.c.code == code))
            return found.first() is not None


def _submission(values: dict[str, object]) -> Submission:
    received_at = values["received_at"]
    assert isinstance(received_at, datetime)
    if received_at.tzinfo is None:  # SQLite keeps no zone; we only store UTC
        values["received_at"] = received_at.replace(tzinfo=UTC)
    return Submission(**values)  # type: ignore[arg-type]
