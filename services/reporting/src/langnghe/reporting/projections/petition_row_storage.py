"""A petition row as stored in a generation's table (`petition_tables`) and back: which columns
an insert or an update writes, and how a stored row is read as the fold's `PetitionRow`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, Final

from sqlalchemy.engine import RowMapping

from langnghe.reporting.adapters.petition_tables import generation_tables
from langnghe.reporting.domain.petition_row import PetitionRow

#: Set once by `petition.received`; everything else is rewritten on update.
_FIXED: Final = frozenset(
    {"petition_id", "code", "province_code", "commune_code", "channel", "legal_type", "field_code",
     "content", "received_on", "received_at"}
)  # fmt: skip
_UPDATABLE: Final = tuple(c.name for c in generation_tables(1).petitions.columns if c.name not in _FIXED)
_updatable: Final = itemgetter(*_UPDATABLE)
_DATETIMES: Final = ("received_at", "assigned_at", "answered_at", "last_event_at")


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def from_db(mapping: RowMapping | dict[str, Any], *, aware: bool = False) -> PetitionRow:
    """A stored row as the fold knows it. SQLite keeps no offset (every time written is UTC):
    `aware` puts it back, for readers; the fold only writes times back, never compares them."""
    row: dict[str, Any] = dict(mapping)
    if aware:
        for key in _DATETIMES:
            row[key] = _aware(row[key])
    channels = row["answer_published_channels"]
    row["answer_published_channels"] = tuple(channels.split(",")) if channels else ()
    return row  # type: ignore[return-value]


def insert_params(rows: dict[str, PetitionRow], known: dict[str, PetitionRow]) -> list[list[dict[str, Any]]]:
    """Parameters for INSERT executemany of the new rows, one list per set of columns that are
    not NULL. A new row is mostly empty (no agency, no answer yet): leaving its NULL columns
    out of the statement (no column has a default) halves what is bound and stored per row."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for pid, row in rows.items():
        if pid not in known:
            params: dict[str, Any] = {k: v for k, v in row.items() if v is not None}
            params["answer_published_channels"] = ",".join(row["answer_published_channels"])
            groups.setdefault(tuple(params), []).append(params)
    return list(groups.values())


def update_params(rows: dict[str, PetitionRow], known: dict[str, PetitionRow]) -> list[list[dict[str, Any]]]:
    """Parameters for UPDATE executemany, one list per set of changed columns. A batch's
    changes fall into a few shapes (assigned, answered, marked overdue...); writing only what
    changed keeps the statements narrow, which is most of the cost of a wide row."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for pid, row in rows.items():
        before = known.get(pid)
        if before is None:
            continue
        # The batch's copy shares every value it did not change with `before`: identity
        # settles most columns without an equality test.
        pairs = zip(_UPDATABLE, _updatable(row), _updatable(before), strict=True)
        columns = tuple([c for c, now, was in pairs if now is not was and now != was])
        params: dict[str, Any] = {c: row[c] for c in columns}  # type: ignore[literal-required]
        if "answer_published_channels" in params:
            params["answer_published_channels"] = ",".join(row["answer_published_channels"])
        params["b_petition_id"] = pid
        groups.setdefault(columns, []).append(params)
    return list(groups.values())
