"""Conference plans, and planned-versus-held.

A plan is its own aggregate (id from `plan_id`): a unit's Standing Board issues "Kế hoạch tổ
chức hội nghị tiếp xúc, đối thoại" for a year (Sa Pa 2023: at least 68 conferences, one per
quarter in each commune and ward, four at town level) before any of those conferences is
scheduled, and revises it as a whole. No decision about a single conference needs the plan, so
conferences do not reference it: a conference counts against the plan line of its unit whose
period contains the date it was first planned for. Planned-versus-held is derived, never
stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import (
    ConferenceKind,
    ConferencePlanSet,
    PlannedConferences,
    UnitLevel,
)
from langnghe.intake.domain.conference import (
    TWO_LEVEL_GOVERNMENT_SINCE,
    ConferenceRuleBroken,
    ConferenceState,
    Status,
)

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar year, or one of its quarters."""

    year: int
    quarter: int | None = None

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        if self.quarter is None or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}-Q{self.quarter}"


def plan_id(issuer_unit_code: str, year: int, quarter: int | None = None) -> str:
    """Deterministic aggregate id: one plan per issuer and period, revised in place."""
    if not _TOKEN.fullmatch(issuer_unit_code):
        raise ConferenceRuleBroken(
            "conference.plan_issuer_invalid",
            "Mã đơn vị ban hành kế hoạch chỉ gồm chữ, số, '-' và '_'.",
            "issuer_unit_code",
        )
    return f"plan-{issuer_unit_code}-{Period(year, quarter)}".lower()


@dataclass(frozen=True)
class PlanState:
    exists: bool = False
    province_code: str | None = None
    issuer_unit_code: str | None = None
    kind: ConferenceKind = ConferenceKind.DIALOGUE_CONFERENCE
    period: Period | None = None
    lines: tuple[PlannedConferences, ...] = ()
    document_number: str | None = None
    document_date: date | None = None
    revisions: int = 0
    version: int = 0

    @property
    def planned_total(self) -> int:
        return sum(line.count for line in self.lines)


def evolve(state: PlanState, event: DomainEvent, occurred_at: datetime) -> PlanState:
    state = replace(state, version=state.version + 1)
    if isinstance(event, ConferencePlanSet):
        return replace(
            state,
            exists=True,
            province_code=event.province_code,
            issuer_unit_code=event.issuer_unit_code,
            kind=event.kind,
            period=Period(event.year, event.quarter),
            lines=event.lines,
            document_number=event.document_number,
            document_date=event.document_date,
            revisions=state.revisions + (1 if state.exists else 0),
        )
    return state


def fold(events: Iterable[tuple[DomainEvent, datetime]]) -> PlanState:
    state = PlanState()
    for event, occurred_at in events:
        state = evolve(state, event, occurred_at)
    return state


@dataclass(frozen=True)
class SetConferencePlan:
    province_code: str
    issuer_unit_code: str
    year: int
    lines: tuple[PlannedConferences, ...]
    quarter: int | None = None
    kind: ConferenceKind = ConferenceKind.DIALOGUE_CONFERENCE
    document_number: str | None = None
    document_date: date | None = None


def decide_set_plan(state: PlanState, cmd: SetConferencePlan, today: date) -> list[DomainEvent]:
    if state.exists and (state.issuer_unit_code, state.period) != (
        cmd.issuer_unit_code,
        Period(cmd.year, cmd.quarter),
    ):
        raise ConferenceRuleBroken(
            "conference.plan_identity_changed",
            "Không thể đổi đơn vị ban hành hoặc kỳ của một kế hoạch đã có; hãy lập kế hoạch mới.",
            "issuer_unit_code",
            status=409,
        )
    if cmd.quarter is not None and not 1 <= cmd.quarter <= 4:
        raise ConferenceRuleBroken("conference.plan_quarter_invalid", "Quý phải từ 1 đến 4.", "quarter")
    if not cmd.lines:
        raise ConferenceRuleBroken(
            "conference.plan_empty", "Kế hoạch cần ít nhất một dòng: đơn vị, kỳ và số hội nghị.", "lines"
        )
    if cmd.document_date is not None and cmd.document_date > today:
        raise ConferenceRuleBroken(
            "conference.plan_document_in_future",
            "Ngày ban hành kế hoạch không thể sau ngày hôm nay.",
            "document_date",
        )
    seen: dict[str, set[int | None]] = {}
    for n, line in enumerate(cmd.lines):
        field = f"lines[{n}]"
        if line.quarter is not None and cmd.quarter is not None and line.quarter != cmd.quarter:
            raise ConferenceRuleBroken(
                "conference.plan_line_outside_period",
                f"Dòng {n + 1}: kế hoạch quý {cmd.quarter} không thể có hội nghị của quý {line.quarter}.",
                f"{field}.quarter",
            )
        quarters = seen.setdefault(line.unit_code, set())
        if line.quarter in quarters:
            raise ConferenceRuleBroken(
                "conference.plan_duplicate_line",
                f"Dòng {n + 1}: đơn vị {line.unit_code} đã có một dòng cho cùng kỳ.",
                field,
            )
        if (None in quarters) != (line.quarter is None) and quarters:
            raise ConferenceRuleBroken(
                "conference.plan_mixed_periods",
                f"Dòng {n + 1}: đơn vị {line.unit_code} không thể vừa có chỉ tiêu cả năm "
                "vừa có chỉ tiêu theo quý.",
                f"{field}.quarter",
            )
        quarters.add(line.quarter)
        line_period = Period(cmd.year, line.quarter if line.quarter is not None else cmd.quarter)
        if line.level is UnitLevel.DISTRICT and line_period.end >= TWO_LEVEL_GOVERNMENT_SINCE:
            raise ConferenceRuleBroken(
                "conference.district_level_abolished",
                f"Dòng {n + 1}: từ ngày 01/7/2025 không còn cấp huyện; hãy chọn cấp tỉnh hoặc cấp xã.",
                f"{field}.level",
            )
    if state.exists and (state.kind, state.lines, state.document_number, state.document_date) == (
        cmd.kind,
        cmd.lines,
        cmd.document_number,
        cmd.document_date,
    ):
        return []  # the same plan again changes nothing
    return [
        ConferencePlanSet(
            province_code=cmd.province_code,
            issuer_unit_code=cmd.issuer_unit_code,
            kind=cmd.kind,
            year=cmd.year,
            quarter=cmd.quarter,
            lines=cmd.lines,
            document_number=cmd.document_number,
            document_date=cmd.document_date,
        )
    ]


# -- planned versus held -------------------------------------------------------------------


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
