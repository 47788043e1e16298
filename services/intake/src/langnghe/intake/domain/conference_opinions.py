"""Petitions raised at a conference. A conference counts its opinions by the petitions linked to
it (`ConferenceOpinionLinked`; oversight figures count `state.opinions`), so a petition that
names a conference is linked to it, and the conference's own rule for linking decides whether
a petition may name it at all.

What a clerk can expect: opinions are entered for a conference once it has been recorded as
held (during or after it, from the minutes), until its results are published; a conference
that is only scheduled or announced, or was cancelled, takes none. Opinions sent in before a
conference are petitions of their own channel (online, letter) without a conference.
"""

from __future__ import annotations

from datetime import date

from langnghe.contracts.events.petition import PetitionReceived
from langnghe.intake.domain.conference import ConferenceRuleBroken, ConferenceState, LinkOpinion
from langnghe.intake.domain.conference_decisions import decide_link_opinion
from langnghe.intake.domain.submission import SubmissionRefused


def _refusal(code: str, conference_id: str) -> tuple[str, int, str] | None:
    return {
        "conference.not_found": (
            "petition.conference_not_found",
            422,
            f"Không tìm thấy hội nghị “{conference_id}” tại tỉnh, thành phố nơi tiếp nhận kiến nghị.",
        ),
        "conference.cancelled": (
            "petition.conference_cancelled",
            409,
            f"Hội nghị “{conference_id}” đã bị hủy; không thể ghi nhận ý kiến nêu tại hội nghị này.",
        ),
        "conference.not_held": (
            "petition.conference_not_held",
            409,
            f"Hội nghị “{conference_id}” chưa được ghi nhận là đã tổ chức; hãy ghi nhận việc tổ chức "
            "hội nghị trước khi nhập các ý kiến nêu tại hội nghị.",
        ),
        "conference.results_already_published": (
            "petition.conference_results_published",
            409,
            f"Kết quả hội nghị “{conference_id}” đã được công khai; "
            "không thể bổ sung ý kiến vào hội nghị này.",
        ),
    }.get(code)


def check_conference_takes_opinion(
    state: ConferenceState, conference_id: str, petition_id: str, today: date
) -> None:
    """Refuse a submission naming a conference exactly when linking it would be refused."""
    try:
        decide_link_opinion(state, LinkOpinion(petition_id=petition_id), today)
    except ConferenceRuleBroken as exc:
        known = _refusal(exc.code, conference_id)
        code, status, message = known or ("petition.conference_refused", exc.status, exc.message)
        raise SubmissionRefused(code, message, "conference_id", status) from exc


def check_petition_for_conference(
    petition: PetitionReceived | None, conference: ConferenceState, conference_id: str
) -> None:
    """A petition linked by hand: it exists, was raised in the conference's province, and does
    not name another conference (tracking records its disposition against the one it names)."""
    if petition is None:
        raise ConferenceRuleBroken(
            "conference.petition_not_found", "Không tìm thấy kiến nghị này.", "petition_id"
        )
    if conference.province_code is not None and petition.province_code != conference.province_code:
        raise ConferenceRuleBroken(
            "conference.petition_outside_province",
            "Kiến nghị này được tiếp nhận ở tỉnh, thành phố khác với nơi tổ chức hội nghị.",
            "petition_id",
        )
    if petition.conference_id is not None and petition.conference_id != conference_id:
        raise ConferenceRuleBroken(
            "conference.petition_of_other_conference",
            f"Kiến nghị này đã được ghi nhận tại hội nghị “{petition.conference_id}”.",
            "petition_id",
            status=409,
        )
