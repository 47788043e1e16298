"""The vault sweeper: finishes submissions whose event the store never confirmed.

A submission is recorded in the vault before its `petition.received` is appended. When the
append is not confirmed (the store did not answer in time, the process died in between),
the client was answered 503 with the key, and the row stays unsettled. A retry with the key
finishes it; the sweeper finishes the rows nobody retried, once they are older than
`LN_INTAKE_VAULT_SWEEP_AGE_S`.

It appends, rather than marking such rows abandoned: the write may already be on its way (a
frozen server reads what was sent when it thaws), so "abandoned" could never be made true,
while appending the recorded event again (same id, expected sequence 0) stores it exactly
once whatever happened before. The citizen's request, already in the vault with its contact,
then becomes exactly one petition, which is what the 503 told the client would happen.
Rows from before event bodies were kept are looked up instead: settled if their event is
there, reported as unfinishable if not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

import structlog

from langnghe.contracts.envelope import event_id_for
from langnghe.contracts.events.petition import PetitionReceived
from langnghe.contracts.subjects import petition_subject
from langnghe.intake.adapters.vault import Submission, Vault
from langnghe.intake.handlers.petitions import append_received, link_received_to_conference, stored_event
from langnghe.runtime.eventstore import ConcurrencyConflict, EventStore

log = structlog.get_logger("langnghe.intake.sweeper")


@dataclass
class SweepReport:
    at: str
    older_than_s: float
    checked: int = 0
    appended: int = 0
    already_stored: int = 0
    unfinishable: list[str] = field(default_factory=list)
    #: Unsettled rows older than the age after this sweep (those it could not finish, and
    #: any beyond its limit).
    remaining: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


async def sweep_unsettled(
    vault: Vault, store: EventStore, *, older_than: timedelta, limit: int = 500, now: datetime | None = None
) -> SweepReport:
    """Settle unsettled submissions received more than `older_than` ago (at most `limit`)."""
    moment = now or datetime.now(UTC)
    before = moment - older_than
    report = SweepReport(at=moment.isoformat(timespec="seconds"), older_than_s=older_than.total_seconds())
    marks: list[tuple[str, int]] = []
    try:
        for submission in await vault.unsettled(before, limit):
            report.checked += 1
            seq = await _finish(store, submission, report)
            if seq is not None:
                marks.append((submission.idempotency_key, seq))
    finally:
        await vault.settle(marks)
        report.remaining = await vault.count_unsettled(before)
    if report.checked:
        log.warning("vault_sweep", **report.as_dict())
    return report


async def _finish(store: EventStore, submission: Submission, report: SweepReport) -> int | None:
    if submission.event_body is None:  # a row from before event bodies: look it up only
        subject = petition_subject(submission.province_code, submission.petition_id)
        seq, event_id = await store.last_seq_of(subject)
        if seq and event_id == str(event_id_for(f"petition.received:{submission.petition_id}")):
            report.already_stored += 1
            return seq
        report.unfinishable.append(submission.idempotency_key)
        return None
    event = stored_event(submission.event_body)
    try:
        result = await append_received(store, submission, event)
    except ConcurrencyConflict:  # something else on the petition's subject: never ours to fix
        report.unfinishable.append(submission.idempotency_key)
        return None
    if result.recovered:
        report.already_stored += 1
    else:
        report.appended += 1
    received = event.event
    if isinstance(received, PetitionReceived) and received.conference_id is not None:
        await link_received_to_conference(store, event, submission.petition_id)
    return result.last_seq
