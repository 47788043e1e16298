"""Quarantine and void on a real nats-server: the event store refuses to fold an aggregate
holding a message no reader may apply, until an operator voids it with an audited marker in
the log; consumers skip a voided message instead of parking it, and re-drive an aggregate
parked by one; `langnghe void` writes the same marker."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from nats.aio.client import Client as NatsClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.integration.test_consumer_runner import (
    RecordingHandler,
    append,
    applied,
    fetch,
    make_spec,
)
from tests.integration.test_consumer_runner import (
    engine as engine,
)

from langnghe.contracts.subjects import PETITIONS_STREAM, petition_subject, voided_subject
from langnghe.runtime import checkpoints as ck
from langnghe.runtime.consumer import ConsumerRunner
from langnghe.runtime.database import session_factory
from langnghe.runtime.eventstore import AggregateQuarantined, JetStreamEventStore, VoidMarker, VoidRefused
from langnghe.tools import cli


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
async def store(nc: NatsClient) -> AsyncIterator[JetStreamEventStore]:
    yield JetStreamEventStore(nc)


async def poison(nc: NatsClient, subject: str, data: bytes = b"{not json") -> int:
    return int((await nc.jetstream().publish(subject, data)).seq)


async def test_a_poison_message_quarantines_the_aggregate_until_voided(
    nc: NatsClient, store: JetStreamEventStore, province: str
) -> None:
    subject = petition_subject(province, "p1")
    await append(store, province, "p1", 1)
    bad = await poison(nc, subject)

    with pytest.raises(AggregateQuarantined) as refused:
        await store.load(subject)
    assert [(m.stream, m.seq, m.subject) for m in refused.value.messages] == [
        (PETITIONS_STREAM, bad, subject)
    ]
    assert "not an event envelope" in refused.value.messages[0].reason
    assert [m.seq for m in store.quarantined()] == [bad]

    marker, written = await store.void(bad, reason="thử nghiệm", actor="ops-an")
    assert written and (marker.seq, marker.subject, marker.actor) == (bad, subject, "ops-an")
    loaded = await store.load(subject)
    assert len(loaded.events) == 1 and loaded.last_seq == bad  # the concurrency check counts it
    assert store.quarantined() == []
    await append(store, province, "p1", 2)  # appends after the voided message
    assert len((await store.load(subject)).events) == 2

    # The marker is in the log, beside the message it voids (which is still there).
    raw = await nc.jetstream().get_last_msg(PETITIONS_STREAM, voided_subject(bad), direct=True)
    assert VoidMarker.decode(raw.data or b"") == marker
    assert (await nc.jetstream().get_msg(PETITIONS_STREAM, seq=bad, direct=True)).data == b"{not json"

    again, written = await store.void(bad, reason="lần hai", actor="ops-binh")
    assert (again, written) == (marker, False)


async def test_void_refuses_a_valid_event_a_missing_message_and_another_stream(
    nc: NatsClient, store: JetStreamEventStore, province: str
) -> None:
    await append(store, province, "ok", 1)
    valid = (await store.load(petition_subject(province, "ok"))).last_seq
    codes = []
    for seq, stream in ((valid, PETITIONS_STREAM), (10**9, PETITIONS_STREAM), (valid, "PETITION_TIMERS")):
        with pytest.raises(VoidRefused) as refused:
            if stream == PETITIONS_STREAM:
                await store.void(seq, reason="thử nghiệm", actor="ops-an")
            else:
                from langnghe.runtime.eventstore.voids import void_message

                await void_message(nc.jetstream(), stream=stream, seq=seq, reason="thử", actor="ops")
        codes.append((refused.value.code, refused.value.status))
    assert codes == [
        ("ops.message_not_quarantined", 409),
        ("ops.message_not_found", 404),
        ("ops.unknown_stream", 422),
    ]


async def test_a_wrong_aggregate_id_is_quarantined(
    nc: NatsClient, store: JetStreamEventStore, province: str
) -> None:
    await append(store, province, "mine", 1)
    loaded = await store.load(petition_subject(province, "mine"))
    body = json.loads(loaded.events[0].envelope.meta.model_dump_json())
    body.update(aggregate_id="theirs", type="petition.withdrawn", data={"reason": "giả mạo"})
    await poison(nc, petition_subject(province, "mine"), json.dumps(body).encode())
    with pytest.raises(AggregateQuarantined) as refused:
        await store.load(petition_subject(province, "mine"))
    assert "is not the subject's" in refused.value.messages[0].reason


async def test_consumers_skip_a_voided_message_and_redrive_what_it_parked(
    nc: NatsClient, store: JetStreamEventStore, province: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await append(store, province, "a", 1)
    first = await poison(nc, petition_subject(province, "a"))
    await append(store, province, "a", 2)
    spec = await make_spec(nc, province)
    runner = ConsumerRunner(spec, RecordingHandler(), sessions, voids=store)
    await runner.handle_batch(await fetch(nc, spec))
    assert [agg for _, agg in await applied(sessions)] == ["a"]  # parked from the poison on
    assert (await runner.redrive("a"))["status"] == "still_failing"

    await store.void(first, reason="thử nghiệm", actor="ops-an")
    assert await runner.redrive("a") == {"aggregate_id": "a", "status": "redriven", "applied": 1}
    assert [agg for _, agg in await applied(sessions)] == ["a", "a"]

    # Voided before a consumer meets it: skipped, never parked.
    second = await poison(nc, petition_subject(province, "b"))
    await store.void(second, reason="thử nghiệm", actor="ops-an")
    await append(store, province, "b", 1)
    await runner.handle_batch(await fetch(nc, spec))
    assert [agg for _, agg in await applied(sessions)] == ["a", "a", "b"]
    async with sessions() as s:
        assert await ck.list_parked(s, spec.durable) == []
        assert await ck.read_checkpoint(s, spec.durable) > second


async def test_the_void_command_writes_the_same_marker(
    nc: NatsClient,
    provisioned: str,
    store: JetStreamEventStore,
    province: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    subject = petition_subject(province, "cli")
    await append(store, province, "cli", 1)
    bad = await poison(nc, subject, b"\xff\xfe")
    argv = ["void", PETITIONS_STREAM, str(bad), "--reason", "nhập thử", "--actor", "ops-an"]
    argv += ["--nats-url", provisioned, "--no-redrive"]
    assert await asyncio.to_thread(cli.main, argv) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["seq"], printed["actor"], printed["written"]) == (bad, "ops-an", True)
    assert len((await store.load(subject)).events) == 1
    assert (await store.voided([bad]))[bad].reason == "nhập thử"

    refused = ["void", PETITIONS_STREAM, str(bad - 1), "--reason", "nhầm", "--nats-url", provisioned]
    assert await asyncio.to_thread(cli.main, [*refused, "--no-redrive"]) == 1
    assert "ops.message_not_quarantined" in capsys.readouterr().err
