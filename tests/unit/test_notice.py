"""What a citizen is told when their petition is answered."""

from __future__ import annotations

from typing import Any

from langnghe.notify.domain.notice import MAX_SMS_CHARS, Notice, answer_notice

ANSWER = "Sở Xây dựng đã thảm lại mặt đường Hoàng Hoa Thám, hoàn thành ngày 25/3/2026."


def notice(**overrides: Any) -> Notice:
    args: dict[str, Any] = {
        "petition_id": "019cac54476c73a99e1f0b7d22c49e61",
        "code": "KN-01-26-FMHC97K1",
        "citizen_ref": "5f0d2c8e7a1b4e39b6c2d8a40e7f1c93",
        "agency_code": "SO-XAY-DUNG-HN",
        "answer_text": ANSWER,
        "document_number": "1254/SXD-HTKT",
    }
    return answer_notice(**{**args, **overrides})


def test_answer_notice_tells_the_citizen_in_vietnamese() -> None:
    n = notice()
    assert n.body == (
        "Lắng Nghe: Kiến nghị mã KN-01-26-FMHC97K1 của ông/bà đã được SO-XAY-DUNG-HN trả lời "
        f"(văn bản số 1254/SXD-HTKT): {ANSWER} Tra cứu toàn văn bằng mã KN-01-26-FMHC97K1."
    )
    assert (n.petition_id, n.kind) == ("019cac54476c73a99e1f0b7d22c49e61", "petition_answered")
    assert n.deliverable


def test_answer_notice_without_document_number_omits_it() -> None:
    body = notice(document_number=None).body
    assert "văn bản số" not in body
    assert "đã được SO-XAY-DUNG-HN trả lời: Sở Xây dựng" in body
    assert body.count("KN-01-26-FMHC97K1") == 2


def test_long_answer_is_truncated_with_an_ellipsis() -> None:
    long_answer = "Ủy ban nhân dân phường đã kiểm tra hiện trường và giao đơn vị thi công khắc phục. " * 20
    n = notice(answer_text=long_answer)
    summary = n.body.split("(văn bản số 1254/SXD-HTKT): ", 1)[1].split(" Tra cứu toàn văn", 1)[0]
    assert summary.endswith("...")
    assert len(summary) <= 300
    assert long_answer.startswith(summary.removesuffix("..."))
    assert n.body.endswith("Tra cứu toàn văn bằng mã KN-01-26-FMHC97K1.")
    assert len(n.body) <= MAX_SMS_CHARS


def test_answer_of_exactly_300_characters_is_kept_whole() -> None:
    answer = "ệ" * 300
    assert f": {answer} Tra cứu" in notice(answer_text=answer).body


def test_notice_body_never_exceeds_the_sms_limit() -> None:
    n = notice(agency_code="A" * 64, document_number="9" * 64, answer_text="ư" * 5000)
    assert len(n.body) == MAX_SMS_CHARS
    assert n.body.startswith("Lắng Nghe: Kiến nghị mã KN-01-26-FMHC97K1 của ông/bà")


def test_anonymous_petition_notice_is_not_deliverable() -> None:
    n = notice(citizen_ref=None)
    assert n.citizen_ref is None
    assert not n.deliverable
    assert "KN-01-26-FMHC97K1" in n.body
