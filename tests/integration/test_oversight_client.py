"""An outside client reads its province's oversight feed and nothing else.

The client is nats.js from npm (`tests/oversight_client`, pinned by its package-lock.json and
installed with `npm ci` into a cache directory), not this project's code. The test starts a
nats-server of its own with authentication: a system user (provisioning, the projector's
publisher) and one oversight user per province, whose permissions are
`langnghe.contracts.oversight_feed.oversight_user_permissions`. It publishes a feed message of
every kind and transition for two provinces, then runs the client as province 01's body: it
must read exactly province 01's messages, each valid against the published JSON Schemas
(docs/schemas/oversight), and be refused province 79's feed, the internal stream `PETITIONS`,
Direct Get, plain subscriptions and publishing.

Skipped, with the reason, when node or npm is missing (CI has both).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
import nats.js.errors
import pytest
from nats.js.api import AckPolicy, ConsumerConfig

from langnghe.contracts.codec import REGISTRY, Envelope
from langnghe.contracts.consumers import ALL_CONSUMERS
from langnghe.contracts.events.petition import Channel, LegalType
from langnghe.contracts.oversight_feed import (
    FeedKind,
    encode,
    feed_subject,
    kind_of,
    oversight_consumer_name,
    oversight_inbox_prefix,
    oversight_user_permissions,
)
from langnghe.contracts.subjects import OVERSIGHT_STREAM, oversight_province_filter
from langnghe.reporting.adapters.oversight_publisher import JetStreamFeedPublisher
from langnghe.reporting.domain.oversight_feed import PetitionFacts, feed_message
from langnghe.runtime.provisioning import provision
from langnghe.tools import nats_server

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "tests" / "oversight_client"
SCHEMAS = ROOT / "docs" / "schemas" / "oversight"
GOLDEN = ROOT / "tests" / "golden"
PROVINCE, OTHER = "01", "79"
SYSTEM_USER, SYSTEM_PASS = "langnghe", "system-" + uuid.uuid4().hex


@dataclass(frozen=True)
class SecuredNats:
    server: nats_server.NatsServer
    port: int
    passwords: dict[str, str]

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    async def connect(self, user: str, **options: Any) -> nats.NATS:
        return await nats.connect(self.url, user=user, password=self.passwords[user], **options)


def _user(
    name: str, password: str, permissions: dict[str, dict[str, list[str]]] | None = None
) -> dict[str, Any]:
    user: dict[str, Any] = {"user": name, "password": password}
    if permissions is not None:
        user["permissions"] = {
            direction: {k: v for k, v in rules.items() if v} for direction, rules in permissions.items()
        }
    return user


def server_config(store: Path, port: int, passwords: dict[str, str]) -> str:
    """One account for the system (its user may do everything) and an oversight user per
    province, with the permissions the contracts give it; no anonymous connections."""
    users = [_user(SYSTEM_USER, passwords[SYSTEM_USER])] + [
        _user(f"oversight-{p}", passwords[f"oversight-{p}"], oversight_user_permissions(p))
        for p in (PROVINCE, OTHER)
    ]
    config = {
        "listen": f"127.0.0.1:{port}",
        "server_name": f"oversight-test-{port}",
        "jetstream": {"store_dir": store.as_posix(), "sync_interval": "always"},
        "accounts": {"LANGNGHE": {"jetstream": "enabled", "users": users}},
    }
    return json.dumps(config, indent=2)  # the server reads JSON as its configuration syntax


@pytest.fixture(scope="module")
def secured_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredNats]:
    store = tmp_path_factory.mktemp("nats-secured")
    port = nats_server.free_port()
    passwords = {SYSTEM_USER: SYSTEM_PASS} | {f"oversight-{p}": uuid.uuid4().hex for p in (PROVINCE, OTHER)}
    conf = store / "secured.conf"
    conf.write_text(server_config(store, port, passwords), encoding="utf-8")
    log = store / "nats.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [nats_server.find_binary(), "-c", str(conf)], stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    server = nats_server.NatsServer(proc, f"nats://127.0.0.1:{port}", port, store)
    try:
        _wait_ready(proc, port, log)
        yield SecuredNats(server, port, passwords)
    finally:
        server.stop()


def _wait_ready(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nats-server exited: {log.read_text(encoding='utf-8')[-2000:]}")
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("nats-server did not become ready")


@pytest.fixture(scope="module")
def client_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client installed with `npm ci` from its lock file into a cache directory keyed by
    the lock's digest (installed once per lock, offline-safe after that)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        reason = "node and npm are needed for the external oversight client (nats.js); CI has them"
        if os.environ.get("REQUIRE_NODE") == "1":
            pytest.fail(f"REQUIRE_NODE=1 but {reason.split(';')[0]}")
        pytest.skip(reason)
    lock = (CLIENT / "package-lock.json").read_bytes() + (CLIENT / "package.json").read_bytes()
    cache_root = Path(os.environ.get("LANGNGHE_NPM_CACHE", Path.home() / ".cache" / "langnghe"))
    target = cache_root / f"oversight-client-{hashlib.sha256(lock).hexdigest()[:16]}"
    if not (target / "node_modules" / ".package-lock.json").exists():
        staging = target.with_name(target.name + f".tmp-{uuid.uuid4().hex[:8]}")
        staging.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(CLIENT / name, staging / name)
        result = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=staging,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"npm ci failed:\n{result.stdout}\n{result.stderr}"
        if target.exists():
            shutil.rmtree(staging)
        else:
            staging.rename(target)
    shutil.copy2(CLIENT / "read_feed.mjs", target / "read_feed.mjs")
    return target


def every_feed_message(province: str) -> list[Any]:
    """A feed message of every internal event type (the golden wire samples), for one province."""
    facts = PetitionFacts(
        code=f"KN-{province}-26-ABCDEFGH",
        province_code=province,
        commune_code="00004",
        legal_type=LegalType.DENUNCIATION,
        channel=Channel.WRITTEN_LETTER,
        field_code="can-bo",
        agency_code="THANH-TRA",
        answer_text="Kết luận nội dung tố cáo đã được công khai.",
    )
    out = []
    for path in sorted(GOLDEN.glob("*.v1.json")):
        if path.name.startswith("timer."):
            continue
        env = REGISTRY.decode(path.read_bytes())
        assert isinstance(env, Envelope)
        meta = env.meta.model_copy(
            update={"event_id": uuid.uuid5(uuid.NAMESPACE_URL, f"{province}:{path.name}")}
        )
        before = None if env.event.type == "petition.received" else facts
        message = feed_message(meta, env.event, province, before)
        assert message is not None, path.name
        if message.province_code != province:  # a receipt names its own province
            message = message.model_copy(update={"province_code": province})
        out.append(message)
    return out


@pytest.fixture(scope="module")
async def feed(secured_nats: SecuredNats) -> AsyncIterator[dict[str, list[Any]]]:
    nc = await secured_nats.connect(SYSTEM_USER)
    report = await provision(nc.jetstream(), ALL_CONSUMERS)
    assert report.ok, report.errors
    publisher = JetStreamFeedPublisher(lambda: nc)
    published: dict[str, list[Any]] = {}
    for province in (PROVINCE, OTHER):
        published[province] = every_feed_message(province)
        for message in published[province]:
            kind = kind_of(message)
            await publisher.publish(
                feed_subject(province, kind), encode(message), feed_id=str(message.feed_id), kind=kind.value
            )
    # The other province's body already has its consumer (created here by the system user).
    await nc.jetstream().add_consumer(
        OVERSIGHT_STREAM,
        ConsumerConfig(
            durable_name=oversight_consumer_name(OTHER),
            filter_subject=oversight_province_filter(OTHER),
            ack_policy=AckPolicy.EXPLICIT,
        ),
    )
    yield published
    await nc.close()


def run_client(
    client_dir: Path, secured_nats: SecuredNats, user: str, province: str, other: str
) -> dict[str, Any]:
    env = {
        **os.environ,
        "NATS_URL": secured_nats.url,
        "NATS_USER": user,
        "NATS_PASS": secured_nats.passwords[user],
        "PROVINCE": province,
        "OTHER_PROVINCE": other,
        "SCHEMAS_DIR": str(SCHEMAS),
    }
    result = subprocess.run(
        [shutil.which("node") or "node", "read_feed.mjs"],
        cwd=client_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"client failed:\n{result.stdout}\n{result.stderr}"
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


async def test_the_external_client_reads_its_province_and_is_refused_the_rest(
    client_dir: Path, secured_nats: SecuredNats, feed: dict[str, list[Any]]
) -> None:
    report = run_client(client_dir, secured_nats, f"oversight-{PROVINCE}", PROVINCE, OTHER)
    ours = feed[PROVINCE]
    assert report["messages"] == len(ours) == 30
    assert report["invalid"] == []
    assert report["foreign"] == []
    assert report["headers_mismatch"] == []
    assert sorted(report["feed_ids"]) == sorted(str(m.feed_id) for m in ours)
    assert report["by_kind"] == {
        kind.value: sum(1 for m in ours if kind_of(m) is kind)
        for kind in FeedKind
        if any(kind_of(m) is kind for m in ours)
    }
    assert report["answer_texts"] == ["Kết luận nội dung tố cáo đã được công khai."]
    refused = {name: r for name, r in report["refusals"].items() if not r["refused"]}
    assert refused == {}, refused
    assert len(report["refusals"]) == 13
    print(json.dumps({k: v for k, v in report.items() if k != "feed_ids"}, ensure_ascii=False))


async def test_a_filter_in_the_body_cannot_widen_the_one_in_the_subject(
    secured_nats: SecuredNats, feed: dict[str, list[Any]]
) -> None:
    """The permission names the filter in the request's subject; the server must refuse a body
    that asks for another filter under it (otherwise the subject proves nothing)."""
    user = f"oversight-{PROVINCE}"
    nc = await secured_nats.connect(user, inbox_prefix=oversight_inbox_prefix(PROVINCE).encode())
    try:
        name = oversight_consumer_name(PROVINCE)
        subject = f"$JS.API.CONSUMER.CREATE.{OVERSIGHT_STREAM}.{name}.{oversight_province_filter(PROVINCE)}"
        own = {
            "durable_name": name,
            "filter_subject": oversight_province_filter(PROVINCE),
            "ack_policy": "explicit",
        }
        body = json.dumps({"stream_name": OVERSIGHT_STREAM, "config": own}).encode()
        created = json.loads((await nc.request(subject, body, timeout=3)).data)
        assert "error" not in created, created
        for config in (
            {
                "durable_name": name,
                "filter_subject": oversight_province_filter(OTHER),
                "ack_policy": "explicit",
            },
            {
                "durable_name": name,
                "filter_subjects": [oversight_province_filter(PROVINCE), oversight_province_filter(OTHER)],
                "ack_policy": "explicit",
            },
            {"durable_name": name, "ack_policy": "explicit"},
        ):
            body = json.dumps({"stream_name": OVERSIGHT_STREAM, "config": config}).encode()
            answer = json.loads((await nc.request(subject, body, timeout=3)).data)
            assert "error" in answer, (config, answer)
        # The consumer the client made is still filtered to its province.
        info = await nc.request(f"$JS.API.CONSUMER.INFO.{OVERSIGHT_STREAM}.{name}", b"", timeout=3)
        assert json.loads(info.data)["config"]["filter_subject"] == oversight_province_filter(PROVINCE)
    finally:
        await nc.close()


async def test_the_feed_stream_is_provisioned_permanent_and_without_direct_get(
    secured_nats: SecuredNats, feed: dict[str, list[Any]]
) -> None:
    """Even the system user cannot purge the feed or delete a message from it, and the feed is
    only readable through consumers (no Direct Get)."""
    nc = await secured_nats.connect(SYSTEM_USER)
    try:
        js = nc.jetstream()
        info = await js.stream_info(OVERSIGHT_STREAM)
        assert info.config.subjects == ["oversight.v1.>"]
        assert (info.config.deny_delete, info.config.deny_purge, info.config.allow_direct) == (
            True,
            True,
            False,
        )
        assert info.config.duplicate_window == 900
        with pytest.raises(nats.js.errors.APIError):
            await js.purge_stream(OVERSIGHT_STREAM)
        with pytest.raises(nats.js.errors.APIError):
            await js.delete_msg(OVERSIGHT_STREAM, 1)
        assert (await js.stream_info(OVERSIGHT_STREAM)).state.messages == sum(len(v) for v in feed.values())
    finally:
        await nc.close()
