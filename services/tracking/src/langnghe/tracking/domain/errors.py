"""The refusal every petition rule raises: a stable machine code (`petition.<reason>`), the
offending field, a Vietnamese message a clerk can act on, and the HTTP status it maps to
(404 no such petition, 409 not in this state, 422 the command's own values are wrong)."""

from __future__ import annotations

from langnghe.domain.errors import DomainError


class PetitionRuleBroken(DomainError):
    """A petition rule refused the command (codes `petition.<reason>`)."""
