"""Legal clocks: the working-day calendar, statutory deadlines, extensions, due-soon and overdue,
and provinces' default promised dates. Pure: the only data read is the `holidays` package's, lazily.

Figures not confirmed against the law are listed in `unconfirmed.py`, the one place to correct them.
"""

from langnghe.domain.clocks.calendar import (
    VIETNAM,
    WorkingCalendar,
    add_calendar_days,
    add_working_days,
    deadline_after,
    ends_on_working_day,
    is_working_day,
    working_days_between,
)
from langnghe.domain.clocks.day_kind import DayKind
from langnghe.domain.clocks.due import DEFAULT_DUE_SOON_WORKING_DAYS, DueState, due_state, is_overdue
from langnghe.domain.clocks.errors import ClockRuleBroken
from langnghe.domain.clocks.overrides import ANNOUNCED_OVERRIDES, DayOverride, OverrideKind
from langnghe.domain.clocks.policy import (
    LEGAL_TYPES,
    ComplaintStage,
    StatutoryDeadline,
    can_extend,
    deadline_for,
    extended_due,
    rule_for,
    statutory_deadline,
)
from langnghe.domain.clocks.promised import PromisedDateRule, ProvinceDeadlineDefaults, promised_date_default
from langnghe.domain.clocks.statutes import (
    ALL_STATUTES,
    COMPLAINT_ACCEPTANCE,
    COMPLAINT_FIRST_INSTANCE,
    COMPLAINT_SECOND_INSTANCE,
    DENUNCIATION,
    DENUNCIATION_ACCEPTANCE_NOTICE,
    DIALOGUE_CONFERENCE_OPINION,
    DIALOGUE_RESULTS_PUBLICATION,
    PROMISED_DATE_ONLY,
    RECOMMENDATION_OR_REFLECTION,
    VOTERS_PETITION_ANSWER,
    PromisedDateOnly,
    StatutePolicy,
    statute_by_code,
)
from langnghe.domain.clocks.unconfirmed import OPEN_QUESTIONS, REGISTRY, UnconfirmedFigure

__all__ = [
    "ALL_STATUTES",
    "ANNOUNCED_OVERRIDES",
    "COMPLAINT_ACCEPTANCE",
    "COMPLAINT_FIRST_INSTANCE",
    "COMPLAINT_SECOND_INSTANCE",
    "DEFAULT_DUE_SOON_WORKING_DAYS",
    "DENUNCIATION",
    "DENUNCIATION_ACCEPTANCE_NOTICE",
    "DIALOGUE_CONFERENCE_OPINION",
    "DIALOGUE_RESULTS_PUBLICATION",
    "LEGAL_TYPES",
    "OPEN_QUESTIONS",
    "PROMISED_DATE_ONLY",
    "RECOMMENDATION_OR_REFLECTION",
    "REGISTRY",
    "VIETNAM",
    "VOTERS_PETITION_ANSWER",
    "ClockRuleBroken",
    "ComplaintStage",
    "DayKind",
    "DayOverride",
    "DueState",
    "OverrideKind",
    "PromisedDateOnly",
    "PromisedDateRule",
    "ProvinceDeadlineDefaults",
    "StatutePolicy",
    "StatutoryDeadline",
    "UnconfirmedFigure",
    "WorkingCalendar",
    "add_calendar_days",
    "add_working_days",
    "can_extend",
    "deadline_after",
    "deadline_for",
    "due_state",
    "ends_on_working_day",
    "extended_due",
    "is_overdue",
    "is_working_day",
    "promised_date_default",
    "rule_for",
    "statute_by_code",
    "statutory_deadline",
    "working_days_between",
]
