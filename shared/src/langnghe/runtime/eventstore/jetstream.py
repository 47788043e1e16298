"""The event store on JetStream: one subject per aggregate, optimistic concurrency, atomic batches.

- `load` reads one aggregate's events with Direct Get batches (`next_by_subj`, ADR-31): no
  consumer is created, ~2.5 ms for a 26-event petition.
- `append` writes one event, or several as one atomic batch (ADR-50, server >= 2.12), with
  `Nats-Expected-Last-Subject-Sequence` on the first message (the stream sequence of the
  subject's last message; 0 = the subject must be empty) and `Nats-Msg-Id` = the event id.
- A retry after a lost ack is answered 10071 (wrong last sequence), not "duplicate", because
  the concurrency check runs first (docs/ARCHITECTURE.md, P9). So on 10071 the last message on
  the subject is read: if it is our own last event, the append had succeeded.
- Every message an append sends is idempotent: the event id as `Nats-Msg-Id` and, on the first
  message, the expected last subject sequence. So the copies that may reach the server after
  the caller gave up (nats-py's reconnect buffer flushes what was published while
  disconnected; a frozen server reads its socket when it thaws) store the event at most
  once. nats-py's buffer is kept rather than disabled (`pending_size=0`) for that reason, and
  because a frozen server's socket is a buffer no client setting removes: the guarantee has
  to come from the messages themselves. A caller that was answered "unavailable" finishes the
  write by appending the same events again (intake: a retry with the key, or its vault sweeper).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import nats.errors
import nats.js.errors
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js.api import Header

from langnghe.contracts.codec import REGISTRY, EventRegistry, UndecodableEvent
from langnghe.contracts.subjects import HEADER_EVENT_ID, PETITIONS_STREAM
from langnghe.runtime.eventstore.records import (
    AppendResult,
    ConcurrencyConflict,
    EventStoreUnavailable,
    LoadedAggregate,
    NewEvent,
    QuarantinedMessage,
    RecordedEvent,
    StoredMessage,
    check_batch_size,
    decode_stored,
)
from langnghe.runtime.eventstore.voids import QuarantineBook, VoidMarker, find_voids, void_message

WRONG_LAST_SEQUENCE = 10071
BATCH_DUPLICATE_MSG_ID = 10201
DIRECT_GET_BATCH = 1000


class JetStreamEventStore:
    """The `EventStore` port on a JetStream stream (the production adapter)."""

    def __init__(
        self,
        nc: NatsClient,
        *,
        stream: str = PETITIONS_STREAM,
        registry: EventRegistry = REGISTRY,
        timeout: float = 5.0,
        publish_attempts: int = 3,
    ) -> None:
        self._nc = nc
        self._js = nc.jetstream(timeout=timeout)
        self._stream = stream
        self._registry = registry
        self._timeout = timeout
        self._attempts = publish_attempts
        self._quarantine = QuarantineBook(stream)

    # -- reading ---------------------------------------------------------------------------

    async def load(self, subject_filter: str, *, after_seq: int = 0) -> LoadedAggregate:
        """All events on one aggregate subject (a filter with `*` finds it by id alone).
        Voided messages are skipped; any other message readers refuse raises
        `AggregateQuarantined` (docs/ARCHITECTURE.md, "Quarantine and void")."""
        return await self._load(subject_filter, after_seq=after_seq, screen=True)

    async def _load(self, subject_filter: str, *, after_seq: int, screen: bool) -> LoadedAggregate:
        events: list[RecordedEvent] = []
        refused: list[tuple[int, str, str]] = []
        subject: str | None = None
        seq = 0
        next_seq = after_seq + 1
        while True:
            page = await self._direct_get_batch(subject_filter, next_seq)
            for msg in page:
                headers = msg.headers or {}
                seq = int(headers["Nats-Sequence"])
                subject = headers["Nats-Subject"]
                try:
                    events.append(decode_stored(self._registry, seq, subject, msg.data))
                except UndecodableEvent as exc:
                    refused.append((seq, subject, str(exc)))
                next_seq = seq + 1
            if len(page) < DIRECT_GET_BATCH:
                break
        if refused and screen:
            voided = await self.voided(s for s, _, _ in refused)
            self._quarantine.screen(subject, refused, voided)
        return LoadedAggregate(subject=subject, events=events, last_stored_seq=seq)

    # -- quarantine ------------------------------------------------------------------------

    async def voided(self, seqs: Iterable[int]) -> dict[int, VoidMarker]:
        """The void markers of those of `seqs` that an operator voided."""
        return await find_voids(self._js, self._stream, seqs)

    async def void(self, seq: int, *, reason: str, actor: str) -> tuple[VoidMarker, bool]:
        """Void a quarantined message (see `voids.void_message`)."""
        marker, written = await void_message(
            self._js, stream=self._stream, seq=seq, reason=reason, actor=actor, registry=self._registry
        )
        self._quarantine.cleared(seq)
        return marker, written

    def quarantined(self) -> list[QuarantinedMessage]:
        """The messages this process's loads met and could not apply (not voided since)."""
        return self._quarantine.listing()

    async def read_range(self, subject_filter: str, first_seq: int, last_seq: int) -> list[StoredMessage]:
        """Raw messages matching the filter with first_seq <= sequence <= last_seq, in order."""
        out: list[StoredMessage] = []
        next_seq = first_seq
        while next_seq <= last_seq:
            page = await self._direct_get_batch(subject_filter, next_seq)
            for msg in page:
                headers = msg.headers or {}
                seq = int(headers["Nats-Sequence"])
                if seq > last_seq:
                    return out
                out.append(StoredMessage(seq, headers["Nats-Subject"], msg.data))
                next_seq = seq + 1
            if len(page) < DIRECT_GET_BATCH:
                break
        return out

    async def _direct_get_batch(self, subject_filter: str, start_seq: int) -> list[Msg]:
        inbox = self._nc.new_inbox()
        sub = await self._nc.subscribe(inbox)
        request = {"seq": start_seq, "batch": DIRECT_GET_BATCH, "next_by_subj": subject_filter}
        try:
            await self._nc.publish(
                f"$JS.API.DIRECT.GET.{self._stream}", json.dumps(request).encode(), reply=inbox
            )
            out: list[Msg] = []
            while True:
                try:
                    msg = await sub.next_msg(timeout=self._timeout)
                except nats.errors.TimeoutError as exc:
                    raise EventStoreUnavailable(f"direct get on {self._stream} timed out") from exc
                status = (msg.headers or {}).get("Status")
                if status == "204" or status == "404":  # end of batch / nothing (more) to read
                    return out
                if status:
                    raise EventStoreUnavailable(
                        f"direct get failed: {status} {(msg.headers or {}).get('Description')}"
                    )
                out.append(msg)
        finally:
            await sub.unsubscribe()

    async def last_seq_of(self, subject: str) -> tuple[int, str | None]:
        """(stream sequence, event id) of the last message on the subject; (0, None) if empty."""
        try:
            raw = await self._js.get_last_msg(self._stream, subject, direct=True)
        except nats.js.errors.NotFoundError:
            return 0, None
        headers = raw.headers or {}
        return int(raw.seq or 0), headers.get(HEADER_EVENT_ID)

    async def stream_last_seq(self) -> int:
        info = await self._js.stream_info(self._stream)
        return int(info.state.last_seq)

    # -- writing ---------------------------------------------------------------------------

    async def append(
        self, subject: str, events: Sequence[NewEvent], *, expected_last_seq: int
    ) -> AppendResult:
        """Append all of `events` or none of them, if the subject's last sequence is as expected."""
        check_batch_size(events)
        encoded = [self._registry.encode(e.meta, e.event) for e in events]
        own_last_id = str(events[-1].meta.event_id)
        for attempt in range(1, self._attempts + 1):
            try:
                if len(encoded) == 1:
                    body, headers = encoded[0]
                    ack = await self._js.publish(
                        subject, body, headers=self._first_headers(headers, expected_last_seq)
                    )
                    if ack.duplicate:
                        # Nats-Msg-Id seen in the window: nothing was written now. It is ours
                        # only if the stored message is on this subject (ids are not scoped).
                        original = await self._js.get_msg(self._stream, seq=ack.seq, direct=True)
                        if original.subject != subject:
                            actual, _ = await self.last_seq_of(subject)
                            raise ConcurrencyConflict(subject, expected_last_seq, actual)
                    return AppendResult(first_seq=ack.seq, last_seq=ack.seq, recovered=bool(ack.duplicate))
                return await self._append_batch(subject, encoded, expected_last_seq)
            except nats.js.errors.APIError as exc:
                if exc.err_code not in (WRONG_LAST_SEQUENCE, BATCH_DUPLICATE_MSG_ID):
                    raise
                actual, last_id = await self.last_seq_of(subject)
                if last_id == own_last_id:
                    return AppendResult(first_seq=actual - len(events) + 1, last_seq=actual, recovered=True)
                # Ours may be stored with others' events after it: a lost ack, then another
                # writer (10071; ours then sits after the expected sequence it passed), or a
                # batch retried with a fresh expected sequence (10201). Find where it landed.
                after = expected_last_seq if exc.err_code == WRONG_LAST_SEQUENCE else 0
                stored = await self._find_own(subject, own_last_id, after_seq=after)
                if stored is not None:
                    return AppendResult(first_seq=stored - len(events) + 1, last_seq=stored, recovered=True)
                raise ConcurrencyConflict(subject, expected_last_seq, actual) from exc
            except (
                TimeoutError,
                nats.errors.TimeoutError,
                nats.js.errors.NoStreamResponseError,
                nats.errors.OutboundBufferLimitError,
                nats.errors.ConnectionReconnectingError,
            ):
                # The ack may have been lost after the write: retrying with the same ids and
                # expected sequence either writes once or lands in the 10071 branch above.
                # (A publish nats-py buffered during a reconnect, or one a frozen server reads
                # when it thaws, arrives later with the same ids: stored once, never twice.)
                if attempt == self._attempts:
                    raise EventStoreUnavailable(f"append to {subject} not acknowledged") from None
                await asyncio.sleep(0.05 * attempt)
            except (nats.errors.ConnectionClosedError, nats.errors.ConnectionDrainingError) as exc:
                # Definite: this connection sends nothing any more (the service is stopping).
                raise EventStoreUnavailable(f"append to {subject}: connection closed") from exc
        raise AssertionError("unreachable")

    async def _find_own(self, subject: str, event_id: str, *, after_seq: int = 0) -> int | None:
        loaded = await self._load(subject, after_seq=after_seq, screen=False)
        for recorded in loaded.events:
            if str(recorded.event_id) == event_id:
                return recorded.stream_seq
        return None

    @staticmethod
    def _first_headers(headers: dict[str, str], expected_last_seq: int) -> dict[str, str]:
        return {
            **headers,
            "Nats-Msg-Id": headers["Ln-Event-Id"],
            "Nats-Expected-Last-Subject-Sequence": str(expected_last_seq),
        }

    async def _append_batch(
        self, subject: str, encoded: list[tuple[bytes, dict[str, str]]], expected_last_seq: int
    ) -> AppendResult:
        # Atomic batch (ADR-50): nats-py 2.16 has the header names but no helper. The first
        # message goes as a request so a refused batch fails fast; the commit returns one
        # PubAck for the whole batch. Only the first message may carry the subject check.
        batch_id = uuid.uuid4().hex
        last = len(encoded)
        for index, (body, headers) in enumerate(encoded, start=1):
            hdrs: dict[str, Any] = (
                self._first_headers(headers, expected_last_seq)
                if index == 1
                else {**headers, "Nats-Msg-Id": headers["Ln-Event-Id"]}
            )
            hdrs[Header.BATCH_ID.value] = batch_id
            hdrs[Header.BATCH_SEQUENCE.value] = str(index)
            if index == last:
                hdrs[Header.BATCH_COMMIT.value] = "1"
                reply = await self._nc.request(subject, body, timeout=self._timeout, headers=hdrs)
                resp = json.loads(reply.data)
                if "error" in resp:
                    raise nats.js.errors.APIError.from_error(resp["error"])
                seq = int(resp["seq"])
                return AppendResult(first_seq=seq - last + 1, last_seq=seq)
            if index == 1:
                reply = await self._nc.request(subject, body, timeout=self._timeout, headers=hdrs)
                if reply.data:
                    resp = json.loads(reply.data)
                    if "error" in resp:
                        raise nats.js.errors.APIError.from_error(resp["error"])
            else:
                await self._nc.publish(subject, body, headers=hdrs)
        raise AssertionError("unreachable")
