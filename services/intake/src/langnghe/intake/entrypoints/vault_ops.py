"""`GET /ops/vault`: submissions whose event the store has not confirmed, and the last sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from langnghe.intake.adapters.vault import Vault


class SweepReportOut(BaseModel):
    at: str
    older_than_s: float
    checked: int
    appended: int = Field(description="Events the sweeper stored (they had never arrived)")
    already_stored: int = Field(description="Events that had arrived; only the mark was missing")
    unfinishable: list[str] = Field(description="Idempotency keys it could not finish (reported, kept)")
    remaining: int


class VaultSettlement(BaseModel):
    unsettled: int = Field(description="Submissions whose event the store has not confirmed yet")
    unsettled_older_than_age: int = Field(description="Of those, older than the sweeper's age")
    sweep_age_s: float
    last_sweep: SweepReportOut | None = None


router = APIRouter(tags=["vận hành (operations)"])


@router.get(
    "/ops/vault",
    response_model=VaultSettlement,
    summary="Submissions not yet confirmed by the event store, and the vault sweeper's last run",
)
async def vault_settlement(request: Request) -> dict[str, Any]:
    vault: Vault = request.app.state.vault
    age: float = request.app.state.vault_sweep_age_s
    last = request.app.state.last_sweep
    return {
        "unsettled": await vault.count_unsettled(),
        "unsettled_older_than_age": await vault.count_unsettled(datetime.now(UTC) - timedelta(seconds=age)),
        "sweep_age_s": age,
        "last_sweep": last.as_dict() if last is not None else None,
    }
