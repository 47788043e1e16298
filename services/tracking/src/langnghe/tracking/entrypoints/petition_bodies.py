"""What tracking's command routes read (one body per command, each turned into the domain's
command by its `command()`) and what they answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from langnghe.contracts.events.conference import PublicationChannel, UnitLevel
from langnghe.contracts.events.petition import ComplaintInstance, DeadlineKind, Disposition, TransferKind
from langnghe.runtime.clean_text import Cleaned, CleanedLine
from langnghe.tracking.domain.petition import (
    AcceptPetition,
    AnswerPetition,
    AssignPetition,
    ClosePetition,
    DisposeAtConference,
    EscalatePetition,
    ExtendDeadline,
    GiveFeedback,
    PetitionCommand,
    PublishAnswer,
    ReassignPetition,
    ReopenPetition,
    WithdrawPetition,
)

AGENCY_CODE = r"^[A-Za-z0-9_.-]{2,64}$"
UNIT_CODE = r"^[0-9]{2}([0-9]{3})?$"
#: The shape of a subject token: an id that passes is always usable in a subject.
PETITION_ID = r"^[A-Za-z0-9_-]{1,128}$"

# Free text is cleaned (NFC, stripped) once its limits have passed on what was sent.
Reason = Annotated[str, Field(min_length=1, max_length=2_000, description="Lý do"), Cleaned]
Note = Annotated[str, Field(max_length=2_000), Cleaned] | None
Ref = Annotated[str, Field(max_length=128), CleanedLine] | None
Number = Annotated[str, Field(max_length=64), CleanedLine] | None
Agency = Annotated[str, Field(pattern=AGENCY_CODE, examples=["UBND-XA-SAPA"])]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DispositionIn(_Body):
    disposition: Disposition
    note: Note = None
    answer_text: Annotated[str, Field(max_length=20_000), Cleaned] | None = None
    answering_agency_code: str | None = Field(default=None, pattern=AGENCY_CODE)
    agency_code: str | None = Field(default=None, pattern=AGENCY_CODE)
    promised_date: date | None = None
    officer_ref: Ref = None
    to_level: UnitLevel | None = None
    to_unit_code: str | None = Field(default=None, pattern=UNIT_CODE)

    def command(self) -> PetitionCommand:
        return DisposeAtConference(**self.model_dump())


class AssignIn(_Body):
    agency_code: Agency
    promised_date: date = Field(description="Ngày hẹn trả lời (YYYY-MM-DD)")
    officer_ref: Ref = None

    def command(self) -> PetitionCommand:
        return AssignPetition(self.agency_code, self.promised_date, self.officer_ref)


class AcceptIn(_Body):
    accepted_on: date = Field(description="Ngày thụ lý")
    decision_number: Number = None
    complaint_instance: ComplaintInstance | None = None
    complex_case: bool = False
    remote_area: bool = False

    def command(self) -> PetitionCommand:
        return AcceptPetition(**self.model_dump())


class ExtendIn(_Body):
    which: DeadlineKind = Field(description="promised: dời ngày hẹn; statutory: gia hạn theo luật")
    reason: Reason
    new_date: date | None = Field(default=None, description="Ngày hẹn mới (chỉ với promised)")
    decision_number: Number = None
    decision_date: date | None = None

    def command(self) -> PetitionCommand:
        return ExtendDeadline(**self.model_dump())


class ReassignIn(_Body):
    agency_code: Agency
    reason: Reason
    officer_ref: Ref = None
    promised_date: date | None = Field(default=None, description="Bỏ trống để giữ ngày hẹn cũ")

    def command(self) -> PetitionCommand:
        return ReassignPetition(**self.model_dump())


class EscalateIn(_Body):
    kind: TransferKind
    to_level: UnitLevel
    to_unit_code: str = Field(pattern=UNIT_CODE, examples=["15"])
    reason: Reason

    def command(self) -> PetitionCommand:
        return EscalatePetition(**self.model_dump())


class AnswerIn(_Body):
    answer_text: Annotated[str, Field(min_length=1, max_length=20_000), Cleaned]
    answering_agency_code: Agency
    document_number: Number = Field(default=None, examples=["125/UBND-VP"])
    document_date: date | None = None

    def command(self) -> PetitionCommand:
        return AnswerPetition(**self.model_dump())


class PublishIn(_Body):
    published_on: date
    channels: list[PublicationChannel] = Field(min_length=1, max_length=len(PublicationChannel))
    note: Note = None

    def command(self) -> PetitionCommand:
        return PublishAnswer(self.published_on, tuple(dict.fromkeys(self.channels)), self.note)


class FeedbackIn(_Body):
    satisfied: bool
    reason: Note = None

    def command(self) -> PetitionCommand:
        return GiveFeedback(self.satisfied, self.reason)


class ReopenIn(_Body):
    reason: Reason
    promised_date: date | None = None

    def command(self) -> PetitionCommand:
        return ReopenPetition(self.reason, self.promised_date)


class CloseIn(_Body):
    note: Note = None

    def command(self) -> PetitionCommand:
        return ClosePetition(self.note)


class WithdrawIn(_Body):
    reason: Reason

    def command(self) -> PetitionCommand:
        return WithdrawPetition(self.reason)


class MergeIn(_Body):
    primary_petition_id: str = Field(pattern=PETITION_ID, description="Kiến nghị chính để gộp vào")
    reason: Reason


class CommandOut(BaseModel):
    petition_id: str
    stream_seq: int = Field(description="Chờ đến số thứ tự này để đọc được kết quả (read-your-writes)")
    events: list[str] = Field(description="Các sự kiện vừa ghi; rỗng nếu không có gì thay đổi")
