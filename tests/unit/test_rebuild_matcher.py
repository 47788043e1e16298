"""Which subjects a rebuild's replay keeps: the consumer's filters, as NATS matches them."""

from __future__ import annotations

from langnghe.runtime.rebuild import _matcher


def test_prefix_filters() -> None:
    keeps = _matcher(("petitions.events.>", "supervisions.events.>"))
    assert keeps("petitions.events.01.abc")
    assert keeps("supervisions.events.79.supv-1")
    assert not keeps("petitions.events")  # `>` needs at least one more token
    assert not keeps("petitions.eventsX.01.abc")
    assert not keeps("conferences.events.01.conf-1")


def test_wildcard_filters() -> None:
    keeps = _matcher(("petitions.*.01.>",))
    assert keeps("petitions.events.01.abc")
    assert not keeps("petitions.events.02.abc")
