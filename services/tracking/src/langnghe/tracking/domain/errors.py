"""The refusal every petition rule raises: a stable machine code (`petition.<reason>`), the
offending field, a Vietnamese message a clerk can act on, and the HTTP status it maps to
(404 no such petition, 409 not in this state, 422 the command's own values are wrong)."""

from __future__ import annotations


class PetitionRuleBroken(Exception):
    def __init__(self, code: str, message: str, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status

    def __repr__(self) -> str:
        return f"PetitionRuleBroken({self.code!r}, field={self.field!r}, status={self.status})"
