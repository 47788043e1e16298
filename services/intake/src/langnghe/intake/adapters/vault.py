"""The vault (citizens' contacts and the submission records): the port handlers use, and its
SQL adapter."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from langnghe.intake.adapters.tables import citizen_contacts, submissions


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


class SqlVault:
    """Writes submissions with group commit: requests that arrive while a transaction is
    being committed are written together in the next one (one fsync for all of them)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, max_batch: int = 500) -> None:
        self._sessions = sessions
        self._max_batch = max_batch
        self._pending: list[tuple[Submission, CitizenContact | None, asyncio.Future[Submission]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def find_submission(self, key: str) -> Submission | None:
        async with self._sessions() as session:
            row = (
                await session.execute(select(submissions).where(submissions.c.idempotency_key == key))
            ).first()
        if row is None:
            return None
        values = dict(row._mapping)
        if values["received_at"].tzinfo is None:  # SQLite keeps no zone; we only store UTC
            values["received_at"] = values["received_at"].replace(tzinfo=UTC)
        return Submission(**values)

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
