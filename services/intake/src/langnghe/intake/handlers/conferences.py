"""Conference commands and the conference as it stands: load, decide, append, through
`langnghe.runtime.commands.execute`. The decisions are the domain's; this module only says
which aggregate, which command id, and what "today" is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import PetitionReceived
from langnghe.contracts.subjects import conference_subject, petition_subject_any_province
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.intake.domain import conference, conference_decisions
from langnghe.intake.domain.aggregate_ids import CONFERENCE, aggregate_id, province_of
from langnghe.intake.domain.conference import (
    ConferenceCommand,
    ConferenceRuleBroken,
    ConferenceState,
    LinkOpinion,
    ScheduleConference,
)
from langnghe.intake.domain.conference_decisions import decide_link_opinion
from langnghe.intake.domain.conference_duties import ConferenceDuties, conference_duties
from langnghe.intake.domain.conference_opinions import check_petition_for_conference
from langnghe.intake.domain.references import check_schedule_references
from langnghe.intake.handlers.context import CommandContext
from langnghe.intake.handlers.facts import facts
from langnghe.runtime.commands import CommandOutcome, Target, command_id, execute
from langnghe.runtime.eventstore import EventStore

AGGREGATE = "conference"


@dataclass(frozen=True)
class ConferenceView:
    conference_id: str
    state: ConferenceState
    duties: ConferenceDuties
    stream_seq: int


def _not_found() -> ConferenceRuleBroken:
    return ConferenceRuleBroken("conference.not_found", "Không tìm thấy hội nghị này.", status=404)


def _target(conference_id: str, province_code: str | None = None) -> Target:
    province = province_code or province_of(CONFERENCE, conference_id)
    if province is None:  # not an id intake gave out, so no such conference
        raise _not_found()
    return Target(AGGREGATE, conference_id, conference_subject(province, conference_id))


async def _load(store: EventStore, subject: str) -> tuple[ConferenceState, int]:
    loaded = await store.load(subject)
    state = conference.fold(facts(loaded))
    return state, loaded.last_seq


async def schedule_conference(
    store: EventStore, cmd: ScheduleConference, ctx: CommandContext
) -> CommandOutcome:
    conference_id = aggregate_id(CONFERENCE, cmd.province_code, ctx.creation_key())
    subject = conference_subject(cmd.province_code, conference_id)

    def decide(state: ConferenceState, now: datetime) -> list[DomainEvent]:
        events = conference_decisions.decide(state, cmd, vietnam_date(now))
        check_schedule_references(cmd)
        return events

    return await execute(
        store,
        Target(AGGREGATE, conference_id, subject, create_subject=subject),
        conference.fold,
        decide,
        command_id=ctx.command_id("conference.schedule", conference_id),
        actor=ctx.actor,
        correlation_id=ctx.correlation_id,
        request_fingerprint=ctx.fingerprint,
    )


async def change_conference(
    store: EventStore, conference_id: str, name: str, cmd: ConferenceCommand, ctx: CommandContext
) -> CommandOutcome:
    """Any command on an existing conference but linking an opinion (see `link_opinion`)."""
    return await execute(
        store,
        _target(conference_id),
        conference.fold,
        lambda state, now: conference_decisions.decide(state, cmd, vietnam_date(now)),
        command_id=ctx.command_id(name, conference_id),
        actor=ctx.actor,
        correlation_id=ctx.correlation_id,
        request_fingerprint=ctx.fingerprint,
    )


async def received_petition(store: EventStore, petition_id: str) -> PetitionReceived | None:
    loaded = await store.load(petition_subject_any_province(petition_id))
    first = next((event for event, _ in facts(loaded)), None)
    return first if isinstance(first, PetitionReceived) else None


async def link_opinion(
    store: EventStore,
    conference_id: str,
    petition_id: str,
    ctx: CommandContext,
    *,
    petition: PetitionReceived | None,
    province_code: str | None = None,
) -> CommandOutcome:
    """Link a petition raised at the conference. The command id is derived from the petition, not
    from the request: linking the same petition twice, by hand or on submission, is one link."""
    cmd = LinkOpinion(petition_id=petition_id)

    def decide(state: ConferenceState, now: datetime) -> list[DomainEvent]:
        events = decide_link_opinion(state, cmd, vietnam_date(now))
        if events:
            check_petition_for_conference(petition, state, conference_id)
        return events

    return await execute(
        store,
        _target(conference_id, province_code),
        conference.fold,
        decide,
        command_id=command_id("conference.link_opinion", conference_id, petition_id),
        actor=ctx.actor,
        correlation_id=ctx.correlation_id,
    )


async def link_petition(
    store: EventStore, conference_id: str, petition_id: str, ctx: CommandContext
) -> CommandOutcome:
    """Link by hand a petition already in the store (say, one entered before the conference was)."""
    petition = await received_petition(store, petition_id)
    return await link_opinion(store, conference_id, petition_id, ctx, petition=petition)


async def load_conference(store: EventStore, province_code: str, conference_id: str) -> ConferenceState:
    """The conference as filed under `province_code`: one of another province is not found there."""
    state, _ = await _load(store, conference_subject(province_code, conference_id))
    return state


async def get_conference(
    store: EventStore,
    conference_id: str,
    today: Callable[[], date] = lambda: vietnam_date(datetime.now(UTC)),
) -> ConferenceView:
    state, last_seq = await _load(store, _target(conference_id).load_filter)
    if not state.exists:
        raise _not_found()
    return ConferenceView(conference_id, state, conference_duties(state, today()), last_seq)
