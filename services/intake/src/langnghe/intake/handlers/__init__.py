"""Intake's command handlers, one module per concept: load, decide (the domain's decision),
append. They translate nothing and decide nothing themselves."""

from langnghe.intake.handlers.petitions import (
    Accepted,
    IdempotencyKeyReused,
    fingerprint,
    new_petition_id,
    submit_petition,
)

__all__ = ["Accepted", "IdempotencyKeyReused", "fingerprint", "new_petition_id", "submit_petition"]
