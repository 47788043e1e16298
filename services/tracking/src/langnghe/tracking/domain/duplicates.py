"""Duplicates: a petition raising the same matter as another is merged into it (the primary),
and its citizens become co-signers there. Two aggregates, two decisions: the duplicate decides
with the primary's state at hand; the primary absorbs in reaction to `petition.merged_into`."""

from __future__ import annotations

from datetime import date

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import LegalType, PetitionAbsorbedDuplicate, PetitionMergedInto
from langnghe.tracking.domain.commands import AbsorbDuplicate, MergeAsDuplicate
from langnghe.tracking.domain.errors import PetitionRuleBroken
from langnghe.tracking.domain.guards import (
    not_found,
    require_not_ended,
    require_open,
    require_reason,
    unique,
)
from langnghe.tracking.domain.state import PetitionState, Status


def decide_merge(
    state: PetitionState, cmd: MergeAsDuplicate, today: date, *, primary: PetitionState
) -> list[DomainEvent]:
    require_open(state)
    primary_id = cmd.primary_petition_id
    if not primary_id or primary_id == cmd.petition_id:
        raise PetitionRuleBroken(
            "petition.merge_into_self", "Hãy chọn một kiến nghị khác để gộp vào.", "primary_petition_id"
        )
    if not primary.exists:
        raise not_found("primary_petition_id")
    if primary.status is Status.MERGED:
        raise PetitionRuleBroken(
            "petition.primary_merged",
            f"Kiến nghị chính đã được gộp vào kiến nghị {primary.merged_into}; hãy gộp vào kiến nghị đó.",
            "primary_petition_id",
            409,
        )
    if primary.status in (Status.CLOSED, Status.WITHDRAWN):
        raise PetitionRuleBroken(
            "petition.primary_ended",
            "Kiến nghị chính đã kết thúc hoặc đã được rút; không thể gộp vào.",
            "primary_petition_id",
            409,
        )
    if LegalType.DENUNCIATION in (state.legal_type, primary.legal_type):
        raise PetitionRuleBroken(
            "petition.denunciation_cannot_merge",
            "Không gộp tố cáo với kiến nghị khác: danh tính người tố cáo phải được giữ bí mật.",
            "primary_petition_id",
        )
    if state.legal_type != primary.legal_type:
        raise PetitionRuleBroken(
            "petition.merge_legal_type_mismatch",
            "Chỉ gộp các kiến nghị cùng loại (kiến nghị, phản ánh, khiếu nại, kiến nghị cử tri).",
            "primary_petition_id",
        )
    if state.province_code != primary.province_code:
        raise PetitionRuleBroken(
            "petition.merge_across_provinces",
            "Chỉ gộp các kiến nghị tiếp nhận trong cùng một tỉnh, thành phố.",
            "primary_petition_id",
        )
    reason = require_reason(cmd.reason)
    return [
        PetitionMergedInto(primary_petition_id=primary_id, reason=reason, cosigner_refs=state.petitioner_refs)
    ]


def decide_absorb(state: PetitionState, cmd: AbsorbDuplicate, today: date) -> list[DomainEvent]:
    require_not_ended(state)
    duplicate_id = cmd.duplicate_petition_id
    if not duplicate_id:
        raise PetitionRuleBroken(
            "petition.duplicate_required", "Cần chọn kiến nghị trùng lặp.", "duplicate_petition_id"
        )
    if duplicate_id in state.duplicates:
        return []
    known = set(state.petitioner_refs)
    cosigners = tuple(ref for ref in unique(cmd.cosigner_refs) if ref not in known)
    return [PetitionAbsorbedDuplicate(duplicate_petition_id=duplicate_id, cosigner_refs=cosigners)]
