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
from langnghe.runtime.eventstore import EventStore, NewEvent

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
    # One write on the happy path: if the key was seen before, the vault hands back the
    # submission it already holds (same petition id, so the same event id below). The code is
    # unique in the vault: on the rare collision (40 random bits per province and year) another
    # id, so another code, is drawn; the read models rely on a code naming one petition.
    for attempt in range(CODE_ATTEMPTS):
        try:
            submission = await vault.record_submission(
                Submission(
                    idempotency_key=idempotency_key,
                    fingerprint=request_fingerprint,
                    petition_id=new_id.hex,
                    province_code=cmd.province_code,
                    citizen_ref=uuid.uuid4().hex if contact is not None else None,
                    received_at=received_at,
                    code=decided.code,
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
    if replayed:  # the event of the submission the vault holds: its id, time and reference
        event = decide_submission(
            cmd,
            petition_id=uuid.UUID(hex=submission.petition_id),
            citizen_ref=submission.citizen_ref,
            received_at=submission.received_at,
        )
    else:  # the decision above, with the reference the vault gave the contact
        event = decided.model_copy(update={"citizen_ref": submission.citizen_ref})
    meta = EventMeta(
        event_id=event_id_for(f"petition.received:{submission.petition_id}"),
        aggregate_type="petition",
        aggregate_id=submission.petition_id,
        occurred_at=submission.received_at,
        schema_version=event.SCHEMA_VERSION,
        correlation_id=correlation_id,
        causation_id=idempotency_key,
        actor=actor,
    )
    # Expected last sequence 0: the subject must be new. A retry of the same submission
    # (same key, so same id and event id) is recognised by the store as our own write.
    result = await store.append(
        petition_subject(submission.province_code, submission.petition_id),
        [NewEvent(meta, event)],
        expected_last_seq=0,
    )
    if event.conference_id is not None:
        await _link_to_conference(store, event, submission.petition_id, actor, correlation_id)
    return Accepted(submission.petition_id, event.code, result.last_seq, replayed or result.recovered)


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
