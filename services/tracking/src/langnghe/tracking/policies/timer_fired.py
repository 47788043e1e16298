"""A fired deadline timer: `TimerFiredPolicy` (consumer `tracking-timers`) turns it into the
`MarkDueSoon` or `MarkOverdue` command, which re-checks the petition and its deadline version.
The command id is the timer's (`timer_command_id`), the one the deadline reconciler uses too,
so a mark is recorded once however many times the timer fires or is redelivered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from langnghe.contracts.codec import Envelope
from langnghe.contracts.events.timer import TimerFired
from langnghe.runtime.commands import execute
from langnghe.runtime.eventstore import EventStore, RecordedEvent
from langnghe.tracking.domain.petition import fold
from langnghe.tracking.domain.timers import command_for, timer_command_id
from langnghe.tracking.handlers import deciding, petition_target

log = structlog.get_logger()


class TimerFiredPolicy:
    def __init__(self, store: Callable[[], EventStore]) -> None:
        self._store = store

    async def apply(self, session: AsyncSession, events: Sequence[RecordedEvent]) -> None:
        for recorded in events:
            env = recorded.envelope
            if not isinstance(env, Envelope) or not isinstance(env.event, TimerFired):
                continue
            fired = env.event
            petition_id = env.meta.aggregate_id
            outcome = await execute(
                self._store(),
                petition_target(petition_id),
                fold,
                deciding(command_for(fired)),
                command_id=timer_command_id(petition_id, fired.which, fired.kind, fired.deadline_version),
                actor=env.meta.actor,
                correlation_id=env.meta.correlation_id,
            )
            log.info(
                "timer_fired",
                petition_id=petition_id,
                timer=f"{fired.which.value}-{fired.kind.value}",
                deadline_version=fired.deadline_version,
                recorded=outcome.events,
                timer_event_id=str(recorded.event_id),
            )
