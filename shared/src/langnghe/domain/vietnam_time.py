"""The calendar day in Vietnam (UTC+7, no daylight saving since 1975, so a fixed offset needs
no time-zone database). Dates in commands (held on, promised) are local dates, legal clocks
count local days, and "not after today" means today in Vietnam: from 00:00 to 07:00 local
time it differs from the day in UTC."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Final

VIETNAM_TIME: Final = timezone(timedelta(hours=7), "ICT")


def vietnam_date(moment: datetime) -> date:
    return moment.astimezone(VIETNAM_TIME).date()
