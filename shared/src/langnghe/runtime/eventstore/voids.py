"""Void markers: how an operator takes a quarantined message out of every reader's way while
the log keeps it (the stream denies delete and purge).

A marker is one small JSON message on `eventstore.voided.<seq>` in the event-store stream
itself (so it is kept, replicated and backed up with the events it speaks of), written with
`Nats-Expected-Last-Subject-Sequence: 0`: at most one marker per sequence, and a second void
of the same message finds the first. Consumers filter on the event subjects, so they never
receive markers; readers look a marker up (Direct Get, last message on its subject) only for
a message they cannot read, so a healthy load costs nothing more.

Only a message every reader refuses (undecodable, from a future schema version, or naming
another aggregate) may be voided: a valid event is the history, and voiding it would rewrite
what happened without a compensating event.

This module is the one place that knows the marker's format; the HTTP route, the
`langnghe void` command and every reader go through it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

import nats.errors
import nats.js.errors
from nats.js import JetStreamContext
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from langnghe.contracts.codec import REGISTRY, EventRegistry, UndecodableEvent
from langnghe.contracts.subjects import PETITIONS_STREAM, VOIDED, voided_subject
from langnghe.domain.errors import CONFLICT, INVALID, NOT_FOUND, DomainError
from langnghe.runtime.eventstore.records import AggregateQuarantined, QuarantinedMessage, decode_stored

WRONG_LAST_SEQUENCE = 10071
#: The streams whose messages may be voided: the event store's (the only one readers fold).
VOIDABLE_STREAMS = (PETITIONS_STREAM,)


class VoidMarker(BaseModel):
    """The audited marker: which message, why, who, when, and a digest of the bytes voided."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stream: str
    seq: int = Field(ge=1)
    subject: str = Field(description="The voided message's subject")
    reason: str = Field(min_length=3, max_length=500)
    actor: str = Field(min_length=1, max_length=128)
    voided_at: datetime
    sha256: str = Field(description="SHA-256 of the voided message's body, hex")

    def encode(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def decode(cls, raw: bytes) -> VoidMarker:
        return cls.model_validate_json(raw)


class VoidRefused(DomainError):
    """The operator's void cannot be carried out (mapped to HTTP like any refusal)."""


def check_voidable(stream: str) -> None:
    if stream not in VOIDABLE_STREAMS:
        raise VoidRefused(
            "ops.unknown_stream",
            f"Chỉ hủy hiệu lực được thông điệp của luồng {', '.join(VOIDABLE_STREAMS)}.",
            "stream",
            INVALID,
        )


def is_marker_subject(subject: str) -> bool:
    return subject.startswith(f"{VOIDED}.")


async def find_voids(js: JetStreamContext, stream: str, seqs: Iterable[int]) -> dict[int, VoidMarker]:
    """The markers of those of `seqs` that are voided (one Direct Get each: only ever asked
    for messages a reader could not read, so a handful)."""
    found: dict[int, VoidMarker] = {}
    if stream not in VOIDABLE_STREAMS:
        return found
    for seq in sorted(set(seqs)):
        try:
            raw = await js.get_last_msg(stream, voided_subject(seq), direct=True)
        except nats.js.errors.NotFoundError:
            continue
        try:
            marker = VoidMarker.decode(raw.data or b"")
        except ValidationError:
            continue  # not a marker we wrote: it voids nothing
        if marker.seq == seq and marker.stream == stream:
            found[seq] = marker
    return found


def refusal_of(registry: EventRegistry, seq: int, subject: str, data: bytes) -> str | None:
    """Why readers refuse this stored message, or None when it reads as a valid event."""
    try:
        decode_stored(registry, seq, subject, data)
    except UndecodableEvent as exc:
        return str(exc)
    return None


async def void_message(
    js: JetStreamContext,
    *,
    stream: str,
    seq: int,
    reason: str,
    actor: str,
    registry: EventRegistry = REGISTRY,
    now: datetime | None = None,
) -> tuple[VoidMarker, bool]:
    """Append the marker voiding `stream`'s message `seq`; (marker, True) when written now,
    (the existing marker, False) when it was voided already. Refuses (VoidRefused) an
    unknown stream, a missing message, and a message readers do not refuse."""
    check_voidable(stream)
    existing = await find_voids(js, stream, [seq])
    if seq in existing:
        return existing[seq], False
    try:
        stored = await js.get_msg(stream, seq=seq, direct=True)
    except (nats.js.errors.NotFoundError, nats.errors.TimeoutError):
        stored = None
    if stored is None or not stored.subject:
        raise VoidRefused(
            "ops.message_not_found",
            f"Không có thông điệp số {seq} trong luồng {stream}.",
            "seq",
            NOT_FOUND,
        )
    data = stored.data or b""
    if is_marker_subject(stored.subject) or refusal_of(registry, seq, stored.subject, data) is None:
        raise VoidRefused(
            "ops.message_not_quarantined",
            f"Thông điệp số {seq} là một sự kiện hợp lệ, không bị cách ly: không thể hủy hiệu lực. "
            "Muốn sửa nội dung, hãy thực hiện một thao tác nghiệp vụ bù lại.",
            "seq",
            CONFLICT,
        )
    marker = VoidMarker(
        stream=stream,
        seq=seq,
        subject=stored.subject,
        reason=reason,
        actor=actor,
        voided_at=now or datetime.now(UTC),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    try:
        await js.publish(
            voided_subject(seq),
            marker.encode(),
            stream=stream,
            headers={
                "Nats-Msg-Id": f"void-{stream}-{seq}",
                "Nats-Expected-Last-Subject-Sequence": "0",
            },
        )
    except nats.js.errors.APIError as exc:
        if exc.err_code != WRONG_LAST_SEQUENCE:
            raise
        again = await find_voids(js, stream, [seq])  # another operator was first
        if seq in again:
            return again[seq], False
        raise
    return marker, True


class QuarantineBook:
    """The messages this process's loads met and could not apply, with when each was first
    met. Kept in memory: the log is the truth, and the next load of the aggregate meets the
    message again (consumers keep theirs in the database, as parked messages)."""

    def __init__(self, stream: str) -> None:
        self.stream = stream
        self._met: dict[int, QuarantinedMessage] = {}

    def screen(
        self,
        subject: str | None,
        refused: Sequence[tuple[int, str, str]],
        voided: Mapping[int, VoidMarker],
    ) -> None:
        """Forget what is voided; raise `AggregateQuarantined` for what is not."""
        now = datetime.now(UTC)
        blocking: list[QuarantinedMessage] = []
        for seq, on_subject, reason in refused:
            if seq in voided:
                self._met.pop(seq, None)
                continue
            known = self._met.get(seq)
            first_seen = known.first_seen if known is not None else now
            self._met[seq] = QuarantinedMessage(self.stream, seq, on_subject, reason, first_seen)
            blocking.append(self._met[seq])
        if blocking:
            raise AggregateQuarantined(subject, blocking)

    def cleared(self, seq: int) -> None:
        self._met.pop(seq, None)

    def listing(self) -> list[QuarantinedMessage]:
        return sorted(self._met.values(), key=lambda m: m.seq)
