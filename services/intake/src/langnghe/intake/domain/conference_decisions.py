"""The conference's decisions: one pure function per command, from the state folded so far
(`conference.fold`) and the day in Vietnam to the events to append, or `ConferenceRuleBroken`.

Rules that the law sets as duties (notice, publication delay) do not refuse the fact: a late
notice is still a notice. They are recorded on the event as flags, so oversight counts them.

One file for the eight decisions, a few lines over 300: they are read together (each checks
the conference's status the way the others do), and the checks they share are already apart
in `conference_rules`.
"""

from __future__ import annotations

from datetime import date

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import (
    AttendanceMode,
    ConferenceAnnounced,
    ConferenceCancelled,
    ConferenceConcluded,
    ConferenceHeld,
    ConferenceOpinionLinked,
    ConferencePostponed,
    ConferenceResultsPublished,
    ConferenceScheduled,
)
from langnghe.intake.domain.conference import (
    ART43_NOTICE_DAYS,
    ART43_PUBLISH_WITHIN_DAYS,
    MIN_CONCLUSION_CHARS,
    AnnounceConference,
    CancelConference,
    ConcludeConference,
    ConferenceCommand,
    ConferenceRuleBroken,
    ConferenceState,
    HoldConference,
    LinkOpinion,
    PostponeConference,
    PublishResults,
    ScheduleConference,
    Status,
    art43_applies,
)
from langnghe.intake.domain.conference_rules import (
    require_exists,
    require_held,
    require_level_exists_on,
    require_mttq_co_organiser,
    require_not_cancelled,
    require_not_yet_held,
    require_reason,
    unique_nonblank,
)


def decide_schedule(state: ConferenceState, cmd: ScheduleConference, today: date) -> list[DomainEvent]:
    if state.exists:
        raise ConferenceRuleBroken(
            "conference.already_scheduled", "Hội nghị này đã được lên lịch.", status=409
        )
    if not cmd.province_code or not cmd.unit_code:
        raise ConferenceRuleBroken(
            "conference.unit_required", "Cần chọn tỉnh và đơn vị tổ chức hội nghị.", "unit_code"
        )
    chairs = tuple({chair.ref: chair for chair in cmd.chairs}.values())
    if not chairs:
        raise ConferenceRuleBroken(
            "conference.chair_required", "Cần chọn người chủ trì (hoặc các đồng chủ trì) hội nghị.", "chairs"
        )
    if cmd.planned_on < today:
        raise ConferenceRuleBroken(
            "conference.planned_in_past", "Ngày dự kiến tổ chức không thể là một ngày đã qua.", "planned_on"
        )
    require_level_exists_on(cmd.level, cmd.planned_on, "level")
    place = cmd.place or None
    if cmd.attendance_mode is not AttendanceMode.ONLINE and place is None:
        raise ConferenceRuleBroken(
            "conference.place_required", "Cần ghi địa điểm tổ chức (hoặc chọn hình thức trực tuyến).", "place"
        )
    co_organiser = cmd.mttq_co_organiser_ref or None
    require_mttq_co_organiser(cmd.kind, cmd.level, cmd.planned_on, co_organiser is not None)
    return [
        ConferenceScheduled(
            kind=cmd.kind,
            level=cmd.level,
            province_code=cmd.province_code,
            unit_code=cmd.unit_code,
            chairs=chairs,
            mttq_co_organiser_ref=co_organiser,
            planned_on=cmd.planned_on,
            attendance_mode=cmd.attendance_mode,
            place=place,
            topic=cmd.topic or None,
            reason=cmd.reason,
        )
    ]


def decide_announce(state: ConferenceState, cmd: AnnounceConference, today: date) -> list[DomainEvent]:
    require_not_yet_held(state)
    assert state.planned_on is not None and state.kind is not None and state.level is not None
    if state.status is Status.ANNOUNCED:
        return []  # the date already announced has not changed
    if cmd.announced_on > today:
        raise ConferenceRuleBroken(
            "conference.announced_in_future", "Ngày thông báo không thể sau ngày hôm nay.", "announced_on"
        )
    if cmd.announced_on > state.planned_on:
        raise ConferenceRuleBroken(
            "conference.announced_after_date",
            "Ngày thông báo không thể sau ngày dự kiến tổ chức hội nghị.",
            "announced_on",
        )
    notice_days = (state.planned_on - cmd.announced_on).days
    return [
        ConferenceAnnounced(
            announced_on=cmd.announced_on,
            planned_on=state.planned_on,
            notice_days=notice_days,
            late_notice=art43_applies(state.kind, state.level, state.planned_on)
            and notice_days < ART43_NOTICE_DAYS,
            channels=tuple(dict.fromkeys(cmd.channels)),
        )
    ]


def decide_postpone(state: ConferenceState, cmd: PostponeConference, today: date) -> list[DomainEvent]:
    require_not_yet_held(state)
    assert state.planned_on is not None and state.kind is not None and state.level is not None
    if cmd.new_date <= today:
        raise ConferenceRuleBroken(
            "conference.postponed_to_past", "Ngày tổ chức mới phải sau ngày hôm nay.", "new_date"
        )
    if cmd.new_date == state.planned_on:
        raise ConferenceRuleBroken(
            "conference.postponed_to_same_date",
            "Ngày tổ chức mới trùng với ngày đã dự kiến.",
            "new_date",
        )
    reason = require_reason(cmd.reason)
    require_level_exists_on(state.level, cmd.new_date, "new_date")
    require_mttq_co_organiser(state.kind, state.level, cmd.new_date, state.has_mttq_co_organiser)
    return [ConferencePostponed(previous_date=state.planned_on, new_date=cmd.new_date, reason=reason)]


def decide_cancel(state: ConferenceState, cmd: CancelConference, today: date) -> list[DomainEvent]:
    require_exists(state)
    if state.status is Status.CANCELLED:
        return []  # cancelling twice changes nothing
    require_not_yet_held(state)
    return [ConferenceCancelled(reason=require_reason(cmd.reason))]


def decide_hold(state: ConferenceState, cmd: HoldConference, today: date) -> list[DomainEvent]:
    require_not_cancelled(state)
    if state.is_held:
        raise ConferenceRuleBroken(
            "conference.already_held", "Việc tổ chức hội nghị này đã được ghi nhận.", status=409
        )
    if cmd.attendance < 0:
        raise ConferenceRuleBroken(
            "conference.attendance_negative", "Số người tham dự không thể là số âm.", "attendance"
        )
    if cmd.held_on > today:
        raise ConferenceRuleBroken(
            "conference.held_in_future", "Ngày tổ chức không thể sau ngày hôm nay.", "held_on"
        )
    if state.announced_on is not None and cmd.held_on < state.announced_on:
        raise ConferenceRuleBroken(
            "conference.held_before_announcement",
            "Ngày tổ chức không thể trước ngày thông báo hội nghị.",
            "held_on",
        )
    return [
        ConferenceHeld(
            held_on=cmd.held_on,
            attendance=cmd.attendance,
            organisations_present=unique_nonblank(cmd.organisations_present),
            minutes_ref=cmd.minutes_ref or None,
        )
    ]


def decide_link_opinion(state: ConferenceState, cmd: LinkOpinion, today: date) -> list[DomainEvent]:
    require_held(state)
    petition_id = cmd.petition_id
    if not petition_id:
        raise ConferenceRuleBroken(
            "conference.petition_required", "Cần chọn ý kiến, kiến nghị.", "petition_id"
        )
    if petition_id in state.opinions:
        return []
    if state.status is Status.RESULTS_PUBLISHED:
        # The published results count the opinions; adding one afterwards would falsify them.
        raise ConferenceRuleBroken(
            "conference.results_already_published",
            "Kết quả hội nghị đã được công khai; không thể bổ sung ý kiến vào hội nghị này.",
            status=409,
        )
    return [ConferenceOpinionLinked(petition_id=petition_id)]


def decide_conclude(state: ConferenceState, cmd: ConcludeConference, today: date) -> list[DomainEvent]:
    require_held(state)
    assert state.held_on is not None
    if state.status is not Status.HELD:
        raise ConferenceRuleBroken(
            "conference.already_concluded", "Hội nghị đã có thông báo kết luận.", status=409
        )
    number = cmd.conclusion_number
    if not number:
        raise ConferenceRuleBroken(
            "conference.conclusion_number_required",
            "Cần ghi số văn bản thông báo kết luận.",
            "conclusion_number",
        )
    if cmd.conclusion_date < state.held_on:
        raise ConferenceRuleBroken(
            "conference.conclusion_before_holding",
            "Ngày kết luận không thể trước ngày tổ chức hội nghị.",
            "conclusion_date",
        )
    if cmd.conclusion_date > today:
        raise ConferenceRuleBroken(
            "conference.conclusion_in_future", "Ngày kết luận không thể sau ngày hôm nay.", "conclusion_date"
        )
    text = cmd.text
    if len(text) < MIN_CONCLUSION_CHARS:
        raise ConferenceRuleBroken(
            "conference.conclusion_too_short",
            f"Nội dung kết luận cần ít nhất {MIN_CONCLUSION_CHARS} ký tự.",
            "text",
        )
    distribution = unique_nonblank(cmd.distribution)
    if not distribution:
        # Sa Pa: conclusions go to the participants and to the agencies concerned.
        raise ConferenceRuleBroken(
            "conference.distribution_required",
            "Cần ghi nơi nhận thông báo kết luận (đại biểu, cơ quan chức năng).",
            "distribution",
        )
    return [
        ConferenceConcluded(
            conclusion_number=number,
            conclusion_date=cmd.conclusion_date,
            text=text,
            distribution=distribution,
        )
    ]


def decide_publish_results(state: ConferenceState, cmd: PublishResults, today: date) -> list[DomainEvent]:
    require_held(state)
    if state.status is Status.RESULTS_PUBLISHED:
        raise ConferenceRuleBroken(
            "conference.results_already_published", "Kết quả hội nghị đã được công khai.", status=409
        )
    if state.status is not Status.CONCLUDED:
        raise ConferenceRuleBroken(
            "conference.not_concluded",
            "Hội nghị chưa có thông báo kết luận; hãy ghi nhận kết luận trước khi công khai kết quả.",
            status=409,
        )
    assert state.held_on is not None and state.concluded_on is not None
    assert state.kind is not None and state.level is not None and state.planned_on is not None
    channels = tuple(dict.fromkeys(cmd.channels))
    if not channels:
        raise ConferenceRuleBroken(
            "conference.publication_channel_required",
            "Cần chọn hình thức công khai (phương tiện thông tin đại chúng, niêm yết tại trụ sở, "
            "gửi trưởng thôn, tổ trưởng tổ dân phố…).",
            "channels",
        )
    if cmd.published_on < state.concluded_on:
        raise ConferenceRuleBroken(
            "conference.published_before_conclusion",
            "Ngày công khai kết quả không thể trước ngày kết luận.",
            "published_on",
        )
    if cmd.published_on > today:
        raise ConferenceRuleBroken(
            "conference.published_in_future", "Ngày công khai không thể sau ngày hôm nay.", "published_on"
        )
    days = (cmd.published_on - state.held_on).days
    return [
        ConferenceResultsPublished(
            published_on=cmd.published_on,
            channels=channels,
            days_after_held=days,
            late_publication=art43_applies(state.kind, state.level, state.planned_on)
            and days > ART43_PUBLISH_WITHIN_DAYS,
        )
    ]


def decide(state: ConferenceState, cmd: ConferenceCommand, today: date) -> list[DomainEvent]:
    """Dispatch one command to its decision."""
    if isinstance(cmd, ScheduleConference):
        return decide_schedule(state, cmd, today)
    if isinstance(cmd, AnnounceConference):
        return decide_announce(state, cmd, today)
    if isinstance(cmd, PostponeConference):
        return decide_postpone(state, cmd, today)
    if isinstance(cmd, CancelConference):
        return decide_cancel(state, cmd, today)
    if isinstance(cmd, HoldConference):
        return decide_hold(state, cmd, today)
    if isinstance(cmd, LinkOpinion):
        return decide_link_opinion(state, cmd, today)
    if isinstance(cmd, ConcludeConference):
        return decide_conclude(state, cmd, today)
    return decide_publish_results(state, cmd, today)
