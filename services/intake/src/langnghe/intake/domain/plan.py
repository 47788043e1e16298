"""Conference plans, and planned-versus-held.

A plan is its own aggregate (id from `plan_id`): a unit's Standing Board issues "Kế hoạch tổ
chức hội nghị tiếp xúc, đối thoại" for a year (Sa Pa 2023: at least 68 conferences, one per
quarter in each commune and ward, four at town level) before any of those conferences is
scheduled, and revises it as a whole. No decision about a single conference needs the plan, so
conferences do not reference it: a conference counts against the plan line of its unit whose
period contains the date it was first planned for. Planned-versus-held is derived, never
stored (`plan_progress`).
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
