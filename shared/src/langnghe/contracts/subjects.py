"""The only module that builds subject, stream and durable-consumer names.

Subject tokens are ASCII only and never contain dots, wildcards or whitespace (NATS ADR-6);
Vietnamese names never appear in subjects, only codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

PETITIONS_STREAM = "PETITIONS"
TIMERS_STREAM = "PETITION_TIMERS"
ADVISORIES_STREAM = "JS_ADVISORIES"
#: notify's delivery ledger: one subject per delivery, never cleared by a rebuild or replay.
NOTIFY_DELIVERIES_STREAM = "NOTIFY_DELIVERIES"
#: The oversight feed (reporting's projector writes it; oversight bodies read their province's
#: part of it): kept apart from the event store so an outside reader never touches `PETITIONS`.
OVERSIGHT_STREAM = "OVERSIGHT"

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")

PETITION_EVENTS = "petitions.events"
CONFERENCE_EVENTS = "conferences.events"
CONFERENCE_PLANS = "conferences.plans"
SUPERVISION_EVENTS = "supervisions.events"
TIMER_SCHEDULES = "petitions.timers"
TIMERS_FIRED = "petitions.timers-fired"
#: Audited void markers, one subject per voided stream sequence, in the event-store stream
#: itself (docs/ARCHITECTURE.md, "Quarantine and void"): no event consumer filters on them.
VOIDED = "eventstore.voided"
NOTIFY_DELIVERIES = "notify.deliveries"
#: `oversight.v<feed version>.<province_code>.<kind>`; the version is the feed's own
#: (`langnghe.contracts.oversight_feed.FEED_VERSION`), not the internal events'.
OVERSIGHT_FEED = "oversight.v1"

#: The event subjects of the event-store stream (what consumers and rebuilds read).
EVENT_SUBJECTS = (
    f"{PETITION_EVENTS}.>",
    f"{CONFERENCE_EVENTS}.>",
    f"{CONFERENCE_PLANS}.>",
    f"{SUPERVISION_EVENTS}.>",
)
#: Subjects captured by the event-store stream: the events and the void markers.
PETITIONS_STREAM_SUBJECTS = (*EVENT_SUBJECTS, f"{VOIDED}.>")
TIMERS_STREAM_SUBJECTS = (f"{TIMER_SCHEDULES}.>", f"{TIMERS_FIRED}.>")
NOTIFY_DELIVERIES_STREAM_SUBJECTS = (f"{NOTIFY_DELIVERIES}.>",)
OVERSIGHT_STREAM_SUBJECTS = (f"{OVERSIGHT_FEED}.>",)
#: Advisories are core NATS (at most once); storing them makes dead letters auditable.
ADVISORIES_STREAM_SUBJECTS = (
    "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>",
    "$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.>",
)

#: Custom headers. `Nats-` is reserved by the server, so ours are prefixed `Ln-`.
HEADER_EVENT_ID = "Ln-Event-Id"
HEADER_EVENT_TYPE = "Ln-Event-Type"
HEADER_SCHEMA = "Ln-Schema"
HEADER_CORRELATION = "Ln-Correlation-Id"


class InvalidSubjectToken(ValueError):
    pass


def token(value: str) -> str:
    """Validate one subject token."""
    if not _TOKEN.fullmatch(value):
        raise InvalidSubjectToken(f"not a valid subject token: {value!r}")
    return value


def delivery_subject(delivery_key: str) -> str:
    """The ledger subject of one delivery (notify's (event, recipient, channel) digest)."""
    return f"{NOTIFY_DELIVERIES}.{token(delivery_key)}"


def oversight_subject(province_code: str, kind: str) -> str:
    """Where the oversight feed message of one province and kind (`petition`, `conference`,
    `supervision`) is published."""
    return f"{OVERSIGHT_FEED}.{token(province_code)}.{token(kind)}"


def oversight_province_filter(province_code: str) -> str:
    """Everything of one province's oversight feed: what its oversight body may read."""
    return f"{OVERSIGHT_FEED}.{token(province_code)}.>"


def petition_subject(province_code: str, petition_id: str) -> str:
    """The aggregate subject of one petition; the province is where it was raised and never changes."""
    return f"{PETITION_EVENTS}.{token(province_code)}.{token(petition_id)}"


def petition_subject_any_province(petition_id: str) -> str:
    """A filter that finds a petition's subject when only its id is known."""
    return f"{PETITION_EVENTS}.*.{token(petition_id)}"


def conference_subject(province_code: str, conference_id: str) -> str:
    return f"{CONFERENCE_EVENTS}.{token(province_code)}.{token(conference_id)}"


def conference_plan_subject(province_code: str, plan_id: str) -> str:
    """A unit's plan of conferences for a year or quarter, e.g. plan id `plan-088-2023`."""
    return f"{CONFERENCE_PLANS}.{token(province_code)}.{token(plan_id)}"


def supervision_subject(province_code: str, session_id: str) -> str:
    """An MTTQ supervision session."""
    return f"{SUPERVISION_EVENTS}.{token(province_code)}.{token(session_id)}"


def timer_schedule_subject(petition_id: str, timer: str) -> str:
    """One schedule per petition and timer (`promised-overdue`, ...): a new message on it
    replaces the pending schedule (ADR-51)."""
    return f"{TIMER_SCHEDULES}.{token(petition_id)}.{token(timer)}"


def timer_schedules_of(petition_id: str) -> str:
    """Every pending schedule of one petition (to purge them once no deadline can be missed)."""
    return f"{TIMER_SCHEDULES}.{token(petition_id)}.>"


def timer_fired_subject(province_code: str, petition_id: str, timer: str) -> str:
    """Where the server writes a schedule's message when it fires (`Nats-Schedule-Target`).
    The petition id is the last token, as in an event subject, so a consumer groups (and, if
    it must, parks) fired timers by petition."""
    return f"{TIMERS_FIRED}.{token(province_code)}.{token(timer)}.{token(petition_id)}"


def voided_subject(stream_seq: int) -> str:
    """The void marker of the event-store message at `stream_seq` (at most one per sequence)."""
    if stream_seq < 1:
        raise InvalidSubjectToken(f"not a stream sequence: {stream_seq}")
    return f"{VOIDED}.{stream_seq}"


def aggregate_id_of(subject: str) -> str:
    """The aggregate id is the last token of an event subject."""
    return subject.rsplit(".", 1)[-1]


def province_of(subject: str) -> str:
    return subject.split(".")[2]


def durable_name(service: str, purpose: str) -> str:
    """Durable consumer names: `<service>-<purpose>`, e.g. `reporting-petitions`."""
    return f"{token(service)}-{token(purpose)}"


def subject_matcher(filters: Sequence[str]) -> Callable[[str], bool]:
    """Whether a subject is on one of the filters, as NATS matches them (`*` one token, `>`
    one or more at the end). Filters that end in `.>` with no other wildcard (all of ours) are
    a prefix test, which costs nothing per message."""
    if all(f.endswith(".>") and "*" not in f and ">" not in f[:-1] for f in filters):
        prefixes = tuple(f[:-1] for f in filters)
        return lambda subject: subject.startswith(prefixes)
    patterns = [f.split(".") for f in filters]

    def on_pattern(pattern: list[str], tokens: list[str]) -> bool:
        for i, want in enumerate(pattern):
            if want == ">":
                return len(tokens) > i
            if i >= len(tokens) or (want != "*" and want != tokens[i]):
                return False
        return len(tokens) == len(pattern)

    return lambda subject: any(on_pattern(p, subject.split(".")) for p in patterns)
