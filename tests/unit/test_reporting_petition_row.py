"""Reporting's petition row, given events: the pure fold (langnghe.reporting.domain.petition_row_fold)
and the oversight figures each row contributes (petition_figures)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

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
from langnghe.reporting.adapters.petition_tables import generation_tables
from langnghe.reporting.domain.petition_figures import figures, summarise
from langnghe.reporting.domain.petition_row import PetitionRow
from langnghe.reporting.domain.petition_row_fold import evolve, fold
from langnghe.reporting.entrypoints.responses import PetitionStats, PetitionStatusView

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
ACCEPTANCE = StatutoryTerm(
    clock="complaint_acceptance", start=date(2026, 3, 2), due=date(2026, 3, 16), days=10
)
RESOLUTION = StatutoryTerm(
    clock="complaint_first_instance", start=date(2026, 3, 5), due=date(2026, 4, 16), days=30
)
DENUNCIATION = StatutoryTerm(clock="denunciation", start=date(2026, 3, 5), due=date(2026, 4, 16), days=30)
DENUNCIATION_EXTENDED = DENUNCIATION.model_copy(
    update={"due": date(2026, 5, 28), "days": 60, "extensions": 1}
)


def received(legal_type: LegalType = LegalType.COMPLAINT, **kw: object) -> PetitionReceived:
    fields: dict[str, object] = {
        "code": "KN-01-0001",
        "province_code": "01",
        "commune_code": "00004",
        "channel": Channel.CITIZEN_RECEPTION,
        "legal_type": legal_type,
        "field_code": "dat-dai",
        "content": "Đề nghị xem xét việc thu hồi đất làm đường liên thôn.",
    }
    return PetitionReceived.model_validate(fields | kw)


def assigned(
    promised: date = date(2026, 3, 20),
    statutory: StatutoryTerm | None = ACCEPTANCE,
    agency_code: str = "UBND-XA",
    officer_ref: str | None = "cb-17",
) -> PetitionAssigned:
    return PetitionAssigned(
        agency_code=agency_code,
        officer_ref=officer_ref,
        promised_date=promised,
        statutory=statutory,
        deadline_version=1,
    )


def answered(text: str = "Đã kiểm tra thực địa; việc thu hồi đúng quy định.") -> PetitionAnswered:
    return PetitionAnswered(answer_text=text, answering_agency_code="UBND-XA", document_number="12/TB-UBND")


def extended_promised(previous: date, new: date, extensions: int = 1) -> PetitionDeadlineExtended:
    return PetitionDeadlineExtended(
        which=DeadlineKind.PROMISED,
        previous_due=previous,
        new_due=new,
        reason="Cần thêm thời gian xác minh.",
        extensions=extensions,
        after_due=False,
        deadline_version=3,
    )


def overdue(which: DeadlineKind, due: date) -> PetitionBecameOverdue:
    return PetitionBecameOverdue(which=which, due=due, deadline_version=3)


def due_soon(which: DeadlineKind, due: date) -> PetitionBecameDueSoon:
    return PetitionBecameDueSoon(which=which, due=due, working_days_left=2, deadline_version=3)


def at(days: float, hour: int = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hour)


def timeline(*events: DomainEvent) -> list[tuple[DomainEvent, datetime]]:
    """One event a day from T0."""
    return [(e, at(i)) for i, e in enumerate(events)]


def folded(history: list[tuple[DomainEvent, datetime]]) -> PetitionRow:
    row = fold("p1", history)
    assert row is not None
    return row


def row_of(*events: DomainEvent) -> PetitionRow:
    return folded(timeline(*events))


def totals(rows: Iterable[PetitionRow]) -> Counter[str]:
    out: Counter[str] = Counter()
    for row in rows:
        out.update(figures(row))
    return out


# -- the row ------------------------------------------------------------------------------


def test_received_row_carries_the_petition_and_no_person() -> None:
    row = row_of(received(citizen_ref="vault-1", cosigner_refs=("vault-2",), conference_id="hn-7"))
    assert row["status"] == "received"
    assert (row["province_code"], row["commune_code"], row["field_code"]) == ("01", "00004", "dat-dai")
    assert (row["channel"], row["legal_type"], row["conference_id"]) == (
        "citizen_reception",
        "complaint",
        "hn-7",
    )
    assert row["received_on"] == date(2026, 3, 2)
    assert row["received_at"] == row["last_event_at"] == T0
    assert "vault-1" not in repr(row) and "vault-2" not in repr(row)


def test_received_on_is_the_day_in_vietnam_unless_the_event_says_earlier() -> None:
    late_evening_utc = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)  # 01:30 on 3 March in Vietnam
    recorded = fold("p", [(received(), late_evening_utc)])
    assert recorded is not None and recorded["received_on"] == date(2026, 3, 3)
    imported = fold("p", [(received(received_on=date(2025, 12, 1)), late_evening_utc)])
    assert imported is not None and imported["received_on"] == date(2025, 12, 1)


def on(day: int) -> datetime:
    """09:00 in Vietnam on that day of March 2026."""
    return datetime(2026, 3, day, 2, 0, tzinfo=UTC)


def test_full_lifecycle_from_received_to_closed() -> None:
    steps: list[tuple[DomainEvent, datetime]] = [
        (received(), on(2)),
        (assigned(promised=date(2026, 3, 5)), on(3)),
        (
            PetitionAccepted(
                agency_code="UBND-XA",
                accepted_on=date(2026, 3, 4),
                late=False,
                statutory=RESOLUTION,
                deadline_version=2,
            ),
            on(4),
        ),
        (extended_promised(date(2026, 3, 5), date(2026, 3, 6)), on(5)),
        (overdue(DeadlineKind.PROMISED, date(2026, 3, 6)), on(7)),
        (answered(), on(8)),
        (
            PetitionAnswerPublished(
                published_on=date(2026, 3, 9),
                channels=(PublicationChannel.WEB_PORTAL, PublicationChannel.HEADQUARTERS_NOTICE_BOARD),
            ),
            on(9),
        ),
        (PetitionFeedbackGiven(satisfied=False, reason="Chưa giải quyết dứt điểm."), on(10)),
        (
            PetitionReopened(
                reason="Người dân chưa đồng ý với kết quả.",
                promised_date=date(2026, 3, 30),
                deadline_version=4,
            ),
            on(11),
        ),
        (answered("Đã đo đạc lại và điều chỉnh mốc giới."), on(20)),
        (PetitionClosed(note="Đã trả lời lần hai.", citizen_satisfied=None), on(21)),
    ]
    rows = [folded(steps[: n + 1]) for n in range(len(steps))]
    assigned_row, accepted_row, extended_row, overdue_row, answered_row = rows[1:6]
    published_row, feedback_row, reopened_row, answered_again, closed = rows[6:]

    assert (assigned_row["status"], assigned_row["agency_code"], assigned_row["officer_ref"]) == (
        "assigned",
        "UBND-XA",
        "cb-17",
    )
    assert assigned_row["assigned_at"] == on(3)
    assert (assigned_row["statutory_clock"], assigned_row["statutory_due"]) == (
        "complaint_acceptance",
        date(2026, 3, 16),
    )
    assert figures(assigned_row)["open"] == 1

    assert accepted_row["accepted_on"] == date(2026, 3, 4) and accepted_row["accepted_late"] is False
    assert (
        accepted_row["statutory_clock"],
        accepted_row["statutory_start"],
        accepted_row["statutory_due"],
    ) == (
        "complaint_first_instance",
        date(2026, 3, 5),
        date(2026, 4, 16),
    )
    assert accepted_row["statutory_days"] == 30 and accepted_row["statutory_extensions"] == 0
    assert accepted_row["promised_date"] == date(2026, 3, 5)

    assert (extended_row["promised_date"], extended_row["promised_extensions"]) == (date(2026, 3, 6), 1)
    assert overdue_row["promised_overdue"] and not overdue_row["statutory_overdue"]
    assert overdue_row["status"] == "assigned"
    assert figures(overdue_row)["open_overdue:promised"] == 1

    assert answered_row["status"] == "answered"
    assert answered_row["answered_at"] == on(8) and answered_row["answered_on"] == date(2026, 3, 8)
    assert answered_row["answer_timeliness"] == "late"
    assert not answered_row["promised_overdue"]  # no deadline can be missed once answered
    assert (answered_row["answering_agency_code"], answered_row["document_number"]) == (
        "UBND-XA",
        "12/TB-UBND",
    )
    assert figures(answered_row)["answer:not_public"] == 1

    assert published_row["answer_published_on"] == date(2026, 3, 9)
    assert published_row["answer_published_channels"] == ("headquarters_notice_board", "web_portal")
    assert feedback_row["feedback_satisfied"] is False
    assert figures(feedback_row)["feedback:not_satisfied"] == 1

    assert reopened_row["status"] == "assigned"  # back to its agency
    assert reopened_row["times_reopened"] == 1
    assert reopened_row["promised_date"] == date(2026, 3, 30)
    assert reopened_row["statutory_clock"] is None  # the statute's clock ended with the answer
    assert reopened_row["answer_published_on"] is None and reopened_row["answer_published_channels"] == ()
    assert reopened_row["feedback_satisfied"] is None and reopened_row["answer_timeliness"] is None
    assert reopened_row["answer_text"] == answered_row["answer_text"]  # still readable

    assert answered_again["answer_text"] == "Đã đo đạc lại và điều chỉnh mốc giới."
    assert answered_again["answer_timeliness"] == "on_time"
    assert closed["status"] == "closed"
    assert closed["last_event_at"] == on(21) and closed["last_seq"] == 11
    assert closed["received_at"] == on(2) and closed["assigned_at"] == on(3)


def test_answer_after_the_promised_day_in_vietnam_is_late() -> None:
    promised = date(2026, 3, 10)
    row = fold(
        "p",
        [
            (received(LegalType.RECOMMENDATION), T0),
            (assigned(promised=promised, statutory=None), at(1)),
            # 17:30 UTC on the 10th is 00:30 on the 11th in Vietnam: a day late.
            (answered(), datetime(2026, 3, 10, 17, 30, tzinfo=UTC)),
        ],
    )
    assert row is not None and row["answered_on"] == date(2026, 3, 11)
    assert row["answer_timeliness"] == "late"
    on_the_day = fold(
        "p",
        [
            (received(LegalType.RECOMMENDATION), T0),
            (assigned(promised=promised, statutory=None), at(1)),
            (answered(), datetime(2026, 3, 10, 16, 30, tzinfo=UTC)),
        ],
    )
    assert on_the_day is not None and on_the_day["answer_timeliness"] == "on_time"


def test_answered_at_the_conference_has_no_promised_date_to_keep() -> None:
    row = row_of(
        received(LegalType.RECOMMENDATION, conference_id=None),
        PetitionDisposedAtConference(conference_id="hn-2026-1", disposition=Disposition.ANSWERED_ON_SPOT),
        answered(),
    )
    assert (row["disposition"], row["conference_id"]) == ("answered_on_spot", "hn-2026-1")
    assert row["answered_at_conference"] is True
    assert row["answer_timeliness"] == "no_promised_date"
    f = figures(row)
    assert f["answer:at_conference"] == 1 and "answer:not_public" not in f


def test_extending_one_deadline_clears_only_its_own_marks() -> None:
    before = row_of(
        received(LegalType.DENUNCIATION),
        assigned(promised=date(2026, 3, 20), statutory=None),
        PetitionAccepted(
            agency_code="CA-TINH",
            accepted_on=date(2026, 3, 5),
            late=True,
            statutory=DENUNCIATION,
            deadline_version=2,
        ),
        overdue(DeadlineKind.PROMISED, date(2026, 3, 20)),
        due_soon(DeadlineKind.STATUTORY, date(2026, 4, 16)),
    )
    assert before["promised_overdue"] and before["statutory_due_soon"]
    statutory = evolve(
        before,
        PetitionDeadlineExtended(
            which=DeadlineKind.STATUTORY,
            previous_due=date(2026, 4, 16),
            new_due=date(2026, 5, 28),
            reason="Vụ việc phức tạp.",
            decision_number="5/QĐ",
            extensions=1,
            after_due=False,
            statutory=DENUNCIATION_EXTENDED,
            deadline_version=4,
        ),
        at(9),
    )
    assert statutory["promised_overdue"] and not statutory["statutory_due_soon"]
    assert (statutory["statutory_due"], statutory["statutory_extensions"]) == (date(2026, 5, 28), 1)
    assert statutory["promised_extensions"] == 0
    promised = evolve(statutory, extended_promised(date(2026, 3, 20), date(2026, 4, 1)), at(10))
    assert not promised["promised_overdue"]
    assert promised["promised_date"] == date(2026, 4, 1) and promised["promised_extensions"] == 1
    assert before["promised_overdue"]  # evolve copies


def test_overdue_replaces_due_soon_of_the_same_deadline() -> None:
    row = row_of(
        received(),
        assigned(),
        due_soon(DeadlineKind.PROMISED, date(2026, 3, 20)),
        due_soon(DeadlineKind.STATUTORY, date(2026, 3, 16)),
        overdue(DeadlineKind.STATUTORY, date(2026, 3, 16)),
    )
    assert (row["promised_due_soon"], row["promised_overdue"]) == (True, False)
    assert (row["statutory_due_soon"], row["statutory_overdue"]) == (False, True)


def test_assignment_without_a_statutory_term_keeps_the_running_clock() -> None:
    row = row_of(
        received(), assigned(statutory=ACCEPTANCE), assigned(promised=date(2026, 3, 25), statutory=None)
    )
    assert row["statutory_clock"] == "complaint_acceptance"
    assert row["promised_date"] == date(2026, 3, 25)


def test_reassignment_keeps_the_clocks_and_may_move_the_promise() -> None:
    row = row_of(
        received(),
        assigned(),
        due_soon(DeadlineKind.STATUTORY, date(2026, 3, 16)),
        PetitionReassigned(
            from_agency_code="UBND-XA",
            agency_code="PHONG-TNMT",
            officer_ref="cb-2",
            reason="Đúng thẩm quyền chuyên môn.",
            promised_date=date(2026, 3, 20),
            deadline_version=1,
        ),
    )
    assert (row["agency_code"], row["officer_ref"], row["status"]) == ("PHONG-TNMT", "cb-2", "assigned")
    assert row["promised_date"] == date(2026, 3, 20) and row["statutory_due_soon"]


def test_escalation_stops_agency_acceptance_and_clocks_until_assigned_again() -> None:
    escalated = row_of(
        received(),
        assigned(),
        PetitionAccepted(
            agency_code="UBND-XA",
            accepted_on=date(2026, 3, 5),
            late=True,
            statutory=RESOLUTION,
            deadline_version=2,
        ),
        due_soon(DeadlineKind.PROMISED, date(2026, 3, 20)),
        PetitionEscalated(
            kind=TransferKind.ESCALATION,
            to_level=UnitLevel.PROVINCE,
            to_unit_code="UBND-TINH-01",
            reason="Vượt thẩm quyền cấp xã.",
            from_agency_code="UBND-XA",
            deadline_version=3,
        ),
    )
    assert escalated["status"] == "escalated"
    assert (escalated["escalated_to_level"], escalated["escalated_to_unit_code"]) == (
        "province",
        "UBND-TINH-01",
    )
    assert escalated["agency_code"] is None and escalated["officer_ref"] is None
    assert escalated["accepted_on"] is None and escalated["accepted_late"] is None
    assert escalated["promised_date"] is None and escalated["statutory_due"] is None
    assert not escalated["promised_due_soon"]
    again = evolve(escalated, assigned(agency_code="SO-TNMT", statutory=None), at(6))
    assert (again["status"], again["agency_code"], again["escalated_to_level"]) == (
        "assigned",
        "SO-TNMT",
        "province",
    )


def test_withdrawn_petition_stops_its_deadlines() -> None:
    row = row_of(
        received(),
        assigned(),
        overdue(DeadlineKind.PROMISED, date(2026, 3, 20)),
        PetitionWithdrawn(reason="Hai bên đã tự hòa giải."),
    )
    assert row["status"] == "withdrawn" and not row["promised_overdue"]
    assert "open" not in figures(row) and "open_overdue:promised" not in figures(row)


def test_merged_duplicate_points_at_its_primary_and_the_primary_counts_it() -> None:
    duplicate = row_of(
        received(), PetitionMergedInto(primary_petition_id="p0", reason="Cùng nội dung với p0.")
    )
    assert (duplicate["status"], duplicate["merged_into"]) == ("merged", "p0")
    primary = row_of(
        received(),
        PetitionAbsorbedDuplicate(duplicate_petition_id="p1", cosigner_refs=("vault-9",)),
        PetitionAbsorbedDuplicate(duplicate_petition_id="p2"),
    )
    assert primary["duplicates_absorbed"] == 2 and primary["status"] == "received"
    assert "vault-9" not in repr(primary)
    assert totals([duplicate, primary])["duplicates_absorbed"] == 2


def test_reopened_without_an_agency_goes_back_to_received() -> None:
    row = row_of(
        received(LegalType.RECOMMENDATION),
        PetitionDisposedAtConference(conference_id="c1", disposition=Disposition.EXPLAINED),
        answered(),
        PetitionReopened(reason="Người dân đề nghị xem xét lại.", promised_date=None, deadline_version=0),
    )
    assert row["status"] == "received" and row["answered_at_conference"] is False
    assert row["times_reopened"] == 1


def test_events_before_received_and_a_second_received_change_nothing() -> None:
    assert fold("p", [(answered(), T0)]) is None
    row = fold("p", [(answered(), T0), (received(), at(1)), (received(code="KN-01-0002"), at(2))])
    assert row is not None and row["code"] == "KN-01-0001" and row["status"] == "received"


# -- figures ------------------------------------------------------------------------------


def test_figures_count_open_overdue_only_while_open() -> None:
    open_late = row_of(
        received(),
        assigned(),
        overdue(DeadlineKind.PROMISED, date(2026, 3, 20)),
        overdue(DeadlineKind.STATUTORY, date(2026, 3, 16)),
    )
    f = figures(open_late)
    assert f == {
        "total": 1,
        "status:assigned": 1,
        "legal_type:complaint": 1,
        "channel:citizen_reception": 1,
        "open": 1,
        "open_overdue:promised": 1,
        "open_overdue:statutory": 1,
        "open_overdue:any": 1,
    }


def test_figures_of_a_late_published_answer_with_feedback() -> None:
    row = row_of(
        received(LegalType.RECOMMENDATION),
        assigned(promised=date(2026, 3, 3), statutory=None),
        PetitionAccepted(
            agency_code="UBND-XA",
            accepted_on=date(2026, 3, 3),
            late=True,
            statutory=RESOLUTION,
            deadline_version=2,
        ),
        answered(),
        PetitionAnswerPublished(published_on=date(2026, 3, 6), channels=(PublicationChannel.LOUDSPEAKER,)),
        PetitionFeedbackGiven(satisfied=True),
    )
    f = figures(row)
    assert f["answer:standing"] == f["answer:late"] == f["answer:published"] == 1
    assert f["feedback:satisfied"] == 1 and f["accepted_late"] == 1
    assert "answer:not_public" not in f and "open" not in f


def test_a_reopened_petition_still_counts_its_earlier_not_satisfied() -> None:
    """Not satisfied, reopened, answered again, satisfied: the figures keep the first feedback
    (it used to vanish once the petition was reopened)."""
    history = [
        received(LegalType.RECOMMENDATION),
        assigned(statutory=None),
        answered(),
        PetitionFeedbackGiven(satisfied=False, reason="Chưa thỏa đáng."),
        PetitionReopened(reason="Xem xét lại.", promised_date=date(2026, 3, 28), deadline_version=2),
    ]
    reopened = row_of(*history)
    assert (reopened["feedback_satisfied"], reopened["times_not_satisfied"]) == (None, 1)
    assert figures(reopened)["feedback:ever_not_satisfied"] == 1
    again = row_of(
        *history, answered("Đã điều chỉnh phương án bồi thường."), PetitionFeedbackGiven(satisfied=True)
    )
    f = figures(again)
    assert (f["feedback:satisfied"], f["feedback:ever_not_satisfied"], f["feedback:not_satisfied_times"]) == (
        1,
        1,
        1,
    )
    assert "feedback:not_satisfied" not in f
    # Event by event, as the live consumer applies them: the same row as the fold.
    first, *rest = timeline(
        *history, answered("Đã điều chỉnh phương án bồi thường."), PetitionFeedbackGiven(satisfied=True)
    )
    row = folded([first])
    for event, when in rest:
        row = evolve(row, event, when)
    assert row["times_not_satisfied"] == again["times_not_satisfied"] == 1


def test_summary_of_several_petitions() -> None:
    rows = [
        row_of(received(), assigned(), overdue(DeadlineKind.PROMISED, date(2026, 3, 20))),
        row_of(received(LegalType.RECOMMENDATION), assigned(statutory=None), answered()),
        row_of(
            received(LegalType.RECOMMENDATION),
            assigned(statutory=None),
            answered(),
            PetitionFeedbackGiven(satisfied=False, reason="Chưa thỏa đáng."),
            PetitionReopened(reason="Xem xét lại.", promised_date=date(2026, 3, 28), deadline_version=2),
            PetitionReopened(reason="Xem xét lại lần nữa.", promised_date=None, deadline_version=3),
        ),
        row_of(received(channel=Channel.ONLINE), PetitionWithdrawn(reason="Đã tự giải quyết.")),
    ]
    summary = summarise(totals(rows))
    assert summary["total"] == 4
    assert summary["by_status"] == {"assigned": 2, "answered": 1, "withdrawn": 1}
    assert summary["by_legal_type"] == {"complaint": 2, "recommendation": 2}
    assert summary["by_channel"] == {"citizen_reception": 3, "online": 1}
    assert summary["open"] == 2
    assert summary["open_overdue"] == {"promised": 1, "statutory": 0, "any": 1}
    assert summary["open_due_soon"] == {"promised": 0, "statutory": 0, "any": 0}
    assert summary["answers"] == {
        "standing": 1,
        "on_time": 1,
        "late": 0,
        "no_promised_date": 0,
        "published": 0,
        "at_conference": 0,
        "not_public": 1,
    }
    # Reopening clears the feedback on the answer that no longer stands, not its history.
    assert summary["feedback"] == {
        "satisfied": 0,
        "not_satisfied": 0,
        "ever_not_satisfied": 1,
        "not_satisfied_times": 1,
    }
    assert summary["reopened"] == {"petitions": 1, "times": 2}
    PetitionStats.model_validate(
        {"generation": 1, "province_code": None, "commune_code": None, **summary, "events_applied": {}}
    )


def test_a_row_is_a_table_row_and_an_http_answer() -> None:
    row = row_of(
        received(),
        assigned(),
        answered(),
        PetitionAnswerPublished(published_on=date(2026, 3, 6), channels=(PublicationChannel.MASS_MEDIA,)),
    )
    assert set(row) == set(generation_tables(1).petitions.columns.keys())
    view = PetitionStatusView.model_validate(row)
    assert view.answer_published_channels == [PublicationChannel.MASS_MEDIA]
    assert view.status == "answered"
