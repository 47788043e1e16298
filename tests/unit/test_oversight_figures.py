"""Oversight figures computed from events. The golden cases rebuild the figures the articles
report by hand (Sa Pa 2022, Sông Lô 2015-2020, Hà Nam 2021-2022) from generated conference and
supervision lives, each decided by the domain as a clerk would record it — the totals are
counted, never typed in."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

import pytest

from langnghe.contracts.events.base import DomainEvent
from langnghe.contracts.events.conference import (
    Chair,
    ChairRole,
    ConferenceKind,
    ConferencePlanSet,
    PlannedConferences,
    PublicationChannel,
    SupervisionForm,
    UnitLevel,
)
from langnghe.contracts.events.petition import Channel, PetitionReceived
from langnghe.intake.domain import conference as conf
from langnghe.intake.domain import conference_decisions as decisions
from langnghe.intake.domain import supervision as sup
from langnghe.intake.domain import supervision_decisions as sup_decisions
from langnghe.intake.domain.conference import (
    AnnounceConference,
    CancelConference,
    ConcludeConference,
    ConferenceCommand,
    ConferenceState,
    HoldConference,
    LinkOpinion,
    PostponeConference,
    PublishResults,
    ScheduleConference,
)
from langnghe.intake.domain.oversight_figures import (
    ANSWERED_AT_CONFERENCE,
    ConferenceFigures,
    Disposition,
    OpinionDisposition,
    RecordedEvent,
    oversight_figures,
)
from langnghe.intake.domain.supervision import (
    HoldSupervision,
    IssueRecommendation,
    PlanSupervision,
    RecordFindings,
    SupervisionState,
)

CONCLUSION = "Giao các cơ quan chuyên môn giải quyết dứt điểm các ý kiến, kiến nghị của Nhân dân."
FINDINGS = "Các kết luận sau đối thoại đã được triển khai; còn một số nội dung chậm tiến độ."
RECOMMENDATION = "Đề nghị đẩy nhanh tiến độ giải quyết các kiến nghị còn tồn đọng sau đối thoại."
BOARD = (PublicationChannel.HEADQUARTERS_NOTICE_BOARD,)


def at(day: date) -> datetime:
    return datetime.combine(day, time(3), tzinfo=UTC)


# -- generating lives through the domain ---------------------------------------------------


@dataclass(frozen=True)
class ConferenceLife:
    """What a clerk records about one conference, from which its events are decided."""

    conference_id: str
    province_code: str
    unit_code: str
    level: UnitLevel
    held_on: date
    attendance: int
    opinions: Sequence[Disposition] = ()
    chairs: tuple[ChairRole, ...] = (ChairRole.PARTY_COMMITTEE_HEAD,)
    kind: ConferenceKind = ConferenceKind.DIALOGUE_CONFERENCE
    notice_days: int = 10
    publish_after_days: int | None = 5
    postponed_from: date | None = None
    cancelled: bool = False


def live(life: ConferenceLife) -> tuple[list[RecordedEvent], list[OpinionDisposition]]:
    """Decide every step of the life in order, on the day it happens; fail on any refusal."""
    first_date = life.postponed_from or life.held_on
    steps: list[tuple[ConferenceCommand, date]] = [
        (
            ScheduleConference(
                kind=life.kind,
                level=life.level,
                province_code=life.province_code,
                unit_code=life.unit_code,
                chairs=tuple(Chair(ref=f"{life.unit_code}-{role}", role=role) for role in life.chairs),
                planned_on=first_date,
                mttq_co_organiser_ref=f"mttq-{life.unit_code}",
                place=f"Hội trường {life.unit_code}",
            ),
            first_date - timedelta(days=20),
        ),
    ]
    if life.cancelled:
        steps.append((CancelConference("Trùng lịch công tác đột xuất."), first_date - timedelta(days=3)))
    else:
        if life.postponed_from is not None:
            steps.append(
                (
                    PostponeConference(life.held_on, "Mưa lũ, đường vào bản bị sạt lở."),
                    first_date - timedelta(days=2),
                )
            )
        announced_on = life.held_on - timedelta(days=life.notice_days)
        steps += [
            (AnnounceConference(announced_on, BOARD), announced_on),
            (HoldConference(life.held_on, life.attendance), life.held_on),
        ]
        steps += [(LinkOpinion(petition_id(life, n)), life.held_on) for n in range(len(life.opinions))]
        if life.publish_after_days is not None:
            concluded_on = life.held_on + timedelta(days=min(2, life.publish_after_days))
            steps += [
                (
                    ConcludeConference(f"{life.conference_id}/TB", concluded_on, CONCLUSION, ("dai-bieu",)),
                    concluded_on,
                ),
                (
                    PublishResults(life.held_on + timedelta(days=life.publish_after_days), BOARD),
                    life.held_on + timedelta(days=life.publish_after_days),
                ),
            ]
    state = ConferenceState()
    recorded: list[RecordedEvent] = []
    for command, today in steps:
        for event in decisions.decide(state, command, today):
            state = conf.evolve(state, event, at(today))
            recorded.append(RecordedEvent(life.conference_id, event, at(today)))
    dispositions = [
        OpinionDisposition(petition_id(life, n), life.conference_id, disposition)
        for n, disposition in enumerate(life.opinions)
    ]
    return recorded, dispositions


def petition_id(life: ConferenceLife, n: int) -> str:
    return f"{life.conference_id}-y{n:03d}"


def live_all(lives: Sequence[ConferenceLife]) -> tuple[list[RecordedEvent], list[OpinionDisposition]]:
    events: list[RecordedEvent] = []
    dispositions: list[OpinionDisposition] = []
    for life in lives:
        e, d = live(life)
        events += e
        dispositions += d
    return events, dispositions


def supervise(
    session_id: str,
    held_on: date,
    form: SupervisionForm = SupervisionForm.MTTQ_DELEGATION,
    recommendations: Sequence[str] = (),
    level: UnitLevel = UnitLevel.COMMUNE,
) -> list[RecordedEvent]:
    """One supervision session decided step by step; `recommendations` are addressee agencies."""
    steps: list[tuple[sup.SupervisionCommand, date]] = [
        (
            PlanSupervision(
                province_code="35",
                level=level,
                lead_body_ref="mttq-ha-nam",
                topic="Giám sát thực hiện kết luận sau đối thoại",
                supervised_agency_codes=("UBND",),
                planned_on=held_on,
                form=form,
            ),
            held_on - timedelta(days=10),
        ),
        (HoldSupervision(held_on, ("thanh-vien-1",)), held_on),
        (RecordFindings(held_on + timedelta(days=2), FINDINGS), held_on + timedelta(days=2)),
    ]
    steps += [
        (
            IssueRecommendation(f"KN-{n}", agency, RECOMMENDATION, held_on + timedelta(days=3)),
            held_on + timedelta(days=3),
        )
        for n, agency in enumerate(recommendations, start=1)
    ]
    state = SupervisionState()
    recorded: list[RecordedEvent] = []
    for command, today in steps:
        for event in sup_decisions.decide(state, command, today):
            state = sup.evolve(state, event, at(today))
            recorded.append(RecordedEvent(session_id, event, at(today)))
    return recorded


def split(total: int, parts: int, low: int, high: int, seed: int) -> list[int]:
    """`parts` whole numbers in [low, high] summing to `total`, unevenly but reproducibly."""
    assert low * parts <= total <= high * parts
    rng = random.Random(seed)
    values = [low] * parts
    for _ in range(total - low * parts):
        values[rng.choice([i for i, v in enumerate(values) if v < high])] += 1
    return values


def days_of(year: int, count: int, seed: int) -> Iterator[date]:
    rng = random.Random(seed)
    for _ in range(count):
        yield date(year, 1, 15) + timedelta(days=rng.randrange(0, 330))


# -- Sa Pa 2022 ----------------------------------------------------------------------------

SA_PA_UNITS = tuple(f"sa-pa-xa-{n:02d}" for n in range(1, 17))


def sa_pa_2022() -> list[ConferenceLife]:
    """Sa Pa town's Party committee (one conference a quarter) and its 16 communes and wards:
    26 conferences in 2022. One was postponed by a landslide and held a week later."""
    attendance = split(2_282, 26, low=40, high=150, seed=2022)
    opinions = split(319, 26, low=4, high=25, seed=319)
    units = [("088", UnitLevel.DISTRICT)] * 4 + [(SA_PA_UNITS[n % 16], UnitLevel.COMMUNE) for n in range(22)]
    days = [date(2022, 3 * q - 1, 20) for q in range(1, 5)] + sorted(days_of(2022, 22, seed=26))
    lives = [
        ConferenceLife(
            conference_id=f"sapa-2022-{n:02d}",
            province_code="10",
            unit_code=unit,
            level=level,
            held_on=day,
            attendance=attendance[n],
            opinions=[Disposition.ANSWERED_ON_THE_SPOT] * opinions[n],
            notice_days=5 + n % 6,
            publish_after_days=3 + n % 12,
        )
        for n, ((unit, level), day) in enumerate(zip(units, days, strict=True))
    ]
    lives[7] = replace(lives[7], postponed_from=lives[7].held_on - timedelta(days=7))
    return lives


def test_sa_pa_2022_is_rebuilt_from_events() -> None:
    """Sa Pa 2022: 26 conferences, 2,282 attendees, 319 opinions, 100 % answered at the
    conference (Thị ủy Sa Pa, via the article in sources/)."""
    events, dispositions = live_all(sa_pa_2022())
    # Noise the figures must not count: a cancelled 2022 conference, one held in 2023.
    noise, _ = live_all(
        [
            ConferenceLife(
                "sapa-2022-huy", "10", SA_PA_UNITS[0], UnitLevel.COMMUNE, date(2022, 9, 9), 0, cancelled=True
            ),
            ConferenceLife("sapa-2023-01", "10", "088", UnitLevel.DISTRICT, date(2023, 2, 20), 120),
        ]
    )
    figures = oversight_figures(
        [*events, *noise], dispositions, since=date(2022, 1, 1), until=date(2022, 12, 31)
    )
    assert figures.total == ConferenceFigures(
        conferences_held=26, attendees=2_282, opinions_raised=319, answered_at_conference=319
    )
    assert figures.total.answered_share == 1
    assert figures.total.answered_percent == 100.0
    assert figures.by_level[UnitLevel.DISTRICT].conferences_held == 4
    assert figures.by_level[UnitLevel.COMMUNE].conferences_held == 22
    assert sum(f.attendees for f in figures.by_unit.values()) == 2_282
    assert figures.opinions_by_disposition == {Disposition.ANSWERED_ON_THE_SPOT: 319}
    assert (figures.opinions_without_disposition, figures.dispositions_without_link) == (0, 0)
    assert (figures.cancelled, figures.postponed) == (1, 1)
    assert (figures.concluded, figures.results_published) == (26, 26)
    # Art. 43's duties did not exist in 2022: nothing is flagged, however short the notice.
    assert (figures.late_notices, figures.late_publications) == (0, 0)
    assert figures.held_by_chair_role == {
        (ChairRole.PARTY_COMMITTEE_HEAD, UnitLevel.DISTRICT): 4,
        (ChairRole.PARTY_COMMITTEE_HEAD, UnitLevel.COMMUNE): 22,
    }


def test_sa_pa_figures_change_when_an_opinion_was_not_answered_on_the_spot() -> None:
    events, dispositions = live_all(sa_pa_2022())
    first = dispositions[0]
    dispositions[0] = first._replace(disposition=Disposition.ASSIGNED)
    figures = oversight_figures(events, dispositions)
    assert figures.total.answered_at_conference == 318
    assert figures.total.answered_share == Fraction(318, 319)
    assert figures.total.answered_percent == 99.7


# -- Sông Lô 2015-2020 ---------------------------------------------------------------------

SONG_LO_DISPOSITIONS = (
    Disposition.ANSWERED_ON_THE_SPOT,
    Disposition.ASSIGNED,
    Disposition.EXPLAINED,
    Disposition.ESCALATED,
)


def song_lo_2015_2020() -> list[ConferenceLife]:
    """Sông Lô district (Vĩnh Phúc): 25 thematic dialogue conferences from 2015 to 2020,
    "nearly 1,900" participants, 70 to 150 at each, 268 opinions. The article names four ways
    opinions were handled but not how many went each way, so they are spread in turn."""
    attendance = split(1_890, 25, low=70, high=150, seed=1900)
    opinions = split(268, 25, low=5, high=20, seed=268)
    days = [date(2015 + n // 5, 1 + (n % 5) * 2, 10 + n % 9) for n in range(25)]
    turn = iter(range(268))
    return [
        ConferenceLife(
            conference_id=f"songlo-{n:02d}",
            province_code="26",
            unit_code="253",
            level=UnitLevel.DISTRICT,
            held_on=days[n],
            attendance=attendance[n],
            opinions=[SONG_LO_DISPOSITIONS[next(turn) % 4] for _ in range(opinions[n])],
            chairs=(ChairRole.PARTY_COMMITTEE_HEAD, ChairRole.GOVERNMENT_HEAD),
        )
        for n in range(25)
    ]


def test_song_lo_2015_2020_is_rebuilt_from_events() -> None:
    lives = song_lo_2015_2020()
    assert all(70 <= life.attendance <= 150 for life in lives)
    events, dispositions = live_all(lives)
    figures = oversight_figures(events, dispositions, since=date(2015, 1, 1), until=date(2020, 9, 16))
    assert figures.total.conferences_held == 25
    assert figures.total.opinions_raised == 268
    assert 1_850 <= figures.total.attendees < 1_900  # "gần 1.900 lượt"
    assert figures.total.attendees == 1_890
    assert figures.by_unit == {"253": figures.total}
    assert sum(figures.opinions_by_disposition.values()) == 268
    answered = sum(n for d, n in figures.opinions_by_disposition.items() if d in ANSWERED_AT_CONFERENCE)
    assert figures.total.answered_at_conference == answered == 134
    assert figures.total.answered_percent == 50.0
    assert figures.held_by_chair_role == {
        (ChairRole.PARTY_COMMITTEE_HEAD, UnitLevel.DISTRICT): 25,
        (ChairRole.GOVERNMENT_HEAD, UnitLevel.DISTRICT): 25,
    }


# -- Hà Nam 2021-2022 ----------------------------------------------------------------------


def ha_nam_2021_2022() -> list[ConferenceLife]:
    """Party-committee heads held 241 dialogue conferences (3 province, 22 district, 216
    commune); government heads 323 (3, 40, 280). The article does not say how many were held
    together, so here none are."""
    counts = {
        ChairRole.PARTY_COMMITTEE_HEAD: {
            UnitLevel.PROVINCE: 3,
            UnitLevel.DISTRICT: 22,
            UnitLevel.COMMUNE: 216,
        },
        ChairRole.GOVERNMENT_HEAD: {UnitLevel.PROVINCE: 3, UnitLevel.DISTRICT: 40, UnitLevel.COMMUNE: 280},
    }
    lives: list[ConferenceLife] = []
    for role, by_level in counts.items():
        for level, count in by_level.items():
            for n, day in enumerate(days_of(2021 + len(lives) % 2, count, seed=len(lives))):
                lives.append(
                    ConferenceLife(
                        conference_id=f"hanam-{role}-{level}-{n:03d}",
                        province_code="35",
                        unit_code=f"hn-{level}-{n % 6}",
                        level=level,
                        held_on=day,
                        attendance=60,
                        chairs=(role,),
                    )
                )
    return lives


def test_ha_nam_2021_2022_conferences_by_chair_and_level_and_supervisions() -> None:
    events, _ = live_all(ha_nam_2021_2022())
    sessions: list[RecordedEvent] = []
    for form, count in (
        (SupervisionForm.MTTQ_DELEGATION, 684),
        (SupervisionForm.PEOPLES_INSPECTION_BOARD, 563),
        (SupervisionForm.COMMUNITY_INVESTMENT_BOARD, 578),
    ):
        for n, day in enumerate(days_of(2022, count, seed=count)):
            addressees = ("UBND-XA",) if form is SupervisionForm.MTTQ_DELEGATION and n % 4 == 0 else ()
            sessions += supervise(f"{form}-{n}", day, form, addressees, level=UnitLevel.DISTRICT)
    figures = oversight_figures([*events, *sessions], since=date(2021, 1, 1), until=date(2022, 12, 31))
    role = figures.held_by_chair_role
    party = {level: role.get((ChairRole.PARTY_COMMITTEE_HEAD, level), 0) for level in UnitLevel}
    government = {level: role.get((ChairRole.GOVERNMENT_HEAD, level), 0) for level in UnitLevel}
    assert party == {UnitLevel.PROVINCE: 3, UnitLevel.DISTRICT: 22, UnitLevel.COMMUNE: 216}
    assert sum(party.values()) == 241
    assert government == {UnitLevel.PROVINCE: 3, UnitLevel.DISTRICT: 40, UnitLevel.COMMUNE: 280}
    assert sum(government.values()) == 323
    assert figures.supervision_sessions_by_form == {
        SupervisionForm.MTTQ_DELEGATION: 684,
        SupervisionForm.PEOPLES_INSPECTION_BOARD: 563,
        SupervisionForm.COMMUNITY_INVESTMENT_BOARD: 578,
    }
    assert figures.supervision_sessions == 684 + 563 + 578
    assert figures.recommendations_issued == 171
    assert figures.recommendations_by_agency == {"UBND-XA": 171}


# -- the figures' own rules ----------------------------------------------------------------

COMMUNE_2026 = ConferenceLife(
    "c-2026", "01", "00004", UnitLevel.COMMUNE, date(2026, 3, 14), 137, chairs=(ChairRole.GOVERNMENT_HEAD,)
)


def test_no_events_no_figures() -> None:
    figures = oversight_figures([])
    assert figures.total == ConferenceFigures()
    assert figures.total.answered_share is None and figures.total.answered_percent is None
    assert (figures.by_level, figures.by_unit, figures.held_by_chair_role) == ({}, {}, {})
    assert (figures.supervision_sessions, figures.recommendations_issued) == (0, 0)


@pytest.mark.parametrize(
    ("disposition", "answered"),
    [
        (Disposition.ANSWERED_ON_THE_SPOT, 1),
        (Disposition.EXPLAINED, 1),
        (Disposition.ASSIGNED, 0),
        (Disposition.ESCALATED, 0),
        (Disposition.RECORDED, 0),
    ],
)
def test_answered_at_the_conference_means_answered_or_explained_there(
    disposition: Disposition, answered: int
) -> None:
    events, dispositions = live(replace(COMMUNE_2026, opinions=[disposition]))
    figures = oversight_figures(events, dispositions)
    assert figures.total.answered_at_conference == answered
    assert figures.opinions_by_disposition == {disposition: 1}


def test_dispositions_may_be_plain_tuples_and_the_last_one_wins() -> None:
    events, _ = live(replace(COMMUNE_2026, opinions=[Disposition.ASSIGNED]))
    plain = [("c-2026-y000", "c-2026", "assigned"), ("c-2026-y000", "c-2026", "answered_on_the_spot")]
    figures = oversight_figures(events, [OpinionDisposition(*fact) for fact in plain])  # type: ignore[arg-type]
    assert figures.total.answered_at_conference == 1
    assert figures.opinions_by_disposition == {Disposition.ANSWERED_ON_THE_SPOT: 1}


def test_opinions_without_disposition_and_dispositions_without_opinion_are_counted_apart() -> None:
    events, _ = live(replace(COMMUNE_2026, opinions=[Disposition.ASSIGNED] * 3))
    facts = [
        OpinionDisposition("c-2026-y000", "c-2026", Disposition.EXPLAINED),
        OpinionDisposition("c-2026-y001", "another-conference", Disposition.EXPLAINED),
        OpinionDisposition("never-linked", "c-2026", Disposition.ANSWERED_ON_THE_SPOT),
    ]
    figures = oversight_figures(events, facts)
    assert figures.total.opinions_raised == 3
    assert figures.total.answered_at_conference == 1
    assert figures.opinions_without_disposition == 2
    assert figures.dispositions_without_link == 2


def test_late_notice_and_late_publication_of_a_commune_dialogue_are_counted() -> None:
    lives = [
        replace(COMMUNE_2026, conference_id="on-time"),
        replace(COMMUNE_2026, conference_id="late-notice", notice_days=3),
        replace(COMMUNE_2026, conference_id="late-results", publish_after_days=12),
        replace(COMMUNE_2026, conference_id="not-concluded", publish_after_days=None),
    ]
    figures = oversight_figures(live_all(lives)[0])
    assert (figures.late_notices, figures.late_publications) == (1, 1)
    assert (figures.total.conferences_held, figures.concluded, figures.results_published) == (4, 3, 3)


def test_conferences_count_in_the_period_they_were_held_in() -> None:
    lives = [
        replace(COMMUNE_2026, conference_id="march", held_on=date(2026, 3, 31)),
        replace(COMMUNE_2026, conference_id="april", held_on=date(2026, 4, 1), attendance=50),
        replace(COMMUNE_2026, conference_id="cancelled", held_on=date(2026, 3, 20), cancelled=True),
    ]
    events, _ = live_all(lives)
    q1 = oversight_figures(events, since=date(2026, 1, 1), until=date(2026, 3, 31))
    q2 = oversight_figures(events, since=date(2026, 4, 1), until=date(2026, 6, 30))
    assert (q1.total.conferences_held, q1.total.attendees, q1.cancelled) == (1, 137, 1)
    assert (q2.total.conferences_held, q2.total.attendees, q2.cancelled) == (1, 50, 0)
    assert oversight_figures(events, until=date(2026, 3, 30)).total.conferences_held == 0
    assert oversight_figures(events, since=date(2026, 4, 2)).total.conferences_held == 0


def test_co_chaired_conference_counts_for_each_chair_role() -> None:
    life = replace(COMMUNE_2026, chairs=(ChairRole.PARTY_COMMITTEE_HEAD, ChairRole.PEOPLES_COUNCIL))
    figures = oversight_figures(live(life)[0])
    assert figures.held_by_chair_role == {
        (ChairRole.PARTY_COMMITTEE_HEAD, UnitLevel.COMMUNE): 1,
        (ChairRole.PEOPLES_COUNCIL, UnitLevel.COMMUNE): 1,
    }
    assert figures.total.conferences_held == 1


def test_a_conference_not_yet_held_is_not_counted() -> None:
    events, _ = live(COMMUNE_2026)
    scheduled_only = [e for e in events if e.event.type in ("conference.scheduled", "conference.announced")]
    figures = oversight_figures(scheduled_only)
    assert figures.total == ConferenceFigures()


def test_supervision_sessions_count_when_held_and_recommendations_when_issued() -> None:
    held = supervise("s-1", date(2026, 4, 20), recommendations=("UBND-PHUONG", "SO-XAY-DUNG"))
    planned_only = supervise("s-2", date(2026, 5, 20))[:1]
    figures = oversight_figures([*held, *planned_only])
    assert figures.supervision_sessions == 1
    assert figures.recommendations_issued == 2
    assert figures.recommendations_by_agency == {"UBND-PHUONG": 1, "SO-XAY-DUNG": 1}
    assert oversight_figures(held, until=date(2026, 4, 22)).recommendations_issued == 0


def test_other_event_types_are_ignored() -> None:
    events, dispositions = live(replace(COMMUNE_2026, opinions=[Disposition.EXPLAINED]))
    others: list[DomainEvent] = [
        PetitionReceived(
            code="KN-01-26-X",
            province_code="01",
            channel=Channel.DIALOGUE_CONFERENCE,
            content="Nội dung kiến nghị.",
        ),
        ConferencePlanSet(
            province_code="01",
            issuer_unit_code="00004",
            year=2026,
            lines=(PlannedConferences(unit_code="00004", level=UnitLevel.COMMUNE, count=1),),
        ),
    ]
    mixed = [*events, *(RecordedEvent("c-2026", event, at(date(2026, 3, 14))) for event in others)]
    assert oversight_figures(mixed, dispositions) == oversight_figures(events, dispositions)
