"""The oversight feed projector: turns internal events into feed messages on `OVERSIGHT`
(`langnghe.reporting.domain.oversight_feed` decides what each event becomes), one message per
event that has one, published once.

It runs on its own durable (`reporting-oversight-feed`, single writer) and keeps its state in
reporting's database, in the transaction that moves its checkpoint: the facts it remembers of
each petition (`oversight_petitions`) and the ids of the messages it published
(`oversight_published`). A batch is folded in stream order; each message whose id is not
recorded yet is published and its acknowledgement awaited before the next, so the feed keeps
the order of the events; the ids are then recorded and the runner commits. If the commit
fails after a publish, the batch is applied again with the same ids and JetStream's duplicate
window drops the copies; after a commit, the table does, however late the events come back.

Not a rebuildable projection: the feed is an effect (outside readers have read it), so
reporting's rebuild leaves it alone, and a reset of this consumer republishes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from langnghe.contracts.codec import UnknownEvent
from langnghe.contracts.events.petition import Channel, LegalType
from langnghe.contracts.oversight_feed import FeedMessage, encode, feed_subject, kind_of
from langnghe.contracts.subjects import province_of
from langnghe.reporting.adapters.oversight_publisher import FeedPublisher
from langnghe.reporting.adapters.oversight_tables import oversight_petitions, oversight_published
from langnghe.reporting.domain.oversight_feed import PetitionFacts, feed_message, remember
from langnghe.runtime.eventstore import RecordedEvent

_FACT_COLUMNS = ("code", "province_code", "commune_code", "legal_type", "channel", "field_code",
                 "agency_code", "answer_text")  # fmt: skip


class OversightFeedProjector:
    name = "reporting-oversight-feed"

    def __init__(self, publisher: FeedPublisher) -> None:
        self.publisher = publisher

    async def apply(self, session: AsyncSession, events: Sequence[RecordedEvent]) -> None:
        decoded = [(r, r.envelope) for r in events if not isinstance(r.envelope, UnknownEvent)]
        petition_ids = {env.meta.aggregate_id for _, env in decoded if env.meta.aggregate_type == "petition"}
        facts = await self._facts(session, petition_ids)
        changed: set[str] = set()
        outgoing: list[tuple[int, FeedMessage]] = []
        for recorded, env in decoded:
            meta, event = env.meta, env.event
            before: PetitionFacts | None = None
            if meta.aggregate_type == "petition":
                before, last_seq = facts.get(meta.aggregate_id, (None, 0))
                if recorded.stream_seq <= last_seq:
                    continue  # folded (and its message recorded) in an earlier transaction
                after = remember(before, event)
                if after is not None:
                    facts[meta.aggregate_id] = (after, recorded.stream_seq)
                    changed.add(meta.aggregate_id)
            message = feed_message(meta, event, province_of(recorded.subject), before)
            if message is not None:
                outgoing.append((recorded.stream_seq, message))
        if outgoing:
            await self._publish(session, outgoing)
        if changed:
            await self._store_facts(session, {pid: facts[pid] for pid in changed})

    async def _publish(self, session: AsyncSession, outgoing: list[tuple[int, FeedMessage]]) -> None:
        ids = [str(m.feed_id) for _, m in outgoing]
        done = set(
            (
                await session.execute(
                    select(oversight_published.c.feed_id).where(oversight_published.c.feed_id.in_(ids))
                )
            ).scalars()
        )
        rows = []
        now = datetime.now(UTC)
        for source_seq, message in outgoing:
            feed_id = str(message.feed_id)
            if feed_id in done:
                continue
            kind = kind_of(message)
            seq = await self.publisher.publish(
                feed_subject(message.province_code, kind), encode(message), feed_id=feed_id, kind=kind.value
            )
            done.add(feed_id)
            rows.append({"feed_id": feed_id, "source_seq": source_seq, "feed_seq": seq, "published_at": now})
        if rows:
            await session.execute(oversight_published.insert(), rows)

    @staticmethod
    async def _facts(session: AsyncSession, ids: set[str]) -> dict[str, tuple[PetitionFacts | None, int]]:
        if not ids:
            return {}
        t = oversight_petitions
        result = await session.execute(select(t).where(t.c.petition_id.in_(ids)))
        out: dict[str, tuple[PetitionFacts | None, int]] = {}
        for row in result.mappings():
            values = {c: row[c] for c in _FACT_COLUMNS}
            values["legal_type"] = LegalType(values["legal_type"])
            values["channel"] = Channel(values["channel"])
            out[row["petition_id"]] = (PetitionFacts(**values), int(row["last_seq"]))
        return out

    @staticmethod
    async def _store_facts(session: AsyncSession, facts: dict[str, tuple[PetitionFacts | None, int]]) -> None:
        rows = [
            {"petition_id": pid, "last_seq": seq, **{c: _plain(getattr(f, c)) for c in _FACT_COLUMNS}}
            for pid, (f, seq) in facts.items()
            if f is not None
        ]
        dialect = session.get_bind().dialect.name
        upsert = (pg_insert if dialect == "postgresql" else sqlite_insert)(oversight_petitions)
        await session.execute(
            upsert.on_conflict_do_update(
                index_elements=[oversight_petitions.c.petition_id],
                set_={c: upsert.excluded[c] for c in (*_FACT_COLUMNS, "last_seq")},
            ),
            rows,
        )


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)
