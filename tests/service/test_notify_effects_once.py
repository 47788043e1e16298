"""Effects happen once: notify's tables may be rebuilt, its checkpoint reset, its durable
recreated, and no answered notice is sent a second time (issue finding 5).

On a real nats-server: the duplicate delivery came from a replay (a fresh database starts at
checkpoint 0 and the durable is realigned to sequence 1), which only JetStream shows.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats

from langnghe.contracts.consumers import ALL_CONSUMERS, NOTIFY_CITIZEN
from langnghe.contracts.envelope import EventMeta, event_id_for
from langnghe.contracts.events.petition import Channel, PetitionAnswered, PetitionReceived
from langnghe.contracts.subjects import petition_subject
from langnghe.notify.adapters.ledger import DeliveryKey, DeliveryState, JetStreamDeliveryLedger
from langnghe.notify.app import create_app
from langnghe.notify.settings import NotifySettings
from langnghe.runtime.eventstore import JetStreamEventStore, NewEvent
from langnghe.runtime.provisioning import provision

from .harness import eventually, running


async def _answered_petitions(url: str, citizens: list[str | None]) -> list[str]:
    """One petition per citizen (None: anonymous), received then answered; their ids."""
    nc = await nats.connect(url)
    store = JetStreamEventStore(nc)
    province = "t" + uuid.uuid4().hex[:8]
    ids = []
    try:
        for n, citizen in enumerate(citizens):
            pid = f"p{uuid.uuid4().hex[:12]}"
            ids.append(pid)
            events = [
                PetitionReceived(
                    code=f"KN-{pid}",
                    province_code="01",
                    channel=Channel.ONLINE,
                    content=f"kiến nghị số {n}",
                    citizen_ref=citizen,
                ),
                PetitionAnswered(answer_text="Đã sửa đường.", answering_agency_code="SXD-01"),
            ]
            subject = petition_subject(province, pid)
            last = 0
            for i, event in enumerate(events):
                meta = EventMeta(
                    event_id=event_id_for(f"test:{pid}:{i}"),
                    aggregate_type="petition",
                    aggregate_id=pid,
                    occurred_at=datetime(2026, 3, 1, 8, i, tzinfo=UTC),
                    schema_version=1,
                    correlation_id="test",
                )
                last = (await store.append(subject, [NewEvent(meta, event)], expected_last_seq=last)).last_seq
    finally:
        await nc.close()
    return ids


async def _notices(client, ids: list[str]) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    out = []
    for pid in ids:
        out.extend((await client.get("/v1/notices", params={"petition_id": pid})).json())
    return sorted(out, key=lambda n: n["notice_id"])


def _dev_deliveries(db: Path, ids: list[str]) -> int:
    """Rows the development channel wrote for these petitions (its table is its outbox)."""
    with sqlite3.connect(db) as conn:
        marks = ",".join("?" * len(ids))
        (count,) = conn.execute(
            f"SELECT count(*) FROM dev_channel_messages d JOIN notices n ON n.notice_id = d.notice_id "
            f"WHERE n.petition_id IN ({marks})",
            ids,
        ).fetchone()
    return int(count)


def _dev_rows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM dev_channel_messages").fetchone()[0])


async def _run_until_notified(url: str, db: Path, ids: list[str]) -> list[dict[str, Any]]:
    async with running(create_app, NotifySettings, url, db) as client:
        notices: list[dict[str, Any]] = await eventually(lambda: _wanted(client, ids), timeout=15)
    return notices


async def _wanted(client, ids: list[str]) -> list[dict[str, Any]] | None:  # type: ignore[no-untyped-def]
    notices = await _notices(client, ids)
    return notices if len(notices) == len(ids) else None


async def test_a_rebuilt_notify_sends_no_notice_again(module_nats: str, tmp_path: Path) -> None:
    ids = await _answered_petitions(module_nats, ["cz-a", "cz-b", None])
    first = await _run_until_notified(module_nats, tmp_path / "first.db", ids)
    assert sorted(n["status"] for n in first) == ["delivered", "delivered", "not_deliverable_anonymous"]
    assert _dev_deliveries(tmp_path / "first.db", ids) == 2

    # Rebuild: a fresh database (checkpoint 0), so the durable is realigned to sequence 1
    # and every answer is replayed. The read model comes back the same...
    rebuilt = await _run_until_notified(module_nats, tmp_path / "rebuilt.db", ids)
    assert rebuilt == first
    # ...and nothing is delivered a second time.
    assert _dev_rows(tmp_path / "rebuilt.db") == 0


async def test_checkpoint_reset_and_new_durable_send_nothing_again(module_nats: str, tmp_path: Path) -> None:
    ids = await _answered_petitions(module_nats, ["cz-c", "cz-d"])
    db = tmp_path / "notify.db"
    first = await _run_until_notified(module_nats, db, ids)
    delivered_before = _dev_rows(db)

    # The projection's tables emptied and its checkpoint reset to 0 (what a rebuild of the
    # notices does), and the durable consumer deleted and provisioned anew.
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM notices")
        conn.execute("DELETE FROM petition_recipients")
        conn.execute("UPDATE consumer_checkpoints SET stream_seq = 0")
    nc = await nats.connect(module_nats)
    await nc.jetstream().delete_consumer(NOTIFY_CITIZEN.stream, NOTIFY_CITIZEN.durable)
    assert (await provision(nc.jetstream(), ALL_CONSUMERS)).ok
    await nc.close()

    again = await _run_until_notified(module_nats, db, ids)
    assert again == first
    assert _dev_rows(db) == delivered_before


async def test_the_ledger_claims_a_key_once(module_nats: str) -> None:
    nc = await nats.connect(module_nats)
    try:
        ledger = JetStreamDeliveryLedger(nc.jetstream)
        key = DeliveryKey(str(uuid.uuid4()), "cz-e", "dev")
        claims = await asyncio.gather(*(ledger.claim(key) for _ in range(5)))
        assert [c.state for c in claims].count(DeliveryState.NEW) == 1  # one writer wins
        assert {c.seq for c in claims} == {claims[0].seq}
        # A claim the channel never answered (a crash) stays `sending`: delivered again.
        assert (await ledger.claim(key)).state is DeliveryState.SENDING
        await ledger.mark_sent(key, claims[0])
        await ledger.mark_sent(key, claims[0])  # a retried mark finds it done
        assert (await ledger.claim(key)).state is DeliveryState.SENT
    finally:
        await nc.close()


@dataclass
class FlakyChannel:
    """Fails its first call for `fail_key` after the ledger's claim, as a process dying there would."""

    fail_key: str
    name: str = "flaky"
    keys: list[str] = field(default_factory=list)
    delivered: dict[str, str] = field(default_factory=dict)

    async def deliver(self, session, notice_id, recipient_ref, body, at, *, idempotency_key):  # type: ignore[no-untyped-def]
        self.keys.append(idempotency_key)
        if idempotency_key == self.fail_key and self.keys.count(idempotency_key) == 1:
            raise ConnectionError("channel gone")
        self.delivered.setdefault(idempotency_key, recipient_ref)  # the gateway dedups by key


async def test_a_claim_left_sending_is_retried_with_the_same_key(module_nats: str, tmp_path: Path) -> None:
    ids = await _answered_petitions(module_nats, ["cz-f"])
    key = DeliveryKey(str(event_id_for(f"test:{ids[0]}:1")), "cz-f", "flaky").digest
    channel = FlakyChannel(fail_key=key)
    async with running(create_app, NotifySettings, module_nats, tmp_path / "n.db", channel=channel) as client:
        await eventually(lambda: _wanted(client, ids), timeout=15)
    # Earlier tests' answers go out on this new channel too (another channel, another key);
    # this one failed after its claim, then was handed over again with the same key, once.
    assert channel.keys.count(key) == 2
    assert channel.delivered[key] == "cz-f"
