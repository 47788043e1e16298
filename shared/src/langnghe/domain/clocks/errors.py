"""The refusal every clock rule raises, shaped like the services' domain errors: a stable machine
code, the offending field, and a Vietnamese message a clerk can act on."""

from __future__ import annotations


class ClockRuleBroken(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
