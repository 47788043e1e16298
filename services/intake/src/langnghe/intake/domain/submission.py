"""Receiving a petition: the rules intake applies before anything is written. Pure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from langnghe.contracts.events.petition import Channel, LegalType, PetitionReceived
from langnghe.domain.codes import petition_code
from langnghe.domain.errors import DomainError
from langnghe.domain.fields.taxonomy import is_known_field
from langnghe.domain.units import Level, UnitError, unit

MIN_CONTENT_CHARS = 10
MAX_CONTENT_CHARS = 10_000


class SubmissionRefused(DomainError):
    """A rule refused the submission; `code` is stable, `message` is for the clerk (Vietnamese).
    `status` is 409 when the request is fine but something it names is in the wrong state."""


@dataclass(frozen=True)
class SubmitPetition:
    province_code: str
    commune_code: str | None
    channel: Channel
    legal_type: LegalType
    field_code: str | None
    content: str
    has_citizen: bool
    conference_id: str | None = None


def check_place(province_code: str, commune_code: str | None) -> None:
    """The unit where it was raised must exist today (34 provinces, 3,321 communes since
    1 July 2025), and the commune must belong to the province."""
    try:
        province = unit(province_code)
    except UnitError as exc:
        raise SubmissionRefused(
            "petition.unknown_province", f"Không có tỉnh, thành phố mã “{province_code}”.", "province_code"
        ) from exc
    if province.level is not Level.PROVINCE:
        raise SubmissionRefused(
            "petition.unknown_province",
            f"Mã “{province_code}” không phải mã tỉnh, thành phố.",
            "province_code",
        )
    if commune_code is None:
        return
    try:
        commune = unit(commune_code)
    except UnitError as exc:
        raise SubmissionRefused(
            "petition.unknown_commune", f"Không có xã, phường, đặc khu mã “{commune_code}”.", "commune_code"
        ) from exc
    if commune.level is Level.PROVINCE or commune.province_code != province_code:
        raise SubmissionRefused(
            "petition.commune_outside_province",
            f"{commune.name_vi} không thuộc {province.name_vi}.",
            "commune_code",
        )


def decide_submission(
    cmd: SubmitPetition, *, petition_id: uuid.UUID, citizen_ref: str | None, received_at: datetime
) -> PetitionReceived:
    check_place(cmd.province_code, cmd.commune_code)
    if cmd.field_code is not None and not is_known_field(cmd.field_code):
        raise SubmissionRefused(
            "petition.unknown_field",
            f"Lĩnh vực “{cmd.field_code}” không có trong danh mục lĩnh vực.",
            "field_code",
        )
    content = cmd.content  # cleaned (NFC, stripped) by the request model
    if len(content) < MIN_CONTENT_CHARS:
        raise SubmissionRefused(
            "petition.content_too_short",
            f"Nội dung kiến nghị cần ít nhất {MIN_CONTENT_CHARS} ký tự để cơ quan xử lý hiểu được.",
            "content",
        )
    if len(content) > MAX_CONTENT_CHARS:
        raise SubmissionRefused(
            "petition.content_too_long",
            f"Nội dung kiến nghị dài quá {MAX_CONTENT_CHARS} ký tự; hãy tóm tắt và gửi kèm văn bản.",
            "content",
        )
    if cmd.channel == Channel.DIALOGUE_CONFERENCE and not cmd.conference_id:
        raise SubmissionRefused(
            "petition.conference_required",
            "Ý kiến nêu tại hội nghị đối thoại cần ghi rõ hội nghị (conference_id).",
            "conference_id",
        )
    if cmd.legal_type == LegalType.DENUNCIATION and not cmd.has_citizen:
        # Law on Denunciation 2018, Art. 25: anonymous denunciations are not handled as
        # denunciations; they can still be filed as a reflection.
        raise SubmissionRefused(
            "petition.denunciation_needs_identity",
            "Tố cáo phải ghi rõ họ tên và địa chỉ người tố cáo; "
            "nếu muốn ẩn danh, hãy gửi dưới dạng phản ánh.",
            "citizen",
        )
    return PetitionReceived(
        code=petition_code(cmd.province_code, petition_id, received_at),
        province_code=cmd.province_code,
        commune_code=cmd.commune_code,
        channel=cmd.channel,
        legal_type=cmd.legal_type,
        field_code=cmd.field_code,
        content=content,
        citizen_ref=citizen_ref,
        conference_id=cmd.conference_id,
    )
