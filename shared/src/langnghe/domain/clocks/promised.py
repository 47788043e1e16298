"""A province's default promised dates (hẹn thời gian giải quyết), per field of concern.

The promised date is what the answering agency commits to; when the clerk does not set one, the
province's default for the petition's field applies. Configuration is read at the edge and handed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Final

from langnghe.domain.clocks.calendar import VIETNAM, WorkingCalendar, deadline_after
from langnghe.domain.clocks.day_kind import DayKind

FIELD_CODE: Final = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class PromisedDateRule:
    days: int
    day_kind: DayKind = DayKind.WORKING

    def __post_init__(self) -> None:
        if self.days <= 0:
            raise ValueError("a promised-date default needs at least one day")


@dataclass(frozen=True)
class ProvinceDeadlineDefaults:
    province_code: str
    fallback: PromisedDateRule  # for petitions with no field, or a field the province did not configure
    by_field: Mapping[str, PromisedDateRule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.province_code:
            raise ValueError("province_code is required")
        bad = sorted(code for code in self.by_field if not FIELD_CODE.fullmatch(code))
        if bad:
            raise ValueError(f"field codes must be lowercase ASCII identifiers: {bad}")
        object.__setattr__(self, "by_field", MappingProxyType(dict(self.by_field)))

    def rule_for(self, field_code: str | None) -> PromisedDateRule:
        if field_code is None:
            return self.fallback
        return self.by_field.get(field_code, self.fallback)


def promised_date_default(
    config: ProvinceDeadlineDefaults,
    field_code: str | None,
    start: date,
    *,
    calendar: WorkingCalendar = VIETNAM,
) -> date:
    rule = config.rule_for(field_code)
    return deadline_after(start, rule.days, rule.day_kind, calendar=calendar)
