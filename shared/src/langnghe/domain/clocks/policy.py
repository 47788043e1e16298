"""Which clock applies to a petition, its statutory due date, and extensions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Final

from langnghe.domain.clocks.calendar import VIETNAM, WorkingCalendar, deadline_after
from langnghe.domain.clocks.day_kind import DayKind
from langnghe.domain.clocks.errors import ClockRuleBroken
from langnghe.domain.clocks.statutes import (
    COMPLAINT_ACCEPTANCE,
    COMPLAINT_FIRST_INSTANCE,
    COMPLAINT_SECOND_INSTANCE,
    DENUNCIATION,
    RECOMMENDATION_OR_REFLECTION,
    VOTERS_PETITION_ANSWER,
    PromisedDateOnly,
    StatutePolicy,
    statute_by_code,
)

# The values of langnghe.contracts.events.petition.LegalType; repeated here so the clocks stay free of
# pydantic. tests/unit/test_clocks.py checks the two agree.
RECOMMENDATION: Final = "recommendation"
REFLECTION: Final = "reflection"
COMPLAINT: Final = "complaint"
DENUNCIATION_TYPE: Final = "denunciation"
VOTERS_PETITION: Final = "voters_petition"
LEGAL_TYPES: Final = frozenset({RECOMMENDATION, REFLECTION, COMPLAINT, DENUNCIATION_TYPE, VOTERS_PETITION})


class ComplaintStage(StrEnum):
    ACCEPTANCE = "acceptance"
    FIRST_INSTANCE = "first_instance"
    SECOND_INSTANCE = "second_instance"


_COMPLAINT_POLICIES: Final = {
    ComplaintStage.ACCEPTANCE: COMPLAINT_ACCEPTANCE,
    ComplaintStage.FIRST_INSTANCE: COMPLAINT_FIRST_INSTANCE,
    ComplaintStage.SECOND_INSTANCE: COMPLAINT_SECOND_INSTANCE,
}

_POLICIES: Final[dict[str, StatutePolicy | PromisedDateOnly]] = {
    RECOMMENDATION: RECOMMENDATION_OR_REFLECTION,
    REFLECTION: RECOMMENDATION_OR_REFLECTION,
    DENUNCIATION_TYPE: DENUNCIATION,
    VOTERS_PETITION: VOTERS_PETITION_ANSWER,
}


@dataclass(frozen=True)
class StatutoryDeadline:
    policy_code: str
    start: date
    due: date
    days: int  # the whole period, extensions included
    day_kind: DayKind
    confirmed: bool
    extensions: int = 0


def rule_for(legal_type: str, stage: ComplaintStage | None = None) -> StatutePolicy | PromisedDateOnly:
    """The named rule for a legal type; complaints default to the first-instance clock."""
    if legal_type == COMPLAINT:
        return _COMPLAINT_POLICIES[stage or ComplaintStage.FIRST_INSTANCE]
    if stage is not None:
        raise ValueError(f"stage applies to complaints only, not {legal_type!r}")
    try:
        return _POLICIES[legal_type]
    except KeyError:
        raise ClockRuleBroken(
            "clocks.unknown_legal_type",
            f"Loại kiến nghị «{legal_type}» không được hỗ trợ.",
            field="legal_type",
        ) from None


def deadline_for(
    policy: StatutePolicy,
    start: date,
    *,
    remote_area: bool = False,
    complex_case: bool = False,
    calendar: WorkingCalendar = VIETNAM,
) -> StatutoryDeadline:
    days = policy.days_for(remote_area=remote_area, complex_case=complex_case)
    return StatutoryDeadline(
        policy_code=policy.code,
        start=start,
        due=deadline_after(start, days, policy.day_kind, calendar=calendar),
        days=days,
        day_kind=policy.day_kind,
        confirmed=policy.confirmed,
    )


def statutory_deadline(
    legal_type: str,
    start: date,
    *,
    stage: ComplaintStage | None = None,
    remote_area: bool = False,
    complex_case: bool = False,
    calendar: WorkingCalendar = VIETNAM,
) -> StatutoryDeadline | None:
    """The statutory due date, or None when the legal type has only a promised date.

    `start` is the day the clock counts from (`StatutePolicy.counts_from`: receipt for acceptance,
    acceptance for resolution); it is not itself counted.
    """
    policy = rule_for(legal_type, stage)
    if isinstance(policy, PromisedDateOnly):
        return None
    return deadline_for(policy, start, remote_area=remote_area, complex_case=complex_case, calendar=calendar)


def can_extend(policy: StatutePolicy, extensions_so_far: int) -> bool:
    if extensions_so_far < 0:
        raise ValueError("extensions_so_far must be >= 0")
    return extensions_so_far < policy.max_extensions


def extended_due(deadline: StatutoryDeadline, *, calendar: WorkingCalendar = VIETNAM) -> StatutoryDeadline:
    """The deadline after one more extension of `extension_days`.

    The whole period is recounted from `start`, so an extension runs on from the nominal end of the
    previous period, not from a weekend-shifted one.

    Raises ClockRuleBroken when the statute allows no extension, or no further one (e.g. a third
    extension of a denunciation).
    """
    policy = statute_by_code(deadline.policy_code)
    if policy.extension_days is None:
        raise ClockRuleBroken(
            "clocks.extension_not_allowed",
            f"{policy.name_vi}: {policy.legal_basis} không cho phép gia hạn thời hạn giải quyết.",
            field="extensions",
        )
    if not can_extend(policy, deadline.extensions):
        raise ClockRuleBroken(
            "clocks.extension_limit_reached",
            f"{policy.name_vi} đã được gia hạn {deadline.extensions} lần; {policy.legal_basis} chỉ cho phép "
            f"gia hạn tối đa {policy.max_extensions} lần, mỗi lần không quá {policy.extension_days} ngày.",
            field="extensions",
        )
    days = deadline.days + policy.extension_days
    return replace(
        deadline,
        days=days,
        due=deadline_after(deadline.start, days, deadline.day_kind, calendar=calendar),
        extensions=deadline.extensions + 1,
    )
