"""The one refusal every domain rule raises.

A refusal carries a stable machine code (`petition.not_assigned`), the offending field, a
Vietnamese message a clerk can act on, and the kind of refusal as the HTTP status it maps to:
404 something it names does not exist, 409 it exists but its state forbids the command,
422 the command's own values are wrong. Each area names its refusals with a subclass
(`PetitionRuleBroken`, `ConferenceRuleBroken`, ...) so code can catch one area's refusals;
the subclasses add nothing else. The HTTP layer maps the base class once, for every service.
"""

from __future__ import annotations

NOT_FOUND = 404
CONFLICT = 409
INVALID = 422


class DomainError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None, status: int = INVALID) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, field={self.field!r}, status={self.status})"
