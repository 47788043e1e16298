"""Identifiers people read: the petition code a citizen quotes over the phone, and the ids
that several services must derive alike without asking each other."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Final

_CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SHIFTS: Final = tuple(range(35, -1, -5))


def petition_code(province_code: str, petition_id: uuid.UUID, received: datetime | date) -> str:
    """Human-readable code, e.g. `KN-01-26-7F3KQX2A`: short enough to read over the phone,
    derived from the id so that any replica computes the same code without coordination."""
    n = petition_id.int & ((1 << 40) - 1)
    chars = "".join([_CROCKFORD[(n >> shift) & 31] for shift in _SHIFTS])
    # The year by arithmetic: strftime costs six times as much, on every submission.
    return f"KN-{province_code}-{received.year % 100:02d}-{chars}"


def recommendation_petition_id(session_id: str, recommendation_id: str) -> uuid.UUID:
    """The petition tracking opens for an MTTQ recommendation after supervision: the same id
    on every replay, so the reaction that opens it is idempotent."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"langnghe:supervision:{session_id}:{recommendation_id}")
