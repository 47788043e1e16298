"""The Vietnamese working-day calendar and the day-counting rule every clock uses.

Counting rule (Bộ luật Dân sự 2015, Art. 147(2) and Art. 148(1), (5); thuvienphapluat.vn Q&A):
- the day of the event is not counted: the day after the start is day 1;
- a period in days ends at the end of its last day;
- if that last day is a weekend or a public holiday, the period ends at the end of the next
  working day (`ends_on_working_day`).
Art. 145(1) lets a special law provide otherwise; none of the statutes in statutes.py does, as far as
the sources go. For working-day periods, day 1 is the first working day after the start.

A working day is Monday to Friday (state bodies work a 40-hour week, Saturday and Sunday off),
minus the public holidays of the `holidays` package (Tết from the lunar calendar, nghỉ bù, known
swaps), adjusted by `DayOverride`s (swapped days off, make-up working Saturdays).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Final

import holidays

from langnghe.domain.clocks.day_kind import DayKind
from langnghe.domain.clocks.overrides import ANNOUNCED_OVERRIDES, DayOverride, OverrideKind
from langnghe.domain.clocks.unconfirmed import VIETNAM_CULTURE_DAY_OFF

ONE_DAY: Final = timedelta(days=1)
SATURDAY: Final = 5
CULTURE_DAY_NAME: Final = "Vietnam Cultural Day"  # the holidays package's en_US name for 24/11


@lru_cache(maxsize=64)
def _package_holidays(year: int) -> Mapping[date, str]:
    # Loaded lazily, one year at a time; English names so the culture-day match does not depend on
    # the package's default language.
    found = holidays.country_holidays("VN", years=year, language="en_US")
    return MappingProxyType({day: str(name) for day, name in found.items()})


def _is_only_culture_day(name: str) -> bool:
    return all(CULTURE_DAY_NAME in part for part in name.split("; "))


class WorkingCalendar:
    """Immutable: `with_overrides` returns a new calendar."""

    def __init__(
        self,
        overrides: Iterable[DayOverride] = ANNOUNCED_OVERRIDES,
        *,
        vietnam_culture_day_off: bool = VIETNAM_CULTURE_DAY_OFF.value,
    ) -> None:
        by_day: dict[date, DayOverride] = {}
        for override in overrides:
            earlier = by_day.get(override.day)
            if earlier is not None and earlier.kind is not override.kind:
                raise ValueError(f"conflicting overrides for {override.day.isoformat()}")
            by_day[override.day] = override
        self._overrides: Mapping[date, DayOverride] = MappingProxyType(by_day)
        self._culture_day_off = vietnam_culture_day_off
        self._holidays_by_year: dict[int, frozenset[date]] = {}  # a cache, not state

    @property
    def overrides(self) -> tuple[DayOverride, ...]:
        return tuple(sorted(self._overrides.values(), key=lambda o: o.day))

    def with_overrides(self, extra: Iterable[DayOverride]) -> WorkingCalendar:
        """A calendar with `extra` added; an extra entry replaces an existing one for the same day."""
        merged = dict(self._overrides)
        merged.update({override.day: override for override in extra})
        return WorkingCalendar(merged.values(), vietnam_culture_day_off=self._culture_day_off)

    def public_holidays(self, year: int) -> frozenset[date]:
        """The package's holidays for `year` (weekday or not), before overrides."""
        found = self._holidays_by_year.get(year)
        if found is None:
            found = frozenset(
                day
                for day, name in _package_holidays(year).items()
                if self._culture_day_off or not _is_only_culture_day(name)
            )
            self._holidays_by_year[year] = found
        return found

    def holiday_name(self, day: date) -> str | None:
        """The package's English name for `day`, or the override's Vietnamese name for a day off."""
        override = self._overrides.get(day)
        if override is not None:
            return override.name_vi if override.kind is OverrideKind.DAY_OFF else None
        return _package_holidays(day.year).get(day) if day in self.public_holidays(day.year) else None

    def is_working_day(self, day: date) -> bool:
        override = self._overrides.get(day)
        if override is not None:
            return override.kind is OverrideKind.WORKING_DAY
        if day.weekday() >= SATURDAY:
            return False
        return day not in self.public_holidays(day.year)


VIETNAM: Final = WorkingCalendar()


def is_working_day(day: date, *, calendar: WorkingCalendar = VIETNAM) -> bool:
    return calendar.is_working_day(day)


def add_calendar_days(start: date, n: int) -> date:
    """Day `n` of a calendar-day period starting on `start` (the day after `start` is day 1)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    return start + timedelta(days=n)


def add_working_days(start: date, n: int, *, calendar: WorkingCalendar = VIETNAM) -> date:
    """The `n`-th working day after `start` (`start` itself is never counted; n == 0 gives `start`)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day = start
    counted = 0
    while counted < n:
        day += ONE_DAY
        if calendar.is_working_day(day):
            counted += 1
    return day


def working_days_between(a: date, b: date, *, calendar: WorkingCalendar = VIETNAM) -> int:
    """Working days in (a, b]: the inverse of `add_working_days`; negative when b is before a."""
    if b < a:
        return -working_days_between(b, a, calendar=calendar)
    count = 0
    day = a
    while day < b:
        day += ONE_DAY
        if calendar.is_working_day(day):
            count += 1
    return count


def ends_on_working_day(day: date, *, calendar: WorkingCalendar = VIETNAM) -> date:
    """`day`, or the next working day if `day` is a weekend or holiday (Bộ luật Dân sự 2015, Art. 148(5))."""
    while not calendar.is_working_day(day):
        day += ONE_DAY
    return day


def deadline_after(start: date, days: int, kind: DayKind, *, calendar: WorkingCalendar = VIETNAM) -> date:
    """The last day of a period of `days` `kind` days that starts on `start`, by the counting rule above."""
    if kind is DayKind.WORKING:
        return add_working_days(start, days, calendar=calendar)
    return ends_on_working_day(add_calendar_days(start, days), calendar=calendar)
