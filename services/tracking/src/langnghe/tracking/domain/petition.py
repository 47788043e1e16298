"""The petition lifecycle as tracking decides it: state is a fold over events; decisions are
pure functions returning new events or raising `PetitionRuleBroken`.

This is the walking skeleton's rule set (received -> assigned -> answered); the full
lifecycle (dispositions, extensions, escalation, feedback, overdue) extends it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import PetitionAnswered, PetitionAssigned, PetitionReceived

MIN_ANSWER_CHARS = 10


class Status(StrEnum):
    NONE = "none"
    RECEIVED = "received"
    ASSIGNED = "assigned"
    ANSWERED = "answered"


@dataclass(frozen=True)
class PetitionState:
    status: Status = Status.NONE
    province_code: str | None = None
    received_on: date | None = None
    agency_code: str | None = None
    promised_date: date | None = None
    version: int = 0

    @property
    def exists(self) -> bool:
        return self.status is not Status.NONE


class PetitionRuleBroken(Exception):
    def __init__(self, code: str, message: str, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status


def evolve(state: PetitionState, event: DomainEvent, occurred_at: datetime) -> PetitionState:
    state = replace(state, version=state.version + 1)
    if isinstance(event, PetitionReceived):
        return replace(
            state, status=Status.RECEIVED, province_code=event.province_code, received_on=occurred_at.date()
        )
    if isinstance(event, PetitionAssigned):
        return replace(
            state, status=Status.ASSIGNED, agency_code=event.agency_code, promised_date=event.promised_date
        )
    if isinstance(event, PetitionAnswered):
        return replace(state, status=Status.ANSWERED)
    return state  # event types this version does not act on still count as versions


def fold(events: Iterable[tuple[DomainEvent, datetime]]) -> PetitionState:
    state = PetitionState()
    for event, occurred_at in events:
        state = evolve(state, event, occurred_at)
    return state


@dataclass(frozen=True)
class AssignPetition:
    agency_code: str
    promised_date: date
    officer_ref: str | None = None


@dataclass(frozen=True)
class AnswerPetition:
    answer_text: str
    answering_agency_code: str
    document_number: str | None = None
    document_date: date | None = None


def _require_open(state: PetitionState) -> None:
    if not state.exists:
        raise PetitionRuleBroken("petition.not_found", "Không tìm thấy kiến nghị này.", status=404)
    if state.status is Status.ANSWERED:
        raise PetitionRuleBroken(
            "petition.already_answered", "Kiến nghị đã được trả lời; không thể thay đổi nữa.", status=409
        )


def decide_assign(state: PetitionState, cmd: AssignPetition, today: date) -> list[DomainEvent]:
    _require_open(state)
    if state.received_on is not None and cmd.promised_date < state.received_on:
        raise PetitionRuleBroken(
            "petition.promised_before_receipt",
            "Ngày hẹn trả lời không thể trước ngày tiếp nhận kiến nghị.",
            "promised_date",
        )
    if cmd.promised_date < today:
        raise PetitionRuleBroken(
            "petition.promised_in_past", "Ngày hẹn trả lời không thể là một ngày đã qua.", "promised_date"
        )
    if state.status is Status.ASSIGNED and (state.agency_code, state.promised_date) == (
        cmd.agency_code,
        cmd.promised_date,
    ):
        return []  # the same assignment again changes nothing
    return [
        PetitionAssigned(
            agency_code=cmd.agency_code, officer_ref=cmd.officer_ref, promised_date=cmd.promised_date
        )
    ]


def decide_answer(state: PetitionState, cmd: AnswerPetition) -> list[DomainEvent]:
    _require_open(state)
    text = unicodedata.normalize("NFC", cmd.answer_text).strip()
    if len(text) < MIN_ANSWER_CHARS:
        raise PetitionRuleBroken(
            "petition.answer_too_short",
            f"Nội dung trả lời cần ít nhất {MIN_ANSWER_CHARS} ký tự.",
            "answer_text",
        )
    return [
        PetitionAnswered(
            answer_text=text,
            answering_agency_code=cmd.answering_agency_code,
            document_number=cmd.document_number,
            document_date=cmd.document_date,
        )
    ]
