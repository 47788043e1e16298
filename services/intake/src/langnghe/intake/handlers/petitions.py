"""Submitting a petition: decide, record the submission (and the citizen's contact) in the
vault, append `petition.received`; a petition raised at a conference is then linked to it."""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from langnghe.contracts.codec import REGISTRY, Envelope
from langnghe.contracts.envelope import Actor, EventMeta, event_id_for
from langnghe.contracts.events.petition import PetitionReceived
from langnghe.contracts.subjects import petition_subject
from langnghe.domain.errors import CONFLICT, DomainError
from langnghe.domain.vietnam_time import vietnam_date
from langnghe.intake.adapters.vault import CitizenContact, CodeTaken, Submission, Vault
from langnghe.intake.domain.conference import ConferenceRuleBroken
from langnghe.intake.domain.conference_opinions import check_conference_takes_opinion
from langnghe.intake.domain.submission import SubmitPetition, decide_submission
from langnghe.intake.handlers.conferences import link_opinion, load_conference
from langnghe.intake.handlers.context import CommandContext
from langnghe.runtime.eventstore import AppendResult, EventStore, EventStoreUnavailable, NewEvent

log = structlog.get_logger("langnghe.intake")

#: Draws of a petition id before giving up on a free code: one collision is already rare
#: (2^-40 per pair of petitions of one province and year), two in a row are not expected.
CODE_ATTEMPTS = 5


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key came with a different request body."""

    def __init__(self) -> None:
        super().__init__(
            "idempotency.key_reused",
            "Khóa Idempotency-Key này đã được dùng cho một kiến nghị khác; hãy dùng khóa mới.",
            "Idempotency-Key",
            status=CONFLICT,
        )


class PetitionNotConfirmed(EventStoreUnavailable):
    """The submission is in the vault but the store did not confirm its event: it may be
    stored already (a write whose answer was lost, or one a frozen server reads later) or not
    yet. Either way the same key finishes it, and so does the vault sweeper: the same event,
    with the same id and expected sequence 0, is stored once whatever happens."""

    def __init__(self, idempotency_key: str, petition_id: str) -> None:
        super().__init__(f"petition {petition_id} not confirmed by the event store")
        self.idempotency_key = idempotency_key
        self.petition_id = petition_id


@dataclass(frozen=True)
class Accepted:
    petition_id: str
    code: str
    stream_seq: int
    replayed: bool


def new_petition_id(now_ms: int | None = None) -> uuid.UUID:
    """UUIDv7 layout (time-ordered, so database indexes stay local)."""
    ms = now_ms if now_ms is not None else time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (rand >> 68 & 0xFFF) << 64 | 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def fingerprint(payload: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


async def submit_petition(
    cmd: SubmitPetition,
    *,
    contact: CitizenContact | None,
    idempotency_key: str,
    request_fingerprint: str,
    actor: Actor,
    correlation_id: str,
    vault: Vault,
    store: EventStore,
) -> Accepted:
    received_at = datetime.now(UTC)
    new_id = new_petition_id()
    # Decide before writing anything, so a refused submission leaves no vault row.
    decided = decide_submission(cmd, petition_id=new_id, citizen_ref=None, received_at=received_at)
    if cmd.conference_id is not None:
        conference = await load_conference(store, cmd.province_code, cmd.conference_id)
        check_conference_takes_opinion(conference, cmd.conference_id, new_id.hex, vietnam_date(received_at))
    citizen_ref = uuid.uuid4().hex if contact is not None else None
    # One write on the happy path: if the key was seen before, the vault hands back the
    # submission it already holds (same petition id, so the same event id below). The code is
    # unique in the vault: on the rare collision (40 random bits per province and year) another
    # id, so another code, is drawn; the read models rely on a code naming one petition.
    # The event is made before the vault write and kept in the row until the store has it,
    # so whoever finishes the submission (a retry, the sweeper) appends exactly this event.
    for attempt in range(CODE_ATTEMPTS):
        new_event = _received_event(
            decided.model_copy(update={"citizen_ref": citizen_ref}),
            new_id.hex,
            received_at,
            idempotency_key,
            actor,
            correlation_id,
        )
        try:
            submission = await vault.record_submission(
                Submission(
                    idempotency_key=idempotency_key,
                    fingerprint=request_fingerprint,
                    petition_id=new_id.hex,
                    province_code=cmd.province_code,
                    citizen_ref=citizen_ref,
                    received_at=received_at,
                    code=decided.code,
                    event_body=REGISTRY.encode(new_event.meta, new_event.event)[0].decode(),
                ),
                contact,
            )
            break
        except CodeTaken:
            if attempt == CODE_ATTEMPTS - 1:
                raise
            log.warning("petition_code_collision", code=decided.code, attempt=attempt + 1)
            new_id = new_petition_id()
            decided = decide_submission(cmd, petition_id=new_id, citizen_ref=None, received_at=received_at)
    if submission.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused()
    replayed = submission.petition_id != new_id.hex
    if not replayed:
        to_append = new_event
    elif submission.event_body is not None:  # not confirmed yet: the very event it recorded
        to_append = stored_event(submission.event_body)
    else:  # settled (or older than event bodies): the same event, made again from the row
        event = decide_submission(
            cmd,
            petition_id=uuid.UUID(hex=submission.petition_id),
            citizen_ref=submission.citizen_ref,
            received_at=submission.received_at,
        )
        to_append = _received_event(
            event, submission.petition_id, submission.received_at, idempotency_key, actor, correlation_id
        )
    received = to_append.event
    assert isinstance(received, PetitionReceived)
    if submission.settled_seq:  # the store has it: nothing to write
        seq = submission.settled_seq
        result = AppendResult(first_seq=seq, last_seq=seq, recovered=True)
    else:
        result = await append_received(store, submission, to_append)
        vault.mark_settled(submission.idempotency_key, result.last_seq)
    if received.conference_id is not None:
        await _link_to_conference(store, received, submission.petition_id, actor, correlation_id)
    return Accepted(submission.petition_id, received.code, result.last_seq, replayed or result.recovered)


def _received_event(
    event: PetitionReceived,
    petition_id: str,
    received_at: datetime,
    idempotency_key: str,
    actor: Actor,
    correlation_id: str,
) -> NewEvent:
    meta = EventMeta(
        event_id=event_id_for(f"petition.received:{petition_id}"),
        aggregate_type="petition",
        aggregate_id=petition_id,
        occurred_at=received_at,
        schema_version=event.SCHEMA_VERSION,
        correlation_id=correlation_id,
        causation_id=idempotency_key,
        actor=actor,
    )
    return NewEvent(meta, event)


def stored_event(body: str) -> NewEvent:
    """The event a vault row recorded, as it will be appended."""
    decoded = REGISTRY.decode(body.encode())
    if not isinstance(decoded, Envelope):
        raise ValueError("a vault row holds an event of an unknown type")
    return NewEvent(decoded.meta, decoded.event)


async def append_received(store: EventStore, submission: Submission, event: NewEvent) -> AppendResult:
    """Append a submission's event. Expected sequence 0: the subject must be new; the same
    event appended again (same id) is recognised by the store as our own write."""
    try:
        return await store.append(
            petition_subject(submission.province_code, submission.petition_id), [event], expected_last_seq=0
        )
    except EventStoreUnavailable as exc:
        raise PetitionNotConfirmed(submission.idempotency_key, submission.petition_id) from exc


async def link_received_to_conference(store: EventStore, event: NewEvent, petition_id: str) -> None:
    """Link a petition finished later (by the sweeper) to its conference, as its request would."""
    received = event.event
    assert isinstance(received, PetitionReceived)
    await _link_to_conference(store, received, petition_id, event.meta.actor, event.meta.correlation_id)


async def _link_to_conference(
    store: EventStore, event: PetitionReceived, petition_id: str, actor: Actor, correlation_id: str
) -> None:
    """After the petition is stored: a retried submission links again, which is a no-op."""
    assert event.conference_id is not None
    try:
        await link_opinion(
            store,
            event.conference_id,
            petition_id,
            CommandContext(actor, correlation_id),
            petition=event,
            province_code=event.province_code,
        )
    except ConferenceRuleBroken as exc:
        # Checked before the petition was written; only a change in between (the results were
        # published meanwhile) gets here. The petition stands; it is not counted at the conference.
        log.warning(
            "conference_link_refused",
            petition_id=petition_id,
            conference_id=event.conference_id,
            code=exc.code,
        )
