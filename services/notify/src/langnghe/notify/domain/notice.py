"""What a citizen is told, in Vietnamese. Pure."""

from __future__ import annotations

from dataclasses import dataclass

MAX_SMS_CHARS = 480


@dataclass(frozen=True)
class Notice:
    petition_id: str
    citizen_ref: str | None
    kind: str
    body: str

    @property
    def deliverable(self) -> bool:
        return self.citizen_ref is not None


def answer_notice(
    *,
    petition_id: str,
    code: str,
    citizen_ref: str | None,
    agency_code: str,
    answer_text: str,
    document_number: str | None,
) -> Notice:
    document = f" (văn bản số {document_number})" if document_number else ""
    summary = answer_text if len(answer_text) <= 300 else answer_text[:297].rstrip() + "..."
    body = (
        f"Lắng Nghe: Kiến nghị mã {code} của ông/bà đã được {agency_code} trả lời{document}: "
        f"{summary} Tra cứu toàn văn bằng mã {code}."
    )
    return Notice(petition_id, citizen_ref, "petition_answered", body[:MAX_SMS_CHARS])
