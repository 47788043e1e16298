"""Deadline timers as server-side message schedules (ADR-51) in the `PETITION_TIMERS` stream.

Each timer has one schedule subject; publishing to it replaces whatever was pending there, so
writing a petition's timers is idempotent. A schedule whose time has passed fires at once,
which is what a late reaction wants. Once no deadline can be missed, the petition's pending
schedules are purged; one that slips through fires into a re-check that does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from nats.js import JetStreamContext

from langnghe.contracts.codec import REGISTRY
from langnghe.contracts.envelope import Actor, EventMeta, event_id_for
from langnghe.contracts.events.timer import TimerFired
from langnghe.contracts.subjects import (
    TIMERS_STREAM,
    timer_fired_subject,
    timer_schedule_subject,
    timer_schedules_of,
)
from langnghe.tracking.domain.timers import Timer

#: Fired messages are kept a week (Go duration syntax): long enough for a consumer to be down.
FIRED_TTL = "168h"
TIMER_ACTOR = Actor(kind="system", ref="tracking-timers")


class TimerSchedules:
    def __init__(self, js: JetStreamContext) -> None:
        self._js = js

    async def replace(self, petition_id: str, province_code: str, timers: Sequence[Timer]) -> None:
        """Make the petition's pending schedules exactly `timers`."""
        if not timers:
            await self._js.purge_stream(TIMERS_STREAM, subject=timer_schedules_of(petition_id))
            return
        for timer in timers:
            await self._schedule(petition_id, province_code, timer)

    async def _schedule(self, petition_id: str, province_code: str, timer: Timer) -> None:
        fired = TimerFired(
            province_code=province_code,
            which=timer.which,
            kind=timer.kind,
            due=timer.due,
            deadline_version=timer.deadline_version,
        )
        meta = EventMeta(
            event_id=event_id_for(f"timer:{petition_id}:{timer.name}:v{timer.deadline_version}"),
            aggregate_type="petition",
            aggregate_id=petition_id,
            occurred_at=timer.fire_at,
            schema_version=fired.SCHEMA_VERSION,
            correlation_id=petition_id,
            causation_id=petition_id,
            actor=TIMER_ACTOR,
        )
        body, headers = REGISTRY.encode(meta, fired)
        await self._js.publish(
            timer_schedule_subject(petition_id, timer.name),
            body,
            stream=TIMERS_STREAM,
            headers={
                **headers,
                "Nats-Schedule": f"@at {timer.fire_at:%Y-%m-%dT%H:%M:%SZ}",
                "Nats-Schedule-Target": timer_fired_subject(province_code, petition_id, timer.name),
                "Nats-Schedule-TTL": FIRED_TTL,
            },
        )
