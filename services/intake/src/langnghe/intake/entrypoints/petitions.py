"""Petition submission: `POST /v1/petitions` translates the request, calls one handler, returns.

`accept_petition` is what the route does once the request is read and valid; the submission
fast path (`submission_fast_path`) calls the same function with the same models."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from langnghe.contracts.envelope import Actor
from langnghe.contracts.events.petition import Channel, LegalType
from langnghe.intake.adapters.vault import CitizenContact, Vault
from langnghe.intake.domain.submission import SubmitPetition
from langnghe.intake.entrypoints.command_headers import MAX_CORRELATION_ID
from langnghe.intake.handlers import fingerprint, submit_petition
from langnghe.intake.handlers.petitions import PetitionNotConfirmed
from langnghe.runtime.clean_text import Cleaned, CleanedLine
from langnghe.runtime.dependencies import Store
from langnghe.runtime.eventstore import EventStore, EventStoreUnavailable
from langnghe.runtime.http import STORE_UNAVAILABLE_WRITING, ErrorBody, ErrorDetail, responses


class CitizenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: Annotated[str, Field(max_length=200), CleanedLine] | None = Field(
        default=None, examples=["Nguyễn Văn A"]
    )
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 .-]{8,20}$", examples=["0912 345 678"])
    email: Annotated[str, Field(max_length=200), CleanedLine] | None = None
    address: Annotated[str, Field(max_length=500), CleanedLine] | None = None


class PetitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    province_code: str = Field(pattern=r"^[0-9]{2}$", description="Mã tỉnh/thành (2 chữ số)", examples=["15"])
    commune_code: str | None = Field(default=None, pattern=r"^[0-9]{5}$", examples=["03006"])
    channel: Channel
    legal_type: LegalType = LegalType.RECOMMENDATION
    field_code: str | None = Field(default=None, pattern=r"^[a-z_]{2,40}$", examples=["land"])
    # Cleaned (NFC, stripped) after the limits; the domain then counts what is left.
    content: Annotated[str, Field(min_length=1, max_length=20_000), Cleaned]
    citizen: CitizenIn | None = Field(default=None, description="Bỏ trống nếu người dân muốn ẩn danh")
    conference_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="Hội nghị nơi ý kiến được nêu: cùng tỉnh, đã được ghi nhận là đã tổ chức, "
        "chưa công khai kết quả; ý kiến được tính vào hội nghị đó",
    )

    def contact(self) -> CitizenContact | None:
        """The citizen's contact for the vault; None if anonymous (no field given)."""
        fields = self.citizen.model_dump() if self.citizen is not None else {}
        return CitizenContact(**fields) if any(fields.values()) else None

    def command(self, contact: CitizenContact | None) -> SubmitPetition:
        """The domain's command; `contact` is `self.contact()`, read once by the caller."""
        return SubmitPetition(
            province_code=self.province_code,
            commune_code=self.commune_code,
            channel=self.channel,
            legal_type=self.legal_type,
            field_code=self.field_code,
            content=self.content,
            has_citizen=contact is not None,
            conference_id=self.conference_id,
        )


#: Idempotency-Key and X-Actor-Ref, at most.
MAX_HEADER = 128


KEY_HEADER = "Idempotency-Key"


class PetitionAccepted(BaseModel):
    petition_id: str
    code: str
    stream_seq: int
    replayed: bool
    status_url: str
    idempotency_key: str = Field(
        description="Khóa chống gửi trùng đã dùng (khóa người gửi đưa, hoặc khóa hệ thống tạo khi "
        "không có); cũng trả trong header Idempotency-Key"
    )


class SubmissionNotConfirmed(ErrorBody):
    """503 on a submission: the errors, and the key to retry with (also in the header)."""

    idempotency_key: str = Field(
        description="Gửi lại với đúng khóa này: yêu cầu được hoàn tất một lần, không tạo kiến nghị trùng"
    )


#: The store did not confirm a petition already in the vault: it will be stored once, by a
#: retry with the key or by the vault sweeper.
PETITION_NOT_CONFIRMED = ErrorDetail(
    code="store.unavailable",
    message="Hệ thống chưa xác nhận được việc ghi nhận kiến nghị. Yêu cầu đã được lưu và sẽ được "
    "hoàn tất; vui lòng gửi lại sau ít phút với đúng khóa Idempotency-Key trong phản hồi này để "
    "nhận mã kiến nghị (gửi với khóa khác sẽ tạo kiến nghị trùng).",
)


def new_key() -> str:
    return uuid.uuid4().hex


def not_confirmed(exc: EventStoreUnavailable, key: str) -> bytes:
    """The 503 body of a submission the store did not confirm, with the key to retry with."""
    detail = PETITION_NOT_CONFIRMED if isinstance(exc, PetitionNotConfirmed) else STORE_UNAVAILABLE_WRITING
    return SubmissionNotConfirmed(errors=[detail], idempotency_key=key).model_dump_json().encode()


async def accept_petition(
    body: PetitionIn,
    *,
    idempotency_key: str | None,
    actor_ref: str | None,
    correlation_id: str | None,
    vault: Vault,
    store: EventStore,
) -> PetitionAccepted:
    """What `POST /v1/petitions` does once the request is read and valid (FastAPI's route and
    the ASGI fast path alike): submit, or raise the refusal `install_error_handlers` maps.
    Both paths pass the key they answer with (the client's, or one made for it)."""
    contact = body.contact()
    key = idempotency_key or new_key()
    accepted = await submit_petition(
        body.command(contact),
        contact=contact,
        idempotency_key=key,
        request_fingerprint=fingerprint(body.model_dump(mode="json")),
        actor=Actor(kind="clerk", ref=actor_ref or "intake-api"),
        correlation_id=(correlation_id or uuid.uuid4().hex)[:MAX_CORRELATION_ID],
        vault=vault,
        store=store,
    )
    return PetitionAccepted(
        petition_id=accepted.petition_id,
        code=accepted.code,
        stream_seq=accepted.stream_seq,
        replayed=accepted.replayed,
        status_url=f"/v1/petitions/{accepted.petition_id}",
        idempotency_key=key,
    )


def citizen_vault(request: Request) -> Vault:
    """One vault per process (`create_app` puts it on `app.state`): it groups concurrent commits."""
    vault: Vault = request.app.state.vault
    return vault


router = APIRouter(prefix="/v1", tags=["kiến nghị (petitions)"])


@router.post(
    "/petitions",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PetitionAccepted,
    responses={
        **responses(409, 422),
        503: {
            "model": SubmissionNotConfirmed,
            "description": "Kho sự kiện chưa xác nhận; gửi lại với khóa Idempotency-Key trả về",
        },
    },
    summary="Tiếp nhận một ý kiến, kiến nghị",
)
async def submit(
    body: PetitionIn,
    request: Request,
    response: Response,
    store: Store,
    vault: Annotated[Vault, Depends(citizen_vault)],
    idempotency_key: Annotated[str | None, Header(max_length=MAX_HEADER)] = None,
    x_actor_ref: Annotated[str | None, Header(max_length=MAX_HEADER)] = None,
) -> PetitionAccepted | Response:
    # Well-formed JSON submissions are answered by `SubmissionFastPath` before FastAPI
    # sees them; this route documents the operation and answers everything else.
    key = idempotency_key or new_key()
    try:
        accepted = await accept_petition(
            body,
            idempotency_key=key,
            actor_ref=x_actor_ref,
            correlation_id=request.headers.get("X-Correlation-Id"),
            vault=vault,
            store=store,
        )
    except EventStoreUnavailable as exc:
        return Response(
            not_confirmed(exc, key), status_code=503, media_type="application/json", headers={KEY_HEADER: key}
        )
    response.headers[KEY_HEADER] = key
    return accepted
