"""A conference as intake decides it: scheduled -> (announced) -> held -> concluded -> results
published, with postponement and cancellation before it is held. State is a fold over events;
decisions are pure functions returning new events or raising `ConferenceRuleBroken`.

Rules that the law sets as duties (notice, publication delay) do not refuse the fact: a late
notice is still a notice. They are recorded on the event as flags, so oversight counts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import (
    AttendanceMode,
    Chair,
    ChairRole,
    ConferenceAnnounced,
    ConferenceCancelled,
    ConferenceConcluded,
    ConferenceHeld,
    ConferenceKind,
    ConferenceOpinionLinked,
    ConferencePostponed,
    ConferenceResultsPublished,
    ConferenceScheduled,
    ConvocationReason,
    PublicationChannel,
    UnitLevel,
)
from langnghe.domain.errors import DomainError

# Law on Organisation of Local Government 2025, Art. 43, AS REPORTED (vietnam.vn Q&A no. 20
# citing daibieunhandan.vn; the law's own text was not read — UNCONFIRMED): a commune dialogue
# conference is co-organised with the commune MTTQ, announced >= 7 days before and its results
# are published within 10 days. We apply it to commune dialogue conferences planned on or after
# the start of two-level local government (1 July 2025); the law's own effective date is also
# unconfirmed.
ART43_NOTICE_DAYS = 7
ART43_PUBLISH_WITHIN_DAYS = 10
TWO_LEVEL_GOVERNMENT_SINCE = date(2025, 7, 1)

MIN_REASON_CHARS = 5
MIN_CONCLUSION_CHARS = 20


class Status(StrEnum):
    NONE = "none"
    SCHEDULED = "scheduled"
    ANNOUNCED = "announced"
    HELD = "held"
    CONCLUDED = "concluded"
    RESULTS_PUBLISHED = "results_published"
    CANCELLED = "cancelled"


NOT_YET_HELD = frozenset({Status.SCHEDULED, Status.ANNOUNCED})
HELD_OR_LATER = frozenset({Status.HELD, Status.CONCLUDED, Status.RESULTS_PUBLISHED})


@dataclass(frozen=True)
class ConferenceState:
    status: Status = Status.NONE
    kind: ConferenceKind | None = None
    level: UnitLevel | None = None
    province_code: str | None = None
    unit_code: str | None = None
    chair_roles: frozenset[ChairRole] = frozenset()
    has_mttq_co_organiser: bool = False
    original_planned_on: date | None = None
    planned_on: date | None = None
    postponements: int = 0
    announced_on: date | None = None
    late_notice: bool = False
    held_on: date | None = None
    attendance: int | None = None
    opinions: tuple[str, ...] = ()
    concluded_on: date | None = None
    results_published_on: date | None = None
    late_publication: bool = False
    version: int = 0

    @property
    def exists(self) -> bool:
        return self.status is not Status.NONE

    @property
    def is_held(self) -> bool:
        return self.status in HELD_OR_LATER


class ConferenceRuleBroken(DomainError):
    """A conference rule refused the command (codes `conference.<reason>`)."""


def art43_applies(kind: ConferenceKind, level: UnitLevel, planned_on: date) -> bool:
    """Whether the commune dialogue-conference duties of LGO 2025 Art. 43 (as reported) apply."""
    return (
        kind is ConferenceKind.DIALOGUE_CONFERENCE
        and level is UnitLevel.COMMUNE
        and planned_on >= TWO_LEVEL_GOVERNMENT_SINCE
    )


# -- evolve --------------------------------------------------------------------------------


def evolve(state: ConferenceState, event: DomainEvent, occurred_at: datetime) -> ConferenceState:
    """`occurred_at` is when the fact was recorded; the dates that matter travel in the events."""
    state = replace(state, version=state.version + 1)
    if isinstance(event, ConferenceScheduled):
        return replace(
            state,
            status=Status.SCHEDULED,
            kind=event.kind,
            level=event.level,
            province_code=event.province_code,
            unit_code=event.unit_code,
            chair_roles=frozenset(chair.role for chair in event.chairs),
            has_mttq_co_organiser=event.mttq_co_organiser_ref is not None,
            original_planned_on=event.planned_on,
            planned_on=event.planned_on,
        )
    if isinstance(event, ConferenceAnnounced):
        return replace(
            state, status=Status.ANNOUNCED, announced_on=event.announced_on, late_notice=event.late_notice
        )
    if isinstance(event, ConferencePostponed):
        # A notice names a date; a new date needs a new notice.
        return replace(
            state,
            status=Status.SCHEDULED,
            planned_on=event.new_date,
            postponements=state.postponements + 1,
            announced_on=None,
            late_notice=False,
        )
    if isinstance(event, ConferenceCancelled):
        return replace(state, status=Status.CANCELLED)
    if isinstance(event, ConferenceHeld):
        return replace(state, status=Status.HELD, held_on=event.held_on, attendance=event.attendance)
    if isinstance(event, ConferenceOpinionLinked):
        if event.petition_id in state.opinions:
            return state
        return replace(state, opinions=(*state.opinions, event.petition_id))
    if isinstance(event, ConferenceConcluded):
        return replace(state, status=Status.CONCLUDED, concluded_on=event.conclusion_date)
    if isinstance(event, ConferenceResultsPublished):
        return replace(
            state,
            status=Status.RESULTS_PUBLISHED,
            results_published_on=event.published_on,
            late_publication=event.late_publication,
        )
    return state  # event types this version does not act on still count as versions


def fold(events: Iterable[tuple[DomainEvent, datetime]]) -> ConferenceState:
    state = ConferenceState()
    for event, occurred_at in events:
        state = evolve(state, event, occurred_at)
    return state


# -- commands ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleConference:
    kind: ConferenceKind
    level: UnitLevel
    province_code: str
    unit_code: str
    chairs: tuple[Chair, ...]
    planned_on: date
    mttq_co_organiser_ref: str | None = None
    attendance_mode: AttendanceMode = AttendanceMode.IN_PERSON
    place: str | None = None
    topic: str | None = None
    reason: ConvocationReason = ConvocationReason.PERIODIC


@dataclass(frozen=True)
class AnnounceConference:
    announced_on: date
    channels: tuple[PublicationChannel, ...] = ()


@dataclass(frozen=True)
class PostponeConference:
    new_date: date
    reason: str


@dataclass(frozen=True)
class CancelConference:
    reason: str


@dataclass(frozen=True)
class HoldConference:
    held_on: date
    attendance: int
    organisations_present: tuple[str, ...] = ()
    minutes_ref: str | None = None


@dataclass(frozen=True)
class LinkOpinion:
    petition_id: str


@dataclass(frozen=True)
class ConcludeConference:
    conclusion_number: str
    conclusion_date: date
    text: str
    distribution: tuple[str, ...]


@dataclass(frozen=True)
class PublishResults:
    published_on: date
    channels: tuple[PublicationChannel, ...]


ConferenceCommand = (
    ScheduleConference
    | AnnounceConference
    | PostponeConference
    | CancelConference
    | HoldConference
    | LinkOpinion
    | ConcludeConference
    | PublishResults
)


# -- rules shared by several decisions -----------------------------------------------------


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    """Order-preserving, blanks dropped (text arrives cleaned, NFC and stripped, from the request)."""
    return tuple(dict.fromkeys(v for v in values if v))


def _require_exists(state: ConferenceState) -> None:
    if not state.exists:
        raise ConferenceRuleBroken("conference.not_found", "Không tìm thấy hội nghị này.", status=404)


def _require_not_cancelled(state: ConferenceState) -> None:
    _require_exists(state)
    if state.status is Status.CANCELLED:
        raise ConferenceRuleBroken(
            "conference.cancelled", "Hội nghị đã bị hủy; không thể thay đổi nữa.", status=409
        )


def _require_not_yet_held(state: ConferenceState) -> None:
    _require_not_cancelled(state)
    if state.status not in NOT_YET_HELD:
        raise ConferenceRuleBroken(
            "conference.already_held",
            "Hội nghị đã diễn ra; không thể thay đổi lịch hay hủy hội nghị.",
            status=409,
        )


def _require_held(state: ConferenceState) -> None:
    _require_not_cancelled(state)
    if not state.is_held:
        raise ConferenceRuleBroken(
            "conference.not_held",
            "Hội nghị chưa diễn ra; hãy ghi nhận việc tổ chức hội nghị trước.",
            status=409,
        )


def _require_reason(reason: str) -> str:
    if len(reason) < MIN_REASON_CHARS:
        raise ConferenceRuleBroken(
            "conference.reason_required", f"Cần nêu lý do (ít nhất {MIN_REASON_CHARS} ký tự).", "reason"
        )
    return reason


def _require_level_exists_on(level: UnitLevel, on: date, field: str) -> None:
    if level is UnitLevel.DISTRICT and on >= TWO_LEVEL_GOVERNMENT_SINCE:
        raise ConferenceRuleBroken(
            "conference.district_level_abolished",
            "Từ ngày 01/7/2025 không còn cấp huyện; hãy chọn cấp tỉnh hoặc cấp xã.",
            field,
        )


def _require_mttq_co_organiser(kind: ConferenceKind, level: UnitLevel, on: date, has_mttq: bool) -> None:
    if art43_applies(kind, level, on) and not has_mttq:
        raise ConferenceRuleBroken(
            "conference.mttq_co_organiser_required",
            "Hội nghị đối thoại cấp xã phải được tổ chức cùng Ủy ban MTTQ Việt Nam cấp xã; "
            "hãy chọn Ủy ban MTTQ phối hợp.",
            "mttq_co_organiser_ref",
        )


# -- decisions -----------------------------------------------------------------------------


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
    _require_level_exists_on(cmd.level, cmd.planned_on, "level")
    place = cmd.place or None
    if cmd.attendance_mode is not AttendanceMode.ONLINE and place is None:
        raise ConferenceRuleBroken(
            "conference.place_required", "Cần ghi địa điểm tổ chức (hoặc chọn hình thức trực tuyến).", "place"
        )
    co_organiser = cmd.mttq_co_organiser_ref or None
    _require_mttq_co_organiser(cmd.kind, cmd.level, cmd.planned_on, co_organiser is not None)
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
    _require_not_yet_held(state)
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
    _require_not_yet_held(state)
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
    reason = _require_reason(cmd.reason)
    _require_level_exists_on(state.level, cmd.new_date, "new_date")
    _require_mttq_co_organiser(state.kind, state.level, cmd.new_date, state.has_mttq_co_organiser)
    return [ConferencePostponed(previous_date=state.planned_on, new_date=cmd.new_date, reason=reason)]


def decide_cancel(state: ConferenceState, cmd: CancelConference, today: date) -> list[DomainEvent]:
    _require_exists(state)
    if state.status is Status.CANCELLED:
        return []  # cancelling twice changes nothing
    _require_not_yet_held(state)
    return [ConferenceCancelled(reason=_require_reason(cmd.reason))]


def decide_hold(state: ConferenceState, cmd: HoldConference, today: date) -> list[DomainEvent]:
    _require_not_cancelled(state)
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
            organisations_present=_unique(cmd.organisations_present),
            minutes_ref=cmd.minutes_ref or None,
        )
    ]


def decide_link_opinion(state: ConferenceState, cmd: LinkOpinion, today: date) -> list[DomainEvent]:
    _require_held(state)
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
    _require_held(state)
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
    distribution = _unique(cmd.distribution)
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
    _require_held(state)
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
