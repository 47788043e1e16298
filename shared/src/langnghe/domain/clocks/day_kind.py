"""The two units a legal clock can count in."""

from __future__ import annotations

from enum import StrEnum


class DayKind(StrEnum):
    """Calendar days (ngày) or working days (ngày làm việc).

    Vietnamese statutes say "ngày làm việc" when they mean working days; a bare "ngày" is read as a
    calendar day (as secondary legal sources read it) unless the statute's own entry in
    `unconfirmed.py` says otherwise.
    """

    CALENDAR = "calendar"
    WORKING = "working"
