"""Provisioning on a nats-server of its own: idempotent, the event store's settings, advisories
kept, drift reported by a dry run and fixed by a real one, immutable conflicts reported and
never resolved by recreating a stream."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import nats.errors
import nats.js.errors
import pytest
from nats.aio.client import Client as NatsClient
from nats.js.api import AckPolicy, ConsumerConfig, DiscardPolicy, RetentionPolicy, StorageType, StreamConfig

from langnghe.contracts.consumers import ALL_CONSUMERS, TRACKING_CASES
from langnghe.contracts.subjects import ADVISORIES_STREAM, PETITIONS_STREAM, TIMERS_STREAM
from langnghe.runtime.provisioning import (
    ProvisionReport,
    consumer_config,
    provision,
    stream_configs,
)
from langnghe.tools import nats_server

EVERYTHING = [f"stream {c.name}" for c in stream_configs()] + [
    f"consumer {s.stream}/{s.durable}" for s in ALL_CONSUMERS
]


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[nats_server.NatsServer]:
    store = tmp_path_factory.mktemp("nats-provisioning")
    server = nats_server.start(store, log_file=store / "nats.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def first_report(own_server: nats_server.NatsServer) -> ProvisionReport:
    """The first provisioning of the fresh server, before any test touches it."""
    client = await nats.connect(own_server.url)
    try:
        return await provision(client.jetstream(), ALL_CONSUMERS)
    finally:
        await client.close()


@pytest.fixture
async def own_nc(
    own_server: nats_server.NatsServer, first_report: ProvisionReport
) -> AsyncIterator[NatsClient]:
    client = await nats.connect(own_server.url)
    yield client
    await client.close()


def wanted(name: str) -> StreamConfig:
    return next(c for c in stream_configs() if c.name == name)


# -- idempotence and settings ------------------------------------------------------------------


async def test_provisioning_twice_creates_everything_once_then_changes_nothing(
    first_report: ProvisionReport, own_nc: NatsClient
) -> None:
    assert first_report.created == EVERYTHING
    assert (first_report.updated, first_report.unchanged, first_report.drift, first_report.errors) == (
        [],
        [],
        {},
        {},
    )

    for dry_run in (False, True):
        again = await provision(own_nc.jetstream(), ALL_CONSUMERS, dry_run=dry_run)

        assert again.unchanged == EVERYTHING
        assert (again.created, again.updated, again.drift, again.errors) == ([], [], {}, {})
        assert again.ok


async def test_event_store_stream_is_immutable_unlimited_and_without_schedules(own_nc: NatsClient) -> None:
    cfg = (await own_nc.jetstream().stream_info(PETITIONS_STREAM)).config

    assert (cfg.deny_delete, cfg.deny_purge) == (True, True)
    assert (cfg.allow_direct, cfg.allow_atomic) == (True, True)
    assert cfg.discard == DiscardPolicy.NEW
    assert cfg.retention == RetentionPolicy.LIMITS
    assert cfg.storage == StorageType.FILE
    assert not cfg.max_age  # 0: no age limit
    assert cfg.max_msgs in (None, -1)
    assert cfg.max_msgs_per_subject == -1
    assert not cfg.allow_msg_schedules
    assert not cfg.allow_msg_ttl
    assert not cfg.allow_rollup_hdrs
    assert sorted(cfg.subjects or []) == [
        "conferences.events.>",
        "conferences.plans.>",
        "eventstore.voided.>",
        "petitions.events.>",
        "supervisions.events.>",
    ]


async def test_timer_stream_allows_message_schedules(own_nc: NatsClient) -> None:
    cfg = (await own_nc.jetstream().stream_info(TIMERS_STREAM)).config

    assert cfg.allow_msg_schedules is True
    assert cfg.allow_msg_ttl is True
    assert sorted(cfg.subjects or []) == ["petitions.timers-fired.>", "petitions.timers.>"]


async def test_advisory_stream_captures_max_deliveries_and_terminated_advisories(own_nc: NatsClient) -> None:
    js = own_nc.jetstream()
    durable = "adv-probe-" + uuid.uuid4().hex[:8]
    subject = f"petitions.events.t{uuid.uuid4().hex[:10]}.p1"
    await js.publish(subject, b"{}")
    await js.publish(subject, b"{}")
    sub = await js.pull_subscribe(
        subject,
        durable=durable,
        config=ConsumerConfig(max_deliver=1, ack_policy=AckPolicy.EXPLICIT, ack_wait=30),
    )
    try:
        first, second = await sub.fetch(2, timeout=10)
        await first.nak()  # its one delivery is used up: MAX_DELIVERIES
        await second.term()  # MSG_TERMINATED
        with pytest.raises(nats.errors.TimeoutError):
            await sub.fetch(1, timeout=0.5)  # nothing is redelivered past max_deliver

        advisories = await js.pull_subscribe(
            f"$JS.EVENT.ADVISORY.CONSUMER.*.{PETITIONS_STREAM}.{durable}", stream=ADVISORIES_STREAM
        )
        kinds: dict[str, dict[str, object]] = {}
        while len(kinds) < 2:
            for msg in await advisories.fetch(1, timeout=10):
                kinds[msg.subject.split(".")[4]] = json.loads(msg.data)
                await msg.ack()
        await advisories.unsubscribe()
    finally:
        await js.delete_consumer(PETITIONS_STREAM, durable)

    assert kinds["MAX_DELIVERIES"]["stream_seq"] == first.metadata.sequence.stream
    assert kinds["MSG_TERMINATED"]["stream_seq"] == second.metadata.sequence.stream
    assert {k: v["consumer"] for k, v in kinds.items()} == {
        "MAX_DELIVERIES": durable,
        "MSG_TERMINATED": durable,
    }


async def test_deleting_or_purging_events_is_refused(own_nc: NatsClient) -> None:
    js = own_nc.jetstream()
    subject = f"petitions.events.t{uuid.uuid4().hex[:10]}.p1"
    ack = await js.publish(subject, b"{}")

    with pytest.raises(nats.js.errors.APIError):
        await js.delete_msg(PETITIONS_STREAM, ack.seq)
    with pytest.raises(nats.js.errors.APIError):
        await js.purge_stream(PETITIONS_STREAM, subject=subject)
    with pytest.raises(nats.js.errors.APIError):
        await js.purge_stream(PETITIONS_STREAM)

    assert (await js.get_msg(PETITIONS_STREAM, ack.seq)).subject == subject
    assert (await js.stream_info(PETITIONS_STREAM)).state.messages >= 1


# -- drift -------------------------------------------------------------------------------------


async def test_dry_run_reports_consumer_drift_without_changing_it_and_provision_fixes_it(
    own_nc: NatsClient,
) -> None:
    js = own_nc.jetstream()
    spec = TRACKING_CASES
    key = f"consumer {spec.stream}/{spec.durable}"
    tampered = spec.max_deliver + 3
    await js.add_consumer(spec.stream, consumer_config(spec).evolve(max_deliver=tampered))

    dry = await provision(js, ALL_CONSUMERS, dry_run=True)

    assert dry.drift == {key: {"max_deliver": (tampered, spec.max_deliver)}}
    assert (dry.created, dry.updated, dry.errors) == ([], [], {})
    assert key not in dry.unchanged
    assert (await js.consumer_info(spec.stream, spec.durable)).config.max_deliver == tampered

    fixed = await provision(js, ALL_CONSUMERS)

    assert fixed.updated == [key]
    assert fixed.drift == {key: {"max_deliver": (tampered, spec.max_deliver)}}
    assert fixed.errors == {}
    assert (await js.consumer_info(spec.stream, spec.durable)).config.max_deliver == spec.max_deliver
    assert (await provision(js, ALL_CONSUMERS)).unchanged == EVERYTHING


async def test_age_or_count_limit_added_to_the_event_store_is_reported_and_removed(
    own_nc: NatsClient,
) -> None:
    js = own_nc.jetstream()
    key = f"stream {PETITIONS_STREAM}"
    await js.update_stream(wanted(PETITIONS_STREAM).evolve(max_age=3600.0, max_msgs=1_000_000))

    dry = await provision(js, ALL_CONSUMERS, dry_run=True)

    assert dry.drift == {key: {"max_age": (3600.0, None), "max_msgs": (1_000_000, -1)}}
    assert dry.updated == []
    assert (await js.stream_info(PETITIONS_STREAM)).config.max_age == 3600.0

    fixed = await provision(js, ALL_CONSUMERS)

    assert (fixed.updated, fixed.errors) == ([key], {})
    cfg = (await js.stream_info(PETITIONS_STREAM)).config
    assert (cfg.max_age, cfg.max_msgs) == (0.0, -1)
    assert (await provision(js, ALL_CONSUMERS)).unchanged == EVERYTHING


async def test_an_event_store_without_the_void_markers_subject_is_reported_and_updated(
    own_nc: NatsClient,
) -> None:
    js = own_nc.jetstream()
    key = f"stream {PETITIONS_STREAM}"
    old = [s for s in wanted(PETITIONS_STREAM).subjects or [] if not s.startswith("eventstore.voided")]
    await js.update_stream(wanted(PETITIONS_STREAM).evolve(subjects=old))

    dry = await provision(js, ALL_CONSUMERS, dry_run=True)

    assert list(dry.drift) == [key] and set(dry.drift[key]) == {"subjects"}
    fixed = await provision(js, ALL_CONSUMERS)
    assert (fixed.updated, fixed.errors) == ([key], {})
    assert "eventstore.voided.>" in ((await js.stream_info(PETITIONS_STREAM)).config.subjects or [])
    assert (await provision(js, ALL_CONSUMERS)).unchanged == EVERYTHING


async def test_settings_the_server_cannot_edit_are_reported_as_errors_and_streams_are_kept(
    tmp_path: Path,
) -> None:
    server = nats_server.start(tmp_path / "nats", log_file=tmp_path / "nats.log")
    client = await nats.connect(server.url)
    try:
        js = client.jetstream()
        # Tampered before provisioning: schedules on the event store (they cannot be turned
        # off again) and the advisories in memory (storage cannot be changed).
        await js.add_stream(
            wanted(PETITIONS_STREAM).evolve(
                allow_msg_schedules=True, discard=DiscardPolicy.OLD, deny_purge=False, allow_rollup_hdrs=True
            )
        )
        await js.add_stream(wanted(ADVISORIES_STREAM).evolve(storage=StorageType.MEMORY))
        event = await js.publish("petitions.events.t1.p1", b"{}")
        advisory = await js.publish("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.X.Y", b"{}")
        created = {
            name: (await js.stream_info(name)).created for name in (PETITIONS_STREAM, ADVISORIES_STREAM)
        }

        report = await provision(js, ALL_CONSUMERS)

        assert not report.ok
        assert set(report.errors) == {f"stream {PETITIONS_STREAM}", f"stream {ADVISORIES_STREAM}"}
        assert "schedules" in report.errors[f"stream {PETITIONS_STREAM}"]
        assert "storage" in report.errors[f"stream {ADVISORIES_STREAM}"]
        assert report.drift[f"stream {ADVISORIES_STREAM}"] == {"storage": ("memory", "file")}
        assert report.drift[f"stream {PETITIONS_STREAM}"]["allow_msg_schedules"] == (True, None)
        assert f"stream {PETITIONS_STREAM}" not in report.updated + report.created
        assert f"stream {ADVISORIES_STREAM}" not in report.updated + report.created
        # Nothing was recreated: same streams, same messages.
        for name, when in created.items():
            assert (await js.stream_info(name)).created == when
        assert (await js.get_msg(PETITIONS_STREAM, event.seq)).subject == "petitions.events.t1.p1"
        assert (await js.stream_info(ADVISORIES_STREAM)).state.messages == advisory.seq == 1
    finally:
        await client.close()
        server.stop()
