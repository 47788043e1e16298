"""What an agency officer sees of one case: the folded state in plain, JSON-ready terms,
with the deadlines side by side. Pure."""

from __future__ import annotations

from typing import Any

from langnghe.tracking.domain.state import PetitionState


def case_view(petition_id: str, state: PetitionState) -> dict[str, Any]:
    statutory = state.statutory
    return {
        "petition_id": petition_id,
        "status": state.status.value,
        "province_code": state.province_code,
        "legal_type": state.legal_type.value if state.legal_type else None,
        "received_on": state.received_on,
        "conference_id": state.conference_id,
        "disposition": state.disposition.value if state.disposition else None,
        "agency_code": state.agency_code,
        "officer_ref": state.officer_ref,
        "handling_level": state.handling_level.value if state.handling_level else None,
        "handling_unit_code": state.handling_unit_code,
        "deadlines": {
            "version": state.deadline_version,
            "promised_date": state.promised_date,
            "promised_extensions": state.promised_extensions,
            "statutory": None
            if statutory is None
            else {
                "clock": statutory.clock,
                "start": statutory.start,
                "due": statutory.due,
                "days": statutory.days,
                "extensions": statutory.extensions,
            },
            "due_soon": sorted(k.value for k in state.due_soon),
            "overdue": sorted(k.value for k in state.overdue),
        },
        "overdue": bool(state.overdue),
        "accepted_on": state.accepted_on,
        "answered_on": state.answered_on,
        "answered_at_conference": state.answered_at_conference,
        "answer_public": state.answer_is_public,
        "published_on": state.published_on,
        "published_channels": sorted(c.value for c in state.published_channels),
        "feedback_satisfied": state.feedback_satisfied,
        "times_reopened": state.reopened,
        "merged_into": state.merged_into,
        "duplicates": list(state.duplicates),
        "cosigners": len(state.cosigner_refs),
        "version": state.version,
    }
