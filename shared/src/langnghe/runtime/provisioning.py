"""Streams and durable consumers, created or updated idempotently from code, drift reported.

Services never declare streams (FastStream's `declare=True` may rewrite a stream's settings at
start; docs/ARCHITECTURE.md, P5) and nats-py's `pull_subscribe` binds to a durable without
updating it (P6): this module is the one place where their configuration is decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import nats.js.errors
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)

from langnghe.contracts.consumers import ConsumerSpec
from langnghe.contracts.subjects import (
    ADVISORIES_STREAM,
    ADVISORIES_STREAM_SUBJECTS,
    NOTIFY_DELIVERIES_STREAM,
    NOTIFY_DELIVERIES_STREAM_SUBJECTS,
    OVERSIGHT_STREAM,
    OVERSIGHT_STREAM_SUBJECTS,
    PETITIONS_STREAM,
    PETITIONS_STREAM_SUBJECTS,
    TIMERS_STREAM,
    TIMERS_STREAM_SUBJECTS,
)

ADVISORY_MAX_AGE_S = 30 * 24 * 3600.0
#: The oversight feed's duplicate window. The projector's own table of published feed ids is
#: what makes a replay publish nothing twice; the window covers only a crash between a
#: publish and the commit that records it, which the restarted projector retries at once
#: (its durable is realigned to its checkpoint at start), so minutes are plenty.
OVERSIGHT_DUPLICATE_WINDOW_S = 15 * 60.0


def _permanent_log(
    name: str,
    subjects: tuple[str, ...],
    replicas: int,
    description: str,
    *,
    atomic: bool,
    direct: bool = True,
    duplicate_window_s: float = 120.0,
) -> StreamConfig:
    """A stream nothing is ever dropped from, deleted or purged: no age or count limits and
    discard=new (docs/ARCHITECTURE.md, P12); never schedules or TTL, which lift deny_purge (P11).
    Every limit is stated, not left unset: an unset field is not compared, so a limit added on
    the server would go unreported as drift."""
    return StreamConfig(
        name=name,
        subjects=list(subjects),
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.NEW,
        max_age=0.0,
        max_msgs=-1,
        max_msgs_per_subject=-1,
        num_replicas=replicas,
        deny_delete=True,
        deny_purge=True,
        allow_rollup_hdrs=False,
        allow_direct=direct,
        allow_atomic=True if atomic else None,
        allow_msg_schedules=False,
        allow_msg_ttl=False,
        duplicate_window=duplicate_window_s,
        description=description,
    )


def stream_configs(replicas: int = 1) -> list[StreamConfig]:
    return [
        # The event store: its history is never dropped, and a command's events are one
        # atomic batch.
        _permanent_log(
            PETITIONS_STREAM,
            PETITIONS_STREAM_SUBJECTS,
            replicas,
            "Lắng Nghe event store: one subject per petition or conference",
            atomic=True,
        ),
        # Timers: server-side message schedules (ADR-51). Schedules imply purge and rollup,
        # which is why they live in their own stream.
        StreamConfig(
            name=TIMERS_STREAM,
            subjects=list(TIMERS_STREAM_SUBJECTS),
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            num_replicas=replicas,
            allow_msg_schedules=True,
            allow_msg_ttl=True,
            allow_rollup_hdrs=True,  # the server turns it on with schedules; say so, no drift
            allow_direct=True,
            description="Deadline timers (message schedules) and fired timers",
        ),
        # Effects done (notify's deliveries): like the event store, nothing is ever dropped,
        # deleted or purged, because a lost record means a citizen is told twice. Kept apart
        # from the projections' databases so that rebuilding those never clears it.
        _permanent_log(
            NOTIFY_DELIVERIES_STREAM,
            NOTIFY_DELIVERIES_STREAM_SUBJECTS,
            replicas,
            "Effects done: notify's delivery ledger, one subject per (event, recipient, channel)",
            atomic=False,
        ),
        # The oversight feed (reporting's projector): what outside oversight bodies read, one
        # province's subjects each. Permanent like the event store, so a body that subscribes
        # late still reads from the start; no Direct Get, so the only way in is a consumer,
        # which the oversight users' permissions confine to their province's filter.
        _permanent_log(
            OVERSIGHT_STREAM,
            OVERSIGHT_STREAM_SUBJECTS,
            replicas,
            "Oversight feed: what an oversight body may read, oversight.v1.<province>.<kind>",
            atomic=False,
            direct=False,
            duplicate_window_s=OVERSIGHT_DUPLICATE_WINDOW_S,
        ),
        StreamConfig(
            name=ADVISORIES_STREAM,
            subjects=list(ADVISORIES_STREAM_SUBJECTS),
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            num_replicas=replicas,
            max_age=ADVISORY_MAX_AGE_S,
            description="Consumer advisories (max deliveries, terminated) kept for operators",
        ),
    ]


def consumer_config(spec: ConsumerSpec) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=spec.durable,
        description=spec.description or None,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=spec.ack_wait_s,
        max_deliver=spec.max_deliver,
        max_ack_pending=spec.max_ack_pending,
        filter_subjects=list(spec.filter_subjects),
        # Spaces out redeliveries after ack timeouts (a process that died holding the
        # message); explicit naks are the runner's own business.
        backoff=list(spec.backoff_s),
    )


@dataclass
class ProvisionReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    drift: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    """name -> {field: (found, wanted)}; filled even when the update fixed it."""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


_STREAM_FIELDS = (
    "subjects",
    "retention",
    "storage",
    "discard",
    "max_msgs_per_subject",
    "num_replicas",
    "deny_delete",
    "deny_purge",
    "allow_rollup_hdrs",
    "allow_direct",
    "allow_atomic",
    "allow_msg_schedules",
    "allow_msg_ttl",
    "max_age",
    "max_msgs",
    "max_bytes",
)
_CONSUMER_FIELDS = (
    "ack_policy",
    "ack_wait",
    "max_deliver",
    "max_ack_pending",
    "filter_subjects",
    "backoff",
)  # not deliver_policy: an ordered consumer's start position follows its checkpoint (align_to_checkpoint)


def _norm(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(str(v) for v in value)
    if value is None or value is False or value == 0:
        return None
    return getattr(value, "value", value)


def _diff(found: Any, wanted: Any, fields: tuple[str, ...]) -> dict[str, tuple[Any, Any]]:
    out = {}
    for name in fields:
        want = getattr(wanted, name, None)
        if want is None:
            continue
        have = getattr(found, name, None)
        if name == "filter_subjects" and not have and getattr(found, "filter_subject", None):
            have = [found.filter_subject]
        if _norm(have) != _norm(want):
            out[name] = (_norm(have), _norm(want))
    return out


async def provision(
    js: JetStreamContext, consumers: Sequence[ConsumerSpec], *, replicas: int = 1, dry_run: bool = False
) -> ProvisionReport:
    report = ProvisionReport()
    for cfg in stream_configs(replicas):
        name = cfg.name or ""
        try:
            info = await js.stream_info(name)
        except nats.js.errors.NotFoundError:
            if not dry_run:
                await js.add_stream(cfg)
            report.created.append(f"stream {name}")
            continue
        drift = _diff(info.config, cfg, _STREAM_FIELDS)
        if not drift:
            report.unchanged.append(f"stream {name}")
            continue
        report.drift[f"stream {name}"] = drift
        if dry_run:
            continue
        try:
            await js.update_stream(cfg)
            report.updated.append(f"stream {name}")
        except nats.js.errors.APIError as exc:
            # deny_delete / deny_purge cannot be edited: report, never recreate an event store.
            report.errors[f"stream {name}"] = str(exc)
    for spec in consumers:
        key = f"consumer {spec.stream}/{spec.durable}"
        wanted = consumer_config(spec)
        try:
            cinfo = await js.consumer_info(spec.stream, spec.durable)
        except nats.js.errors.NotFoundError:
            if not dry_run:
                await js.add_consumer(spec.stream, wanted)
            report.created.append(key)
            continue
        drift = _diff(cinfo.config, wanted, _CONSUMER_FIELDS)
        if not drift:
            report.unchanged.append(key)
            continue
        report.drift[key] = drift
        if dry_run:
            continue
        # The start position is not configuration (align_to_checkpoint moves it): keep it.
        wanted.deliver_policy = cinfo.config.deliver_policy
        wanted.opt_start_seq = cinfo.config.opt_start_seq
        try:
            await js.add_consumer(spec.stream, wanted)  # updates an existing durable (2.10+)
            report.updated.append(key)
        except nats.js.errors.APIError as exc:
            report.errors[key] = str(exc)
    return report


@dataclass(frozen=True)
class Alignment:
    moved: bool
    #: Highest sequence a previous process had been handed but not acknowledged: it may
    #: have died applying one of them (see ConsumerRunner.suspect_until).
    in_flight_until: int = 0


async def align_to_checkpoint(js: JetStreamContext, spec: ConsumerSpec, checkpoint: int) -> Alignment:
    """Make an ordered consumer deliver from `checkpoint + 1`.

    A process killed with a batch in hand leaves those messages pending on the server until
    their ack wait expires, and meanwhile the server would hand its successor *later* events:
    applied first, they would move the checkpoint past the pending ones, which would then be
    skipped. The database checkpoint is the truth, so at start the durable is recreated at
    `checkpoint + 1` whenever the server's view differs (docs/ARCHITECTURE.md, P18; as Marten
    and Axon do).
    """
    info = await js.consumer_info(spec.stream, spec.durable)
    acked = info.ack_floor.stream_seq if info.ack_floor else 0
    delivered = info.delivered.stream_seq if info.delivered else 0
    if not info.num_ack_pending and acked == delivered == checkpoint:
        return Alignment(moved=False)
    config = consumer_config(spec)
    if checkpoint > 0:
        config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
        config.opt_start_seq = checkpoint + 1
    await js.delete_consumer(spec.stream, spec.durable)
    await js.add_consumer(spec.stream, config)
    return Alignment(moved=True, in_flight_until=delivered if info.num_ack_pending else 0)
