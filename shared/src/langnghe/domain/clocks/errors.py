"""The refusal every clock rule raises, shaped like the services' domain errors: a stable machine
code, the offending field, and a Vietnamese message a clerk can act on."""

from __future__ import annotations

from langnghe.domain.errors import DomainError


class ClockRuleBroken(DomainError):
    """A deadline rule refused the dates it was given."""
