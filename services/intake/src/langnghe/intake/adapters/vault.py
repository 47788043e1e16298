"""SQL adapter for the vault and the submission records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

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


@dataclass(frozen=True)
class CitizenContact:
    full_name: str | None
    phone: str | None
    email: str | None
    address: str | None


class SqlVault:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

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
        """Store the contact and the submission together; if the key was taken meanwhile by
        a concurrent retry, return the stored one instead."""
        try:
            async with self._sessions.begin() as session:
                if contact is not None and submission.citizen_ref:
                    await session.execute(
                        insert(citizen_contacts).values(
                            citizen_ref=submission.citizen_ref,
                            full_name=contact.full_name,
                            phone=contact.phone,
                            email=contact.email,
                            address=contact.address,
                            created_at=submission.received_at,
                        )
                    )
                await session.execute(insert(submissions).values(**submission.__dict__))
        except IntegrityError:
            existing = await self.find_submission(submission.idempotency_key)
            if existing is None:
                raise
            return existing
        return submission
