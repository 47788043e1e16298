"""Planned versus held: each line of a conference plan (`plan.PlanState`) against the
conferences attributed to it, derived from their states whenever asked, never stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from langnghe.contracts.events.conference import ConferenceKind, PlannedConferences, UnitLevel
from langnghe.intake.domain.conference import ConferenceState, Status
from langnghe.intake.domain.plan import Period, PlanState


@dataclass(frozen=True)
class PlanProgress:
    """One plan line against the conferences attributed to it.

    A conference is attributed to the line of its unit whose period contains the date it was
    *first* planned for; it is `held_on_time` when it was held within that period, so one
    postponed into the next quarter counts as held, but late.
    """

    unit_code: str
    level: UnitLevel
    period: Period
    planned: int
    scheduled: int = 0
    held: int = 0
    held_on_time: int = 0
    cancelled: int = 0
    pending: int = 0

    @property
    def shortfall(self) -> int:
        return max(self.planned - self.held, 0)

    @property
    def met(self) -> bool:
        return self.held >= self.planned


def _line_period(plan: PlanState, line: PlannedConferences) -> Period:
    assert plan.period is not None
    return Period(plan.period.year, line.quarter if line.quarter is not None else plan.period.quarter)


def plan_progress(plan: PlanState, conferences: Iterable[ConferenceState]) -> tuple[PlanProgress, ...]:
    """Planned, scheduled, held, held on time, cancelled and pending, per plan line (unit and period)."""
    if not plan.exists:
        return ()
    rows = {
        (line.unit_code, _line_period(plan, line)): PlanProgress(
            line.unit_code, line.level, _line_period(plan, line), line.count
        )
        for line in plan.lines
    }
    by_unit: dict[str, list[Period]] = {}
    for unit_code, line_period in rows:
        by_unit.setdefault(unit_code, []).append(line_period)
    for conference in conferences:
        if conference.kind is not plan.kind or conference.unit_code is None:
            continue
        first_planned = conference.original_planned_on
        if first_planned is None:
            continue
        period = next((p for p in by_unit.get(conference.unit_code, ()) if p.contains(first_planned)), None)
        if period is None:
            continue  # ad hoc, or another unit's or period's conference
        row = rows[(conference.unit_code, period)]
        held = conference.is_held
        on_time = held and conference.held_on is not None and period.contains(conference.held_on)
        rows[(conference.unit_code, period)] = replace(
            row,
            scheduled=row.scheduled + 1,
            held=row.held + held,
            held_on_time=row.held_on_time + on_time,
            cancelled=row.cancelled + (conference.status is Status.CANCELLED),
            pending=row.pending + (conference.status in (Status.SCHEDULED, Status.ANNOUNCED)),
        )
    return tuple(sorted(rows.values(), key=lambda r: (r.unit_code, r.period)))


@dataclass(frozen=True)
class PlanTotals:
    planned: int = 0
    scheduled: int = 0
    held: int = 0
    held_on_time: int = 0
    cancelled: int = 0
    pending: int = 0
    shortfall: int = 0


def plan_totals(progress: Iterable[PlanProgress]) -> PlanTotals:
    """Totals over lines; the shortfall is summed per line (a surplus in one commune does not
    make up for a commune that held none)."""
    totals = PlanTotals()
    for row in progress:
        totals = PlanTotals(
            planned=totals.planned + row.planned,
            scheduled=totals.scheduled + row.scheduled,
            held=totals.held + row.held,
            held_on_time=totals.held_on_time + row.held_on_time,
            cancelled=totals.cancelled + row.cancelled,
            pending=totals.pending + row.pending,
            shortfall=totals.shortfall + row.shortfall,
        )
    return totals


def communes_without_annual_dialogue(
    conferences: Iterable[ConferenceState], commune_codes: Iterable[str], year: int
) -> tuple[str, ...]:
    """Communes that held no dialogue conference in `year` (LGO 2025 Art. 43 as reported — at
    least once a year; UNCONFIRMED)."""
    held = {
        c.unit_code
        for c in conferences
        if c.kind is ConferenceKind.DIALOGUE_CONFERENCE
        and c.level is UnitLevel.COMMUNE
        and c.is_held
        and c.held_on is not None
        and c.held_on.year == year
    }
    return tuple(code for code in dict.fromkeys(commune_codes) if code not in held)
