"""Oversight figures over petition rows: what each row contributes to the counts, and how the
summed counts read as statistics.

A row's contribution is a function of the row alone, so the projection keeps the sums by
adding `figures(after) - figures(before)` for every row a batch changes: the counts can never
drift from the rows, whatever the events were, and a rebuild reaches the same sums.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final, TypedDict

from langnghe.reporting.domain.petition_row import ANSWER_STANDS, OPEN, AnswerTimeliness, Status

TOTAL: Final = "total"
STATUS: Final = "status:"
LEGAL_TYPE: Final = "legal_type:"
CHANNEL: Final = "channel:"
OPEN_COUNT: Final = "open"
OPEN_OVERDUE: Final = "open_overdue:"
OPEN_DUE_SOON: Final = "open_due_soon:"
ANSWER: Final = "answer:"
FEEDBACK_SATISFIED: Final = "feedback:satisfied"
FEEDBACK_NOT_SATISFIED: Final = "feedback:not_satisfied"
#: Petitions whose citizen was not satisfied at least once, and such feedbacks in all: kept
#: when the petition is reopened and answered again (the feedback above is on the standing
#: answer only).
FEEDBACK_EVER_NOT_SATISFIED: Final = "feedback:ever_not_satisfied"
FEEDBACK_NOT_SATISFIED_TIMES: Final = "feedback:not_satisfied_times"
REOPENED_PETITIONS: Final = "reopened:petitions"
REOPENED_TIMES: Final = "reopened:times"
DUPLICATES_ABSORBED: Final = "duplicates_absorbed"
ACCEPTED_LATE: Final = "accepted_late"

_OPEN_VALUES: Final = frozenset(s.value for s in OPEN)
_ANSWER_STANDS_VALUES: Final = frozenset(s.value for s in ANSWER_STANDS)


class FigureInputs(TypedDict):
    """The part of a petition row its figures depend on (a `PetitionRow` is one)."""

    status: str
    legal_type: str
    channel: str
    promised_due_soon: bool
    promised_overdue: bool
    statutory_due_soon: bool
    statutory_overdue: bool
    answer_timeliness: str | None
    answer_published_on: date | None
    answered_at_conference: bool
    feedback_satisfied: bool | None
    times_not_satisfied: int
    times_reopened: int
    duplicates_absorbed: int
    accepted_late: bool | None


FIGURE_COLUMNS: Final = tuple(FigureInputs.__annotations__)


def _marks(prefix: str, promised: bool, statutory: bool) -> dict[str, int]:
    out: dict[str, int] = {}
    if promised:
        out[prefix + "promised"] = 1
    if statutory:
        out[prefix + "statutory"] = 1
    if promised or statutory:
        out[prefix + "any"] = 1
    return out


def figures(row: FigureInputs) -> dict[str, int]:
    """What this petition adds to each count (absent means 0)."""
    status = row["status"]
    out = {
        TOTAL: 1,
        STATUS + status: 1,
        LEGAL_TYPE + row["legal_type"]: 1,
        CHANNEL + row["channel"]: 1,
    }
    if status in _OPEN_VALUES:
        out[OPEN_COUNT] = 1
        out |= _marks(OPEN_OVERDUE, row["promised_overdue"], row["statutory_overdue"])
        out |= _marks(OPEN_DUE_SOON, row["promised_due_soon"], row["statutory_due_soon"])
    timeliness = row["answer_timeliness"]
    if status in _ANSWER_STANDS_VALUES and timeliness is not None:
        out[ANSWER + "standing"] = 1
        out[ANSWER + timeliness] = 1
        published = row["answer_published_on"] is not None
        if published:
            out[ANSWER + "published"] = 1
        if row["answered_at_conference"]:
            out[ANSWER + "at_conference"] = 1
        if not published and not row["answered_at_conference"]:
            out[ANSWER + "not_public"] = 1
    if row["feedback_satisfied"] is not None:
        out[FEEDBACK_SATISFIED if row["feedback_satisfied"] else FEEDBACK_NOT_SATISFIED] = 1
    if row["times_not_satisfied"]:
        out[FEEDBACK_EVER_NOT_SATISFIED] = 1
        out[FEEDBACK_NOT_SATISFIED_TIMES] = row["times_not_satisfied"]
    if row["times_reopened"]:
        out[REOPENED_PETITIONS] = 1
        out[REOPENED_TIMES] = row["times_reopened"]
    if row["duplicates_absorbed"]:
        out[DUPLICATES_ABSORBED] = row["duplicates_absorbed"]
    if row["accepted_late"]:
        out[ACCEPTED_LATE] = 1
    return out


def _by(counts: Mapping[str, int], prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): v for k, v in sorted(counts.items()) if k.startswith(prefix) and v}


def _kinds(counts: Mapping[str, int], prefix: str) -> dict[str, int]:
    return {k: counts.get(prefix + k, 0) for k in ("promised", "statutory", "any")}


def summarise(counts: Mapping[str, int]) -> dict[str, Any]:
    """The statistics read from summed figures (the shape of GET /v1/stats, less its context)."""
    by_status = _by(counts, STATUS)
    return {
        "total": counts.get(TOTAL, 0),
        "by_status": {s.value: by_status[s.value] for s in Status if s.value in by_status},
        "by_legal_type": _by(counts, LEGAL_TYPE),
        "by_channel": _by(counts, CHANNEL),
        "open": counts.get(OPEN_COUNT, 0),
        "open_overdue": _kinds(counts, OPEN_OVERDUE),
        "open_due_soon": _kinds(counts, OPEN_DUE_SOON),
        "answers": {
            "standing": counts.get(ANSWER + "standing", 0),
            "on_time": counts.get(ANSWER + AnswerTimeliness.ON_TIME.value, 0),
            "late": counts.get(ANSWER + AnswerTimeliness.LATE.value, 0),
            "no_promised_date": counts.get(ANSWER + AnswerTimeliness.NO_PROMISED_DATE.value, 0),
            "published": counts.get(ANSWER + "published", 0),
            "at_conference": counts.get(ANSWER + "at_conference", 0),
            "not_public": counts.get(ANSWER + "not_public", 0),
        },
        "feedback": {
            "satisfied": counts.get(FEEDBACK_SATISFIED, 0),
            "not_satisfied": counts.get(FEEDBACK_NOT_SATISFIED, 0),
            "ever_not_satisfied": counts.get(FEEDBACK_EVER_NOT_SATISFIED, 0),
            "not_satisfied_times": counts.get(FEEDBACK_NOT_SATISFIED_TIMES, 0),
        },
        "reopened": {
            "petitions": counts.get(REOPENED_PETITIONS, 0),
            "times": counts.get(REOPENED_TIMES, 0),
        },
        "duplicates_absorbed": counts.get(DUPLICATES_ABSORBED, 0),
        "accepted_late": counts.get(ACCEPTED_LATE, 0),
    }
