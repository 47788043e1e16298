"""Conference routes: translate the request into a domain command, call one handler, return.
The bodies and answers are in `conference_bodies`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status

from langnghe.contracts.events.conference import Chair
from langnghe.intake.domain.conference import (
    AnnounceConference,
    CancelConference,
    ConcludeConference,
    HoldConference,
    PostponeConference,
    PublishResults,
    ScheduleConference,
)
from langnghe.intake.entrypoints.command_headers import command_context
from langnghe.intake.entrypoints.conference_bodies import (
    AnnounceIn,
    CancelIn,
    ConcludeIn,
    ConferenceChangedOut,
    ConferenceOut,
    ConferenceScheduledOut,
    HoldIn,
    LinkOpinionIn,
    PostponeIn,
    PublishResultsIn,
    ScheduleIn,
    changed,
    conference_out,
)
from langnghe.intake.handlers.conferences import (
    change_conference,
    get_conference,
    link_petition,
    schedule_conference,
)
from langnghe.intake.handlers.context import CommandContext
from langnghe.runtime.dependencies import Store
from langnghe.runtime.http import responses

ConferenceId = Annotated[str, Path(max_length=64, description="Mã hội nghị, ví dụ conf-15-…")]
Context = Annotated[CommandContext, Depends(command_context("clerk", "intake-api"))]

router = APIRouter(prefix="/v1/conferences", tags=["hội nghị (conferences)"])
CHANGE: dict[str, Any] = {"response_model": ConferenceChangedOut, "responses": responses(404, 409, 422, 503)}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ConferenceScheduledOut,
    responses=responses(409, 422, 503),
    summary="Lên lịch một hội nghị đối thoại, tiếp xúc cử tri hoặc tiếp công dân",
)
async def schedule(
    body: ScheduleIn, ctx: Context, store: Store, response: Response
) -> ConferenceScheduledOut:
    cmd = ScheduleConference(
        kind=body.kind,
        level=body.level,
        province_code=body.province_code,
        unit_code=body.unit_code,
        chairs=tuple(Chair(ref=c.ref, role=c.role) for c in body.chairs),
        planned_on=body.planned_on,
        mttq_co_organiser_ref=body.mttq_co_organiser_ref,
        attendance_mode=body.attendance_mode,
        place=body.place,
        topic=body.topic,
        reason=body.reason,
    )
    outcome = await schedule_conference(store, cmd, ctx)
    url = f"/v1/conferences/{outcome.aggregate_id}"
    response.headers["Location"] = url
    return ConferenceScheduledOut(
        conference_id=outcome.aggregate_id,
        stream_seq=outcome.stream_seq,
        replayed=not outcome.events,
        status_url=url,
    )


@router.post("/{conference_id}/announce", **CHANGE, summary="Ghi nhận việc thông báo hội nghị cho Nhân dân")
async def announce(
    conference_id: ConferenceId, body: AnnounceIn, ctx: Context, store: Store
) -> ConferenceChangedOut:
    cmd = AnnounceConference(announced_on=body.announced_on, channels=tuple(body.channels))
    return changed(await change_conference(store, conference_id, "conference.announce", cmd, ctx))


@router.post("/{conference_id}/postpone", **CHANGE, summary="Hoãn hội nghị sang ngày khác")
async def postpone(
    conference_id: ConferenceId, body: PostponeIn, ctx: Context, store: Store
) -> ConferenceChangedOut:
    cmd = PostponeConference(new_date=body.new_date, reason=body.reason)
    return changed(await change_conference(store, conference_id, "conference.postpone", cmd, ctx))


@router.post("/{conference_id}/cancel", **CHANGE, summary="Hủy hội nghị chưa diễn ra")
async def cancel(
    conference_id: ConferenceId, body: CancelIn, ctx: Context, store: Store
) -> ConferenceChangedOut:
    cmd = CancelConference(reason=body.reason)
    return changed(await change_conference(store, conference_id, "conference.cancel", cmd, ctx))


@router.post(
    "/{conference_id}/hold",
    **CHANGE,
    summary="Ghi nhận việc tổ chức hội nghị (ngày, số người tham dự, biên bản)",
)
async def hold(conference_id: ConferenceId, body: HoldIn, ctx: Context, store: Store) -> ConferenceChangedOut:
    cmd = HoldConference(
        held_on=body.held_on,
        attendance=body.attendance,
        organisations_present=tuple(body.organisations_present),
        minutes_ref=body.minutes_ref,
    )
    return changed(await change_conference(store, conference_id, "conference.hold", cmd, ctx))


@router.post(
    "/{conference_id}/opinions",
    **CHANGE,
    summary="Gắn một ý kiến, kiến nghị đã tiếp nhận vào hội nghị nơi nó được nêu",
)
async def link_opinion(
    conference_id: ConferenceId, body: LinkOpinionIn, ctx: Context, store: Store
) -> ConferenceChangedOut:
    return changed(await link_petition(store, conference_id, body.petition_id, ctx))


@router.post("/{conference_id}/conclude", **CHANGE, summary="Ghi nhận thông báo kết luận hội nghị")
async def conclude(
    conference_id: ConferenceId, body: ConcludeIn, ctx: Context, store: Store
) -> ConferenceChangedOut:
    cmd = ConcludeConference(
        conclusion_number=body.conclusion_number,
        conclusion_date=body.conclusion_date,
        text=body.text,
        distribution=tuple(body.distribution),
    )
    return changed(await change_conference(store, conference_id, "conference.conclude", cmd, ctx))


@router.post("/{conference_id}/publish-results", **CHANGE, summary="Ghi nhận việc công khai kết quả hội nghị")
async def publish_results(
    conference_id: ConferenceId, body: PublishResultsIn, ctx: Context, store: Store
) -> ConferenceChangedOut:
    cmd = PublishResults(published_on=body.published_on, channels=tuple(body.channels))
    return changed(await change_conference(store, conference_id, "conference.publish_results", cmd, ctx))


@router.get(
    "/{conference_id}",
    response_model=ConferenceOut,
    responses=responses(404, 409, 503),
    summary="Tình trạng một hội nghị: lịch, thông báo, tổ chức, kết luận, công khai, số ý kiến",
)
async def read(conference_id: ConferenceId, store: Store) -> ConferenceOut:
    return conference_out(await get_conference(store, conference_id))
