"""A nats-server of its own per test module, provisioned like production."""

from __future__ import annotations

from collections.abc import AsyncIterator

import nats
import pytest

from langnghe.contracts.consumers import ALL_CONSUMERS
from langnghe.runtime.provisioning import provision
from langnghe.tools import nats_server


@pytest.fixture(scope="module")
async def module_nats(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    store = tmp_path_factory.mktemp("nats")
    server = nats_server.start(store, log_file=store / "nats.log")
    nc = await nats.connect(server.url)
    report = await provision(nc.jetstream(), ALL_CONSUMERS)
    await nc.close()
    assert report.ok, report.errors
    yield server.url
    server.stop()
