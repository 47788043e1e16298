"""The answer, its publication (công khai) and the citizen's feedback on it."""

from __future__ import annotations

from datetime import date
from typing import Final

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.petition import (
    PetitionAnswered,
    PetitionAnswerPublished,
    PetitionFeedbackGiven,
)
from langnghe.tracking.domain.clock import ACCEPTANCE_REQUIRED
from langnghe.tracking.domain.commands import AnswerPetition, GiveFeedback, PublishAnswer
from langnghe.tracking.domain.errors import PetitionRuleBroken
from langnghe.tracking.domain.guards import (
    require_agency,
    require_answered,
    require_not_future,
    require_open,
    require_reason,
)
from langnghe.tracking.domain.state import PetitionState

MIN_ANSWER_CHARS: Final = 10


def decide_answer(state: PetitionState, cmd: AnswerPetition, today: date | None = None) -> list[DomainEvent]:
    """`today`, when given, also keeps the document date out of the future."""
    require_open(state)
    if state.legal_type in ACCEPTANCE_REQUIRED and state.accepted_on is None:
        # The answer to a complaint or denunciation is its resolution, which the law times from
        # acceptance (Luật Khiếu nại 2011 Art. 27-28; Luật Tố cáo 2018 Art. 29-30).
        raise PetitionRuleBroken(
            "petition.acceptance_required",
            "Khiếu nại, tố cáo phải được thụ lý trước khi trả lời kết quả giải quyết.",
            status=409,
        )
    answer = cmd.answer_text
    if len(answer) < MIN_ANSWER_CHARS:
        raise PetitionRuleBroken(
            "petition.answer_too_short",
            f"Nội dung trả lời cần ít nhất {MIN_ANSWER_CHARS} ký tự.",
            "answer_text",
        )
    agency = require_agency(cmd.answering_agency_code, "answering_agency_code")
    if cmd.document_date is not None:
        if state.received_on is not None and cmd.document_date < state.received_on:
            raise PetitionRuleBroken(
                "petition.document_before_receipt",
                "Ngày văn bản trả lời không thể trước ngày tiếp nhận kiến nghị.",
                "document_date",
            )
        if today is not None:
            require_not_future(cmd.document_date, today, "document_date", "Ngày văn bản trả lời")
    return [
        PetitionAnswered(
            answer_text=answer,
            answering_agency_code=agency,
            document_number=cmd.document_number or None,
            document_date=cmd.document_date,
        )
    ]


def decide_publish_answer(state: PetitionState, cmd: PublishAnswer, today: date) -> list[DomainEvent]:
    require_answered(state)
    assert state.answered_on is not None
    channels = tuple(dict.fromkeys(cmd.channels))
    if not channels:
        raise PetitionRuleBroken(
            "petition.publication_channel_required",
            "Cần chọn hình thức công khai (phương tiện thông tin đại chúng, niêm yết tại trụ sở, "
            "gửi trưởng thôn, tổ trưởng tổ dân phố…).",
            "channels",
        )
    if cmd.published_on < state.answered_on:
        raise PetitionRuleBroken(
            "petition.published_before_answer",
            "Ngày công khai không thể trước ngày trả lời kiến nghị.",
            "published_on",
        )
    require_not_future(cmd.published_on, today, "published_on", "Ngày công khai")
    if state.published_on is not None and set(channels) <= state.published_channels:
        return []  # already public through these channels
    return [PetitionAnswerPublished(published_on=cmd.published_on, channels=channels, note=cmd.note or None)]


def decide_feedback(state: PetitionState, cmd: GiveFeedback, today: date) -> list[DomainEvent]:
    require_answered(state)
    if cmd.satisfied:
        return [PetitionFeedbackGiven(satisfied=True, reason=cmd.reason or None)]
    return [PetitionFeedbackGiven(satisfied=False, reason=require_reason(cmd.reason))]
