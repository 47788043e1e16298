"""The legal clock as tracking uses it: a port, so decisions stay pure and tests can pass their
own. `STATUTE_CLOCK` is the real one, built on `langnghe.domain.clocks` and the Vietnamese
working-day calendar.

Which clock a legal type runs, and from when (statutes.py, `counts_from`):

| legal type | from receipt | from acceptance (thụ lý) |
| --- | --- | --- |
| complaint | acceptance, 10 days | first instance 30 (45/60), second instance 45 (60/70) |
| denunciation | — (no acceptance clock is encoded) | 30 days, up to two 30-day extensions |
| voters' petition | answer, 60 days | — (no acceptance) |
| recommendation, reflection | — (promised date only) | — |
"""

from __future__ import annotations

from datetime import date
from typing import Final, Protocol

from langnghe.contracts.events.petition import ComplaintInstance, LegalType, StatutoryTerm
from langnghe.domain.clocks import (
    COMPLAINT_ACCEPTANCE,
    VIETNAM,
    ComplaintStage,
    DueState,
    StatutoryDeadline,
    WorkingCalendar,
    deadline_for,
    due_state,
    extended_due,
    statute_by_code,
    statutory_deadline,
)

#: Legal types whose resolution clock starts only when the agency accepts the matter (thụ lý).
ACCEPTANCE_REQUIRED: Final = frozenset({LegalType.COMPLAINT, LegalType.DENUNCIATION})

_STAGES: Final = {
    ComplaintInstance.FIRST: ComplaintStage.FIRST_INSTANCE,
    ComplaintInstance.SECOND: ComplaintStage.SECOND_INSTANCE,
}


class LegalClock(Protocol):
    def on_receipt(self, legal_type: LegalType, received_on: date) -> StatutoryTerm | None:
        """The clock that runs from receipt, if any (before acceptance, for types that need it)."""
        ...

    def on_acceptance(
        self,
        legal_type: LegalType,
        accepted_on: date,
        *,
        instance: ComplaintInstance | None,
        complex_case: bool,
        remote_area: bool,
    ) -> StatutoryTerm | None:
        """The resolution clock that runs from acceptance, if the type has one."""
        ...

    def extend(self, term: StatutoryTerm) -> StatutoryTerm:
        """One more statutory extension; raises `ClockRuleBroken` when the statute allows none."""
        ...

    def due_state(self, due: date, today: date) -> DueState: ...


def _term(deadline: StatutoryDeadline) -> StatutoryTerm:
    return StatutoryTerm(
        clock=deadline.policy_code,
        start=deadline.start,
        due=deadline.due,
        days=deadline.days,
        extensions=deadline.extensions,
    )


class StatuteClock:
    """`LegalClock` over the statutes in `langnghe.domain.clocks`."""

    def __init__(self, calendar: WorkingCalendar = VIETNAM) -> None:
        self._calendar = calendar

    def on_receipt(self, legal_type: LegalType, received_on: date) -> StatutoryTerm | None:
        if legal_type is LegalType.COMPLAINT:
            return _term(deadline_for(COMPLAINT_ACCEPTANCE, received_on, calendar=self._calendar))
        if legal_type is LegalType.VOTERS_PETITION:
            deadline = statutory_deadline(legal_type.value, received_on, calendar=self._calendar)
            return _term(deadline) if deadline is not None else None
        return None

    def on_acceptance(
        self,
        legal_type: LegalType,
        accepted_on: date,
        *,
        instance: ComplaintInstance | None,
        complex_case: bool,
        remote_area: bool,
    ) -> StatutoryTerm | None:
        if legal_type not in ACCEPTANCE_REQUIRED:
            return None
        deadline = statutory_deadline(
            legal_type.value,
            accepted_on,
            stage=_STAGES[instance or ComplaintInstance.FIRST] if legal_type is LegalType.COMPLAINT else None,
            complex_case=complex_case,
            remote_area=remote_area,
            calendar=self._calendar,
        )
        return _term(deadline) if deadline is not None else None

    def extend(self, term: StatutoryTerm) -> StatutoryTerm:
        policy = statute_by_code(term.clock)
        current = StatutoryDeadline(
            policy_code=term.clock,
            start=term.start,
            due=term.due,
            days=term.days,
            day_kind=policy.day_kind,
            confirmed=policy.confirmed,
            extensions=term.extensions,
        )
        return _term(extended_due(current, calendar=self._calendar))

    def due_state(self, due: date, today: date) -> DueState:
        return due_state(due, today, calendar=self._calendar)


STATUTE_CLOCK: Final[LegalClock] = StatuteClock()
