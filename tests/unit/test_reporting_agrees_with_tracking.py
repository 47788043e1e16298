"""Reporting restates what each petition event means (it may not import tracking); this checks
the restatement against tracking's own fold on generated event histories: whatever the events,
the row reporting shows agrees with the state tracking decides on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import PublicationChannel, UnitLevel
from langnghe.contracts.events.petition import (
    Channel,
    DeadlineKind,
    Disposition,
    LegalType,
    PetitionAbsorbedDuplicate,
    PetitionAccepted,
    PetitionAnswered,
    PetitionAnswerPublished,
    PetitionAssigned,
    PetitionBecameDueSoon,
    PetitionBecameOverdue,
    PetitionClosed,
    PetitionDeadlineExtended,
    PetitionDisposedAtConference,
    PetitionEscalated,
    PetitionFeedbackGiven,
    PetitionMergedInto,
    PetitionReassigned,
    PetitionReceived,
    PetitionReopened,
    PetitionWithdrawn,
    StatutoryTerm,
    TransferKind,
)
from langnghe.reporting.domain.petition_row import PetitionRow
from langnghe.reporting.domain.petition_row_fold import fold as reporting_fold
from langnghe.tracking.domain.state import PetitionState
from langnghe.tracking.domain.state import fold as tracking_fold

DAYS = st.dates(min_value=date(2026, 3, 1), max_value=date(2026, 3, 8))
OPTIONAL_DAY = st.none() | DAYS
TERMS = st.builds(
    StatutoryTerm,
    clock=st.sampled_from(["complaint_acceptance", "complaint_first_instance", "denunciation"]),
    start=st.just(date(2026, 3, 1)),
    due=DAYS,
    days=st.sampled_from([10, 30]),
    extensions=st.integers(0, 2),
)
OPTIONAL_TERM = st.none() | TERMS
AGENCIES = st.sampled_from(["UBND-XA", "PHONG-TNMT", "SO-XD"])
OFFICERS = st.none() | st.sampled_from(["cb-1", "cb-2"])
KINDS = st.sampled_from(list(DeadlineKind))
REASON = "Lý do được ghi rõ."

LATER_EVENTS: st.SearchStrategy[DomainEvent] = st.one_of(
    st.builds(
        PetitionDisposedAtConference,
        conference_id=st.just("hn-1"),
        disposition=st.sampled_from(list(Disposition)),
    ),
    st.builds(
        PetitionAssigned,
        agency_code=AGENCIES,
        officer_ref=OFFICERS,
        promised_date=DAYS,
        statutory=OPTIONAL_TERM,
        deadline_version=st.just(1),
    ),
    st.builds(
        PetitionAccepted,
        agency_code=AGENCIES,
        accepted_on=DAYS,
        late=st.booleans(),
        statutory=TERMS,
        deadline_version=st.just(1),
    ),
    st.builds(
        PetitionDeadlineExtended,
        which=KINDS,
        previous_due=DAYS,
        new_due=DAYS,
        reason=st.just(REASON),
        extensions=st.integers(1, 3),
        after_due=st.booleans(),
        statutory=OPTIONAL_TERM,
        deadline_version=st.just(1),
    ),
    st.builds(
        PetitionReassigned,
        from_agency_code=AGENCIES,
        agency_code=AGENCIES,
        officer_ref=OFFICERS,
        reason=st.just(REASON),
        promised_date=OPTIONAL_DAY,
        deadline_version=st.just(1),
    ),
    st.builds(
        PetitionEscalated,
        kind=st.sampled_from(list(TransferKind)),
        to_level=st.sampled_from(list(UnitLevel)),
        to_unit_code=st.sampled_from(["UBND-TINH", "UBND-XA-2"]),
        reason=st.just(REASON),
        deadline_version=st.just(1),
    ),
    st.builds(PetitionAnswered, answer_text=st.just("Đã trả lời."), answering_agency_code=AGENCIES),
    st.builds(
        PetitionAnswerPublished,
        published_on=DAYS,
        channels=st.lists(st.sampled_from(list(PublicationChannel)), min_size=1, max_size=3).map(tuple),
    ),
    st.builds(PetitionFeedbackGiven, satisfied=st.booleans(), reason=st.just(REASON)),
    st.builds(
        PetitionReopened, reason=st.just(REASON), promised_date=OPTIONAL_DAY, deadline_version=st.just(1)
    ),
    st.builds(PetitionClosed),
    st.builds(PetitionWithdrawn, reason=st.just(REASON)),
    st.builds(PetitionMergedInto, primary_petition_id=st.just("p0"), reason=st.just(REASON)),
    st.builds(PetitionAbsorbedDuplicate, duplicate_petition_id=st.uuids().map(str)),
    st.builds(
        PetitionBecameDueSoon,
        which=KINDS,
        due=DAYS,
        working_days_left=st.just(1),
        deadline_version=st.just(1),
    ),
    st.builds(PetitionBecameOverdue, which=KINDS, due=DAYS, deadline_version=st.just(1)),
)

RECEIVED = st.builds(
    PetitionReceived,
    code=st.just("KN-01-1"),
    province_code=st.just("01"),
    channel=st.sampled_from(list(Channel)),
    legal_type=st.sampled_from(list(LegalType)),
    content=st.just("Nội dung kiến nghị."),
    received_on=OPTIONAL_DAY,
)


def agrees(row: PetitionRow, state: PetitionState) -> None:
    assert row["status"] == state.status.value
    assert row["received_on"] == state.received_on
    assert row["disposition"] == (state.disposition.value if state.disposition else None)
    assert (row["agency_code"], row["officer_ref"]) == (state.agency_code, state.officer_ref)
    assert row["escalated_to_level"] == (state.handling_level.value if state.handling_level else None)
    assert row["escalated_to_unit_code"] == state.handling_unit_code
    assert (row["promised_date"], row["promised_extensions"]) == (
        state.promised_date,
        state.promised_extensions,
    )
    term = state.statutory
    assert (
        row["statutory_clock"],
        row["statutory_start"],
        row["statutory_due"],
        row["statutory_days"],
        row["statutory_extensions"],
    ) == ((term.clock, term.start, term.due, term.days, term.extensions) if term else (None,) * 5)
    assert row["accepted_on"] == state.accepted_on
    assert {k for k in DeadlineKind if row[f"{k.value}_due_soon"]} == state.due_soon  # type: ignore[literal-required]
    assert {k for k in DeadlineKind if row[f"{k.value}_overdue"]} == state.overdue  # type: ignore[literal-required]
    assert row["answered_on"] == state.answered_on
    assert row["answered_at_conference"] == state.answered_at_conference
    assert row["answer_published_on"] == state.published_on
    assert set(row["answer_published_channels"]) == {c.value for c in state.published_channels}
    assert row["feedback_satisfied"] == state.feedback_satisfied
    assert row["times_reopened"] == state.reopened
    assert row["merged_into"] == state.merged_into
    assert row["duplicates_absorbed"] == len(state.duplicates)


@settings(max_examples=300, deadline=None)
@given(
    first=RECEIVED,
    later=st.lists(LATER_EVENTS, max_size=25),
    hours=st.lists(st.integers(0, 23), min_size=26, max_size=26),
)
def test_reporting_row_agrees_with_tracking_state(
    first: PetitionReceived, later: list[DomainEvent], hours: list[int]
) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    history = [(e, start + timedelta(days=i // 3, hours=hours[i])) for i, e in enumerate([first, *later])]
    for n in range(1, len(history) + 1):
        row = reporting_fold("p1", history[:n])
        assert row is not None
        agrees(row, tracking_fold(history[:n]))
