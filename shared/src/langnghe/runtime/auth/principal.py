"""A verified caller: a role, the unit it acts for, and for an agency officer its agency.

Jurisdiction follows the unit tree: a province-level role covers the province and its
communes; a commune-level role covers that commune only. Nothing here reads a token: the
authenticator builds a `Principal` from one it has verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from langnghe.domain.units.current import is_current_code, unit


class Role(StrEnum):
    PUBLIC = "public"
    """Anonymous: submits online, looks up their own petition, reads what was published."""
    CLERK = "clerk"
    """Of a unit: submits on behalf of citizens, schedules conferences, files plans."""
    AGENCY_OFFICER = "agency_officer"
    """Of an agency: accepts, extends and answers the cases assigned to that agency."""
    UNIT_LEADER = "unit_leader"
    """Assigns, reassigns, escalates, approves and publishes answers in the unit."""
    MTTQ_OVERSEER = "mttq_overseer"
    """Of the Fatherland Front of a unit: reads everything in it, supervises; changes no case."""
    OPS = "ops"
    """Provisions, rebuilds, re-drives, reads lag; sees no petition content and no contact."""


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    """The identity provider's stable id of the user (the token's `sub`)."""
    role: Role
    unit_code: str | None = None
    """A current province or commune code; None only for the anonymous public."""
    agency_code: str | None = None
    """For an agency officer: the agency whose cases they handle."""

    @property
    def is_anonymous(self) -> bool:
        return self.role is Role.PUBLIC

    def covers(self, unit_code: str | None) -> bool:
        """Whether `unit_code` (a province or a commune) lies in this principal's jurisdiction."""
        if self.unit_code is None or unit_code is None:
            return False
        if unit_code == self.unit_code:
            return True
        if not is_current_code(unit_code) or not is_current_code(self.unit_code):
            return False
        return unit(unit_code).parent_code == self.unit_code

    def covers_place(self, province_code: str, commune_code: str | None = None) -> bool:
        """For a record placed by province and maybe commune: the commune when known, else the province."""
        return self.covers(commune_code) if commune_code else self.covers(province_code)


ANONYMOUS = Principal(subject="anonymous", role=Role.PUBLIC)
