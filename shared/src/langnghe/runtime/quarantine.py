"""Quarantine and void, as a service's operator sees them (docs/ARCHITECTURE.md, "Quarantine
and void"): which messages this service met and could not apply, and voiding one.

What is listed is what this service met: its loads (kept in memory by its event store, since
the log is the truth and the next load meets the message again) and its consumers' parked
messages that do not decode (kept in its database). Nothing scans the whole stream: a
message no one has met blocks nothing yet, and a scan of millions of events per request is
not an operator's route.
"""

from __future__ import annotations

from typing import Any

import structlog

from langnghe.contracts.codec import REGISTRY
from langnghe.runtime import checkpoints as ck
from langnghe.runtime.eventstore.voids import VOIDABLE_STREAMS, check_voidable, refusal_of
from langnghe.runtime.service import ServiceRuntime

log = structlog.get_logger("langnghe.quarantine")


async def listing(runtime: ServiceRuntime) -> list[dict[str, Any]]:
    """The messages this service met and could not apply, not voided: those its loads
    met (kept in memory: the next load meets them again) and those its consumers parked
    (kept in its database), each with the reason and when it was first met."""
    found: dict[tuple[str, int], dict[str, Any]] = {}
    store = runtime.store
    for m in store.quarantined():
        found[(m.stream, m.seq)] = {
            "stream": m.stream,
            "seq": m.seq,
            "subject": m.subject,
            "reason": m.reason,
            "first_seen": m.first_seen.isoformat(),
            "met_by": ["load"],
        }
    async with runtime.sessions() as session:
        rows = await ck.all_parked_messages(session)
    for row in rows:
        runner = runtime.runner(row["consumer"])
        reason = refusal_of(REGISTRY, row["stream_seq"], row["subject"], row["payload"])
        if runner is None or reason is None:
            continue  # parked because a handler failed: /ops/parked lists it
        key = (runner.spec.stream, int(row["stream_seq"]))
        entry = found.setdefault(
            key,
            {
                "stream": key[0],
                "seq": key[1],
                "subject": row["subject"],
                "reason": reason,
                "first_seen": row["parked_at"].isoformat(),
                "met_by": [],
            },
        )
        entry["met_by"].append(row["consumer"])
    if found:
        voided = await store.voided(seq for stream, seq in found if stream in VOIDABLE_STREAMS)
        found = {k: v for k, v in found.items() if not (k[0] in VOIDABLE_STREAMS and k[1] in voided)}
    return sorted(found.values(), key=lambda e: (e["stream"], e["seq"]))


async def void(runtime: ServiceRuntime, stream: str, seq: int, *, reason: str, actor: str) -> dict[str, Any]:
    """Void a quarantined message (an audited marker in the log), then re-drive this
    service's parked aggregates that held it. Other services re-drive theirs from their
    own /ops/parked (their consumers skip the message from now on)."""
    check_voidable(stream)
    marker, written = await runtime.store.void(seq, reason=reason, actor=actor)
    log.warning("message_voided", stream=stream, seq=seq, actor=actor, reason=reason, written=written)
    redriven: list[dict[str, Any]] = []
    async with runtime.sessions() as session:
        rows = await ck.all_parked_messages(session)
    held = {(r["consumer"], r["aggregate_id"]) for r in rows if int(r["stream_seq"]) == seq}
    for consumer, aggregate_id in sorted(held):
        runner = runtime.runner(consumer)
        if runner is not None and runner.spec.stream == stream:
            redriven.append({"consumer": consumer, **await runner.redrive(aggregate_id)})
    return {**marker.model_dump(mode="json"), "written": written, "redriven": redriven}
