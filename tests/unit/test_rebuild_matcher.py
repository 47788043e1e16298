"""Which subjects a rebuild's replay keeps: the consumer's filters, as NATS matches them."""

from __future__ import annotations

from langnghe.contracts.subjects import subject_matcher


def test_prefix_filters() -> None:
    keeps = subject_matcher(("petitions.events.>", "supervisions.events.>"))
    assert keeps("petitions.events.01.abc")
    assert keeps("supervisions.events.79.supv-1")
    assert not keeps("petitions.events")  # `>` needs at least one more token
    assert not keeps("petitions.eventsX.01.abc")
    assert not keeps("conferences.events.01.conf-1")


def test_wildcard_filters() -> None:
    keeps = subject_matcher(("petitions.*.01.>",))
    assert keeps("petitions.events.01.abc")
    assert not keeps("petitions.events.02.abc")
    assert not keeps("petitions.a.b.01.abc")  # `*` is one token
    assert not keeps("petitions.events.01")  # `>` needs at least one more


def test_exact_and_star_at_the_end() -> None:
    keeps = subject_matcher(("timers.fired.*", "petitions.events.01.abc"))
    assert keeps("timers.fired.x") and keeps("petitions.events.01.abc")
    assert not keeps("timers.fired.x.y") and not keeps("timers.fired")
    assert not keeps("petitions.events.01.abcd")
