"""What follows a petition's facts: `PetitionPolicy` (consumer `tracking-policy`). After any
event that may move a petition's deadlines, it writes the petition's timers; when a duplicate is
merged, it absorbs it into the primary; when the MTTQ issues a recommendation after
supervision, it opens a petition for it. Idempotent: a redelivered or replayed event changes
nothing. (A fired timer is `timer_fired.TimerFiredPolicy`'s.)

Commands a reaction issues carry ids derived from the event that caused them, so running a
reaction twice appends nothing the second time. A rule that refuses a reaction (the primary was
closed meanwhile, say) is logged and the reaction dropped: the refusal is the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from langnghe.contracts.codec import Envelope
from langnghe.contracts.envelope import Actor
from langnghe.contracts.events.conference import SupervisionRecommendationIssued
from langnghe.contracts.events.petition import (
    PetitionAccepted,
    PetitionAnswered,
    PetitionAssigned,
    PetitionClosed,
    PetitionDeadlineExtended,
    PetitionEscalated,
    PetitionMergedInto,
    PetitionReassigned,
    PetitionReopened,
    PetitionWithdrawn,
)
from langnghe.contracts.subjects import PETITION_EVENTS, province_of
from langnghe.domain.codes import recommendation_petition_id
from langnghe.runtime.commands import execute
from langnghe.runtime.eventstore import EventStore, RecordedEvent
from langnghe.tracking.adapters.schedules import TimerSchedules
from langnghe.tracking.domain.petition import (
    AbsorbDuplicate,
    PetitionRuleBroken,
    fold,
)
from langnghe.tracking.domain.recommendation import OpenRecommendation, decide_open_recommendation
from langnghe.tracking.domain.timers import timers_for
from langnghe.tracking.handlers import Decide, deciding, load_petition, petition_target

log = structlog.get_logger()

POLICY_ACTOR = Actor(kind="system", ref="tracking-policy")

#: Events after which a petition's timers may differ: its deadlines were set, moved or
#: cleared, or none can be missed any more. A receipt sets no deadline, so it needs no work.
MOVES_DEADLINES = (
    PetitionAssigned,
    PetitionAccepted,
    PetitionDeadlineExtended,
    PetitionReassigned,
    PetitionEscalated,
    PetitionReopened,
    PetitionAnswered,
    PetitionClosed,
    PetitionWithdrawn,
    PetitionMergedInto,
)


class PetitionPolicy:
    event_types = frozenset(
        {m.type_name() for m in MOVES_DEADLINES} | {SupervisionRecommendationIssued.type_name()}
    )

    def __init__(self, store: Callable[[], EventStore], schedules: Callable[[], TimerSchedules]) -> None:
        self._store = store
        self._schedules = schedules

    async def apply(self, session: AsyncSession, events: Sequence[RecordedEvent]) -> None:
        touched: dict[str, str] = {}  # petition id -> province, in order of first appearance
        for recorded in events:
            env = recorded.envelope
            if not isinstance(env, Envelope):
                continue
            event = env.event
            if isinstance(event, MOVES_DEADLINES) and recorded.subject.startswith(f"{PETITION_EVENTS}."):
                touched.setdefault(env.meta.aggregate_id, province_of(recorded.subject))
            if isinstance(event, PetitionMergedInto):
                await self._absorb(recorded, event)
            elif isinstance(event, SupervisionRecommendationIssued):
                pid, province = await self._open_recommendation(recorded, event)
                touched.setdefault(pid, province)
        # Timers from each petition's state as it is now: order and repeats do not matter.
        for petition_id, province in touched.items():
            await self._write_timers(petition_id, province)

    async def _absorb(self, recorded: RecordedEvent, event: PetitionMergedInto) -> None:
        assert isinstance(recorded.envelope, Envelope)
        duplicate_id = recorded.envelope.meta.aggregate_id
        await self._react(
            event.primary_petition_id,
            deciding(AbsorbDuplicate(duplicate_id, event.cosigner_refs)),
            recorded,
            "absorb",
        )

    async def _open_recommendation(
        self, recorded: RecordedEvent, event: SupervisionRecommendationIssued
    ) -> tuple[str, str]:
        assert isinstance(recorded.envelope, Envelope)
        session_id = recorded.envelope.meta.aggregate_id
        province = province_of(recorded.subject)
        pid = recommendation_petition_id(session_id, event.recommendation_id)
        cmd = OpenRecommendation(
            petition_id=pid,
            session_id=session_id,
            recommendation_id=event.recommendation_id,
            province_code=province,
            addressee_agency_code=event.addressee_agency_code,
            content=event.content,
            issued_on=event.issued_on,
            field_code=event.field_code,
            response_due=event.response_due,
            conference_id=event.conference_id,
        )
        await self._react(
            pid.hex,
            lambda s, _now: decide_open_recommendation(s, cmd),
            recorded,
            "recommendation",
            create_in_province=province,
        )
        return pid.hex, province

    async def _react(
        self,
        petition_id: str,
        decide_fn: Decide,
        recorded: RecordedEvent,
        what: str,
        *,
        create_in_province: str | None = None,
    ) -> None:
        assert isinstance(recorded.envelope, Envelope)
        try:
            await execute(
                self._store(),
                petition_target(petition_id, create_in_province=create_in_province),
                fold,
                decide_fn,
                command_id=f"{what}:{recorded.event_id}",
                actor=POLICY_ACTOR,
                correlation_id=recorded.envelope.meta.correlation_id,
            )
        except PetitionRuleBroken as exc:
            log.warning(
                "reaction_refused",
                reaction=what,
                petition_id=petition_id,
                cause_event_id=str(recorded.event_id),
                code=exc.code,
                reason=exc.message,
            )

    async def _write_timers(self, petition_id: str, province: str) -> None:
        state = await load_petition(self._store(), petition_id)
        if state.exists:
            await self._schedules().replace(petition_id, province, timers_for(state))
