"""Intake's rules for a submission, the petition code, petition ids and request fingerprints."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from langnghe.contracts.events.petition import Channel, LegalType, PetitionReceived
from langnghe.intake.domain.submission import (
    MAX_CONTENT_CHARS,
    SubmissionRefused,
    SubmitPetition,
    decide_submission,
    petition_code,
)
from langnghe.intake.entrypoints.petitions import PetitionIn
from langnghe.intake.handlers import fingerprint, new_petition_id

RECEIVED_AT = datetime(2026, 3, 2, 2, 15, 30, tzinfo=UTC)
PETITION_ID = uuid.UUID("019cac54-476c-73a9-9e1f-0b7d22c49e61")
CODE_FORMAT = re.compile(r"^KN-\d{2}-\d{2}-[0-9A-HJKMNP-TV-Z]{8}$")
CONTENT = "Đề nghị sửa chữa đèn chiếu sáng ngõ 12 phố Đội Cấn, đã hỏng hơn hai tháng nay."

SUBMISSION = SubmitPetition(
    province_code="01",
    commune_code="00004",
    channel=Channel.ONLINE,
    legal_type=LegalType.REFLECTION,
    field_code="urban_planning",
    content=CONTENT,
    has_citizen=True,
)


def decide(cmd: SubmitPetition, citizen_ref: str | None = "citizen-1") -> PetitionReceived:
    return decide_submission(cmd, petition_id=PETITION_ID, citizen_ref=citizen_ref, received_at=RECEIVED_AT)


def refusal(cmd: SubmitPetition, citizen_ref: str | None = "citizen-1") -> SubmissionRefused:
    with pytest.raises(SubmissionRefused) as caught:
        decide(cmd, citizen_ref)
    return caught.value


# -- decide_submission ---------------------------------------------------------------------


def test_valid_submission_becomes_petition_received() -> None:
    event = decide(SUBMISSION)
    assert event == PetitionReceived(
        code=petition_code("01", PETITION_ID, RECEIVED_AT),
        province_code="01",
        commune_code="00004",
        channel=Channel.ONLINE,
        legal_type=LegalType.REFLECTION,
        field_code="urban_planning",
        content=CONTENT,
        citizen_ref="citizen-1",
        conference_id=None,
    )
    assert event.code == "KN-01-26-FMHC97K1"


def submitted(content: str) -> SubmitPetition:
    """The command as the request model hands it on: content cleaned (NFC, stripped)."""
    body = PetitionIn(province_code="01", commune_code="00004", channel=Channel.ONLINE, content=content)
    return replace(SUBMISSION, content=body.command(None).content)


def test_content_is_nfc_normalised_and_stripped() -> None:
    nfd = unicodedata.normalize("NFD", CONTENT)
    assert nfd != CONTENT
    event = decide(submitted(f"\n  {nfd}\t "))
    assert event.content == CONTENT
    assert unicodedata.is_normalized("NFC", event.content)


@pytest.mark.parametrize("content", ["", "   ", "Đèn hỏng", "  Đường hư.  ", "\n\t\n"])
def test_too_short_content_is_refused(content: str) -> None:
    cmd = replace(SUBMISSION, content=content) if not content else submitted(content)
    refused = refusal(cmd)
    assert (refused.code, refused.field) == ("petition.content_too_short", "content")
    assert "ít nhất 10 ký tự" in refused.message


def test_content_length_is_counted_after_nfc_and_strip() -> None:
    # "Đường hỏng" is 10 characters in NFC and 12 code points in NFD: it is long enough.
    ten = "Đường hỏng"
    assert len(ten) == 10
    assert decide(submitted(unicodedata.normalize("NFD", ten))).content == ten
    longest = "ệ" * MAX_CONTENT_CHARS
    assert decide(submitted(f"  {longest}\n")).content == longest


def test_too_long_content_is_refused() -> None:
    refused = refusal(replace(SUBMISSION, content="ệ" * (MAX_CONTENT_CHARS + 1)))
    assert (refused.code, refused.field) == ("petition.content_too_long", "content")
    assert "10000" in refused.message


@pytest.mark.parametrize("conference_id", [None, ""])
def test_dialogue_conference_requires_a_conference(conference_id: str | None) -> None:
    cmd = replace(SUBMISSION, channel=Channel.DIALOGUE_CONFERENCE, conference_id=conference_id)
    refused = refusal(cmd)
    assert (refused.code, refused.field) == ("petition.conference_required", "conference_id")
    assert refused.message.startswith("Ý kiến nêu tại hội nghị đối thoại")


def test_dialogue_conference_with_a_conference_is_received() -> None:
    cmd = replace(SUBMISSION, channel=Channel.DIALOGUE_CONFERENCE, conference_id="hn-doi-thoai-2026-03")
    event = decide(cmd)
    assert event.channel is Channel.DIALOGUE_CONFERENCE
    assert event.conference_id == "hn-doi-thoai-2026-03"


def test_anonymous_denunciation_is_refused() -> None:
    cmd = replace(SUBMISSION, legal_type=LegalType.DENUNCIATION, has_citizen=False)
    refused = refusal(cmd, citizen_ref=None)
    assert (refused.code, refused.field) == ("petition.denunciation_needs_identity", "citizen")
    assert "Tố cáo phải ghi rõ họ tên" in refused.message


def test_identified_denunciation_and_anonymous_reflection_are_received() -> None:
    denunciation = decide(replace(SUBMISSION, legal_type=LegalType.DENUNCIATION, has_citizen=True))
    assert denunciation.legal_type is LegalType.DENUNCIATION
    anonymous = decide(replace(SUBMISSION, has_citizen=False), citizen_ref=None)
    assert anonymous.legal_type is LegalType.REFLECTION
    assert anonymous.citizen_ref is None


# -- petition code -------------------------------------------------------------------------


def test_petition_code_is_deterministic_and_well_formed() -> None:
    code = petition_code("01", PETITION_ID, RECEIVED_AT)
    assert code == petition_code("01", PETITION_ID, RECEIVED_AT)
    assert CODE_FORMAT.fullmatch(code)
    assert code == "KN-01-26-FMHC97K1"


def test_petition_code_uses_the_low_40_bits_in_crockford_base32() -> None:
    assert petition_code("79", uuid.UUID(int=0), RECEIVED_AT) == "KN-79-26-00000000"
    assert petition_code("79", uuid.UUID(int=(1 << 40) - 1), RECEIVED_AT) == "KN-79-26-ZZZZZZZZ"
    assert petition_code("79", uuid.UUID(int=31 << 35 | 1), RECEIVED_AT) == "KN-79-26-Z0000001"
    assert petition_code("01", PETITION_ID, datetime(2027, 1, 1, tzinfo=UTC)).startswith("KN-01-27-")


def test_petition_code_differs_for_different_ids() -> None:
    ids = [new_petition_id(1_772_417_730_412) for _ in range(200)]
    codes = {petition_code("01", pid, RECEIVED_AT) for pid in ids}
    assert len(codes) == 200
    assert all(CODE_FORMAT.fullmatch(c) for c in codes)
    other = uuid.UUID(int=PETITION_ID.int ^ 1)
    assert petition_code("01", other, RECEIVED_AT) != petition_code("01", PETITION_ID, RECEIVED_AT)


# -- petition ids and fingerprints ---------------------------------------------------------


def test_new_petition_id_is_uuid7_carrying_the_given_milliseconds() -> None:
    ms = 1_772_417_730_412  # 2026-03-02T02:15:30.412Z
    pid = new_petition_id(ms)
    assert pid.version == 7
    assert pid.variant == uuid.RFC_4122
    assert pid.int >> 80 == ms
    assert pid.hex.startswith(f"{ms:012x}")


def test_new_petition_ids_are_random_within_a_millisecond() -> None:
    assert len({new_petition_id(1_772_417_730_412) for _ in range(100)}) == 100


def test_new_petition_ids_increase_with_time() -> None:
    ids = [new_petition_id(ms) for ms in range(1_772_417_730_000, 1_772_417_730_050)]
    assert ids == sorted(ids)
    assert sorted(i.hex for i in ids) == [i.hex for i in ids]
    assert new_petition_id(1_772_417_730_001) > new_petition_id(1_772_417_730_000)


def test_new_petition_id_defaults_to_now() -> None:
    before = int(datetime.now(UTC).timestamp() * 1000)
    pid = new_petition_id()
    after = int(datetime.now(UTC).timestamp() * 1000)
    assert before <= pid.int >> 80 <= after


def test_fingerprint_is_stable_under_key_order() -> None:
    a: dict[str, object] = {
        "content": CONTENT,
        "channel": "online",
        "contact": {"phone": "0912345678", "name": "Lê Thị Hoa"},
    }
    b: dict[str, object] = {
        "contact": {"name": "Lê Thị Hoa", "phone": "0912345678"},
        "channel": "online",
        "content": CONTENT,
    }
    assert fingerprint(a) == fingerprint(b)
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint(a))
    assert fingerprint({**a, "channel": "hotline"}) != fingerprint(a)


# -- units and fields ----------------------------------------------------------------------


def test_a_province_that_does_not_exist_is_refused() -> None:
    refused = refusal(dataclasses.replace(SUBMISSION, province_code="10", commune_code=None))
    assert (refused.code, refused.field) == ("petition.unknown_province", "province_code")
    assert "“10”" in refused.message


def test_a_commune_code_that_does_not_exist_is_refused() -> None:
    refused = refusal(dataclasses.replace(SUBMISSION, commune_code="99999"))
    assert (refused.code, refused.field) == ("petition.unknown_commune", "commune_code")


def test_a_commune_of_another_province_is_refused() -> None:
    # Phường Sa Pa (03006) is in Lào Cai (15), not in Hà Nội (01).
    refused = refusal(dataclasses.replace(SUBMISSION, province_code="01", commune_code="03006"))
    assert (refused.code, refused.field) == ("petition.commune_outside_province", "commune_code")
    assert refused.message == "Phường Sa Pa không thuộc Thành phố Hà Nội."


def test_a_province_code_given_as_commune_is_refused() -> None:
    refused = refusal(dataclasses.replace(SUBMISSION, province_code="01", commune_code="01"))
    assert refused.code in ("petition.commune_outside_province", "petition.unknown_commune")


def test_a_field_outside_the_taxonomy_is_refused() -> None:
    refused = refusal(dataclasses.replace(SUBMISSION, field_code="do_thi"))
    assert (refused.code, refused.field) == ("petition.unknown_field", "field_code")
