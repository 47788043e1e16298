"""Ids of the aggregates intake creates over HTTP: conferences and supervision sessions.

The id carries the province (`conf-15-<32 hex>`), because the aggregate's subject does
(`conferences.events.<province>.<id>`) and a later command names the aggregate by id alone.
A petition code carries its province for the same reason. The rest is a UUIDv5 of the
creation request's Idempotency-Key, so a retried creation lands on the same aggregate.
"""

from __future__ import annotations

import re
import uuid
from typing import Final

CONFERENCE: Final = "conf"
SUPERVISION: Final = "supv"

_ID: Final = re.compile(r"^(conf|supv)-([0-9]{2})-[0-9a-f]{32}$")


def aggregate_id(prefix: str, province_code: str, creation_key: str) -> str:
    """The same key (and province) gives the same id; pass a fresh random key when the client
    sent no Idempotency-Key."""
    suffix = uuid.uuid5(uuid.NAMESPACE_URL, f"langnghe:{prefix}:{province_code}:{creation_key}").hex
    return f"{prefix}-{province_code}-{suffix}"


def province_of(prefix: str, value: str) -> str | None:
    """The province an id of this kind names, or None when `value` is not such an id."""
    match = _ID.fullmatch(value)
    if match is None or match.group(1) != prefix:
        return None
    return match.group(2)
