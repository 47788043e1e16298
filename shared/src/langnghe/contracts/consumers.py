"""Every durable consumer of the system, as data: name, stream, filter and delivery settings.

Provisioning creates them from this list; each service binds to its own by name. Keeping
them in one place means a deploy can report drift between code and server.
"""

from __future__ import annotations

from dataclasses import dataclass

from langnghe.contracts.subjects import (
    EVENT_SUBJECTS,
    PETITION_EVENTS,
    PETITIONS_STREAM,
    SUPERVISION_EVENTS,
    TIMERS_FIRED,
    TIMERS_STREAM,
    durable_name,
)


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable pull consumer and how its messages are delivered."""

    durable: str
    stream: str
    filter_subjects: tuple[str, ...]
    batch_size: int = 200
    ack_wait_s: float = 30.0
    max_deliver: int = 10
    #: Redelivery delays after ack timeouts; the first replaces ack_wait (server rule).
    backoff_s: tuple[float, ...] = (30.0, 60.0, 120.0, 300.0, 600.0)
    #: An ordered consumer has one writer and a high-water-mark checkpoint; the runner fills
    #: any gap from the stream before it applies a batch, so order never depends on delivery.
    #: A shared consumer may run on N replicas and remembers each applied sequence instead.
    ordered: bool = True
    #: After the first message of a batch, how long the runner waits for more (client side,
    #: not a server setting). Every batch costs a transaction, a commit and a few statements
    #: whatever its size; under load a short wait makes batches larger and the service cheaper
    #: per event, at the price of that much latency.
    linger_s: float = 0.0
    description: str = ""

    @property
    def max_ack_pending(self) -> int:
        # Room for a few batches: a message orphaned by a client-side fetch timeout holds a
        # slot until its ack wait expires, and must not stall the consumer meanwhile.
        return self.batch_size * 4


ALL_EVENTS = EVENT_SUBJECTS

TRACKING_CASES = ConsumerSpec(
    durable=durable_name("tracking", "cases"),
    stream=PETITIONS_STREAM,
    filter_subjects=(f"{PETITION_EVENTS}.>",),
    linger_s=0.02,
    description="tracking: the agencies' case inbox (opens a case per received petition)",
)

TRACKING_POLICY = ConsumerSpec(
    durable=durable_name("tracking", "policy"),
    stream=PETITIONS_STREAM,
    filter_subjects=(f"{PETITION_EVENTS}.>", f"{SUPERVISION_EVENTS}.>"),
    batch_size=100,
    ordered=False,
    linger_s=0.05,
    description=(
        "tracking: reactions (deadline timers, absorbing merged duplicates, opening a petition "
        "per MTTQ recommendation); shared by every tracking replica"
    ),
)

TRACKING_TIMERS = ConsumerSpec(
    durable=durable_name("tracking", "timers"),
    stream=TIMERS_STREAM,
    filter_subjects=(f"{TIMERS_FIRED}.>",),
    batch_size=100,
    ordered=False,
    description="tracking: fired deadline timers, re-checked against the petition (due soon, overdue)",
)

NOTIFY_CITIZEN = ConsumerSpec(
    durable=durable_name("notify", "citizen-notices"),
    stream=PETITIONS_STREAM,
    filter_subjects=(f"{PETITION_EVENTS}.>",),
    batch_size=200,
    linger_s=0.05,
    description="notify: notices to citizens when their petition is answered",
)

REPORTING_PETITIONS = ConsumerSpec(
    durable=durable_name("reporting", "petitions"),
    stream=PETITIONS_STREAM,
    filter_subjects=ALL_EVENTS,
    batch_size=500,
    linger_s=0.02,
    description="reporting: petition read model and counts for oversight",
)

REPORTING_OVERSIGHT_FEED = ConsumerSpec(
    durable=durable_name("reporting", "oversight-feed"),
    stream=PETITIONS_STREAM,
    filter_subjects=ALL_EVENTS,
    batch_size=200,
    linger_s=0.02,
    description="reporting: the oversight feed (stream OVERSIGHT) projected from the internal events",
)

ALL_CONSUMERS: tuple[ConsumerSpec, ...] = (
    TRACKING_CASES,
    TRACKING_POLICY,
    TRACKING_TIMERS,
    NOTIFY_CITIZEN,
    REPORTING_PETITIONS,
    REPORTING_OVERSIGHT_FEED,
)
