"""The oversight feed's published contract: its messages, their ids, its subjects' permissions.

An oversight body (the Fatherland Front committee of a province) subscribes to
`oversight.v1.<province_code>.<kind>` on the stream `OVERSIGHT`, which reporting's projector
writes from the internal events. The feed has its own version (`feed_version`, also the `v1`
of the subject), independent of the internal events' schema versions: the internal events can
change without an outside reader noticing, and a breaking change of the feed is a new subject
space (`oversight.v2`) published beside the old one until its readers have moved.

What a message carries is what an oversight body is entitled to, and nothing else: codes,
kinds, units and agencies by code, dates and deadlines, status transitions, overdue marks,
conference and supervision facts. Never contact data or a reference to it (the vault's
`citizen_ref`, co-signers, officers, chairs, members), never free text written about a case
(content, reasons, notes, findings, conclusions), except the answer to a petition once it has
been published: `answered` says that an answer exists, `answer_published` carries its text.
A denunciation shows as `legal_type: denunciation` and nothing of what it denounces
(Luật Tố cáo 2018: the denouncer is protected).

One file for the contract (the three message kinds and the vocabulary they share) and the
permissions an oversight body's NATS user needs to read it; the generated documents (JSON
Schema, AsyncAPI) are built by `oversight_feed_docs`.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from langnghe.contracts.events.conference import (
    ConferenceKind,
    PublicationChannel,
    SupervisionForm,
    UnitLevel,
)
from langnghe.contracts.events.petition import (
    Channel,
    DeadlineKind,
    Disposition,
    LegalType,
    TransferKind,
)
from langnghe.contracts.subjects import (
    OVERSIGHT_FEED,
    OVERSIGHT_STREAM,
    oversight_province_filter,
    oversight_subject,
    token,
)

#: The feed's own schema version: the `v1` of `oversight.v1.>` and `feed_version` in every message.
FEED_VERSION = 1
#: Header on every feed message, beside `Nats-Msg-Id` (the feed id).
HEADER_FEED_VERSION = "Ln-Feed-Version"
HEADER_FEED_KIND = "Ln-Feed-Kind"

_FEED_IDS = uuid.UUID("6f0d1c8e-2b8a-5c55-9a41-0e1d7a7c2f10")


class FeedKind(StrEnum):
    """The last token of a feed subject."""

    PETITION = "petition"
    CONFERENCE = "conference"
    SUPERVISION = "supervision"


def feed_id_for(source_event_id: uuid.UUID) -> uuid.UUID:
    """The feed message's id, derived from the internal event it reports: the same event always
    gives the same id (and `Nats-Msg-Id`), so a redelivery or a replay cannot publish it twice
    under another id. Not the event id itself, so a reader learns nothing of the event store."""
    return uuid.uuid5(_FEED_IDS, f"{OVERSIGHT_FEED}:{source_event_id}")


def feed_subject(province_code: str, kind: FeedKind) -> str:
    return oversight_subject(province_code, kind.value)


# -- the messages --------------------------------------------------------------------------

Code = Annotated[str, Field(min_length=1, max_length=128)]


class _FeedMessage(BaseModel):
    """What every feed message carries. Readers must ignore fields they do not know: adding an
    optional field is not a breaking change of the feed (the schemas allow them)."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    feed_version: Literal[1] = Field(default=1, description="The feed's schema version")
    feed_id: uuid.UUID = Field(
        description="Unique per message, and equal to its `Nats-Msg-Id`: deduplicate on it"
    )
    province_code: Code = Field(description="The province whose feed carries it (the subject's token)")
    occurred_at: AwareDatetime = Field(description="When the fact was recorded (UTC)")


class PetitionTransition(StrEnum):
    """A fact of a petition's life, as the oversight body sees it."""

    RECEIVED = "received"
    DISPOSED_AT_CONFERENCE = "disposed_at_conference"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    DEADLINE_EXTENDED = "deadline_extended"
    REASSIGNED = "reassigned"
    ESCALATED = "escalated"
    ANSWERED = "answered"
    ANSWER_PUBLISHED = "answer_published"
    FEEDBACK_GIVEN = "feedback_given"
    REOPENED = "reopened"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    MERGED_INTO = "merged_into"
    ABSORBED_DUPLICATE = "absorbed_duplicate"
    BECAME_DUE_SOON = "became_due_soon"
    BECAME_OVERDUE = "became_overdue"


class PetitionFeedMessage(_FeedMessage):
    """One fact of one petition (subject `oversight.v1.<province_code>.petition`). The
    petition's identity (code, commune, legal type, channel, field) is repeated in every message,
    so a reader that starts anywhere needs no other message to place it; `agency_code` is the
    agency handling it after this fact (null when none is assigned)."""

    kind: Literal["petition"] = "petition"
    transition: PetitionTransition
    petition_id: Code
    petition_code: Code = Field(description="The code the citizen and the authorities quote")
    commune_code: Code | None = None
    legal_type: LegalType = Field(description="`denunciation` says it is one; its content is never carried")
    channel: Channel
    field_code: Code | None = None
    agency_code: Code | None = Field(default=None, description="The agency handling it after this fact")
    # deadlines
    promised_date: date | None = Field(
        default=None, description="The promised date in force, when this fact set it"
    )
    statutory_clock: Code | None = None
    statutory_due: date | None = None
    deadline: DeadlineKind | None = Field(
        default=None, description="Which deadline an extension or mark is about"
    )
    previous_due: date | None = None
    due: date | None = Field(default=None, description="The deadline's due date after this fact")
    extensions: int | None = Field(default=None, ge=0)
    after_due: bool | None = Field(
        default=None, description="An extension decided after the deadline had passed"
    )
    working_days_left: int | None = Field(default=None, ge=0)
    deadline_version: int | None = Field(default=None, ge=0)
    # acceptance, conference, transfers
    accepted_on: date | None = None
    accepted_late: bool | None = None
    decision_number: Code | None = None
    conference_id: Code | None = None
    disposition: Disposition | None = None
    from_agency_code: Code | None = None
    transfer: TransferKind | None = None
    to_level: UnitLevel | None = None
    to_unit_code: Code | None = None
    # the answer
    answering_agency_code: Code | None = None
    document_number: Code | None = None
    document_date: date | None = None
    answer_text: str | None = Field(
        default=None, description="The published answer: only on `answer_published`, never before"
    )
    published_on: date | None = None
    publication_channels: tuple[PublicationChannel, ...] | None = None
    # after the answer
    citizen_satisfied: bool | None = None
    primary_petition_id: Code | None = None
    duplicate_petition_id: Code | None = None


class ConferenceTransition(StrEnum):
    SCHEDULED = "scheduled"
    ANNOUNCED = "announced"
    HELD = "held"
    OPINION_LINKED = "opinion_linked"
    CONCLUDED = "concluded"
    RESULTS_PUBLISHED = "results_published"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    PLAN_SET = "plan_set"


class PlannedCount(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    unit_code: Code
    level: UnitLevel
    quarter: int | None = Field(default=None, ge=1, le=4)
    count: int = Field(ge=0)


class ConferenceFeedMessage(_FeedMessage):
    """One fact of a dialogue conference, voter meeting or reception session, or a unit's
    conference plan (`plan_set`, with `plan_id` instead of `conference_id`); subject
    `oversight.v1.<province_code>.conference`. The 7-day notice and 10-day publication rules
    are reported as `late_notice` and `late_publication`."""

    kind: Literal["conference"] = "conference"
    transition: ConferenceTransition
    conference_id: Code | None = None
    plan_id: Code | None = None
    conference_kind: ConferenceKind | None = None
    level: UnitLevel | None = None
    unit_code: Code | None = None
    planned_on: date | None = None
    announced_on: date | None = None
    notice_days: int | None = Field(default=None, ge=0)
    late_notice: bool | None = None
    held_on: date | None = None
    attendance: int | None = Field(default=None, ge=0)
    petition_id: Code | None = Field(default=None, description="An opinion linked to the conference")
    conclusion_number: Code | None = None
    conclusion_date: date | None = None
    distribution: tuple[Code, ...] | None = None
    published_on: date | None = None
    publication_channels: tuple[PublicationChannel, ...] | None = None
    days_after_held: int | None = Field(default=None, ge=0)
    late_publication: bool | None = None
    previous_date: date | None = None
    new_date: date | None = None
    issuer_unit_code: Code | None = None
    year: int | None = None
    quarter: int | None = Field(default=None, ge=1, le=4)
    planned: tuple[PlannedCount, ...] | None = None
    document_number: Code | None = None
    document_date: date | None = None


class SupervisionTransition(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    FINDINGS_RECORDED = "findings_recorded"
    RECOMMENDATION_ISSUED = "recommendation_issued"


class SupervisionFeedMessage(_FeedMessage):
    """One fact of an MTTQ supervision session (subject `oversight.v1.<province_code>.supervision`).
    The findings and the recommendation's wording stay in the system; the feed says that they
    were recorded or issued, by which document, to which agency, and when an answer is due."""

    kind: Literal["supervision"] = "supervision"
    transition: SupervisionTransition
    supervision_id: Code
    level: UnitLevel | None = None
    form: SupervisionForm | None = None
    supervised_agency_codes: tuple[Code, ...] | None = None
    conference_ids: tuple[Code, ...] | None = None
    petition_ids: tuple[Code, ...] | None = None
    planned_on: date | None = None
    held_on: date | None = None
    members: int | None = Field(default=None, ge=0, description="How many members took part")
    agencies_present: tuple[Code, ...] | None = None
    report_number: Code | None = None
    report_date: date | None = None
    recommendation_id: Code | None = None
    addressee_agency_code: Code | None = None
    field_code: Code | None = None
    issued_on: date | None = None
    document_number: Code | None = None
    response_due: date | None = None
    conference_id: Code | None = None


FeedMessage = PetitionFeedMessage | ConferenceFeedMessage | SupervisionFeedMessage

MESSAGE_MODELS: dict[FeedKind, type[_FeedMessage]] = {
    FeedKind.PETITION: PetitionFeedMessage,
    FeedKind.CONFERENCE: ConferenceFeedMessage,
    FeedKind.SUPERVISION: SupervisionFeedMessage,
}


def kind_of(message: FeedMessage) -> FeedKind:
    return FeedKind(message.kind)


def encode(message: FeedMessage) -> bytes:
    """The wire form: JSON, unset optional fields left out (a reader treats absent as null)."""
    return message.model_dump_json(exclude_none=True).encode()


def decode(kind: FeedKind, data: bytes) -> FeedMessage:
    model = MESSAGE_MODELS[kind]
    return model.model_validate_json(data)  # type: ignore[return-value]


# -- who may read it -------------------------------------------------------------------------


def oversight_consumer_name(province_code: str) -> str:
    """The one durable consumer a province's oversight body reads its feed through,
    `oversight-<province_code>`. Fixed, not chosen by the body: a consumer name is one whole
    subject token, so permissions cannot allow "names starting with"; allowing any name would
    let one province create or update a consumer under another province's name."""
    return f"oversight-{token(province_code)}"


def oversight_inbox_prefix(province_code: str) -> str:
    """The inbox prefix an oversight client must connect with (nats.js `inboxPrefix`, nats-py
    `inbox_prefix`). Replies and pulled messages arrive on it; a user allowed to subscribe to
    the usual `_INBOX.>` would receive every reply of the account, the services' pulled
    internal events included."""
    return f"_INBOX_OVERSIGHT_{token(province_code)}"


def oversight_user_permissions(province_code: str) -> dict[str, dict[str, list[str]]]:
    """The NATS permissions of a province's oversight user: read its province's feed through
    its durable consumer on `OVERSIGHT`, filtered to `oversight.v1.<province>.>`, and nothing
    else; it publishes nothing but the JetStream API requests reading needs.

    - `$JS.API.CONSUMER.CREATE.OVERSIGHT.<name>.oversight.v1.<province>.>`: create (or bind
      to) its consumer. A client names a single filter in the request's subject, and the
      server refuses a body whose filter differs from it (another filter, several, or none:
      tests/integration/test_oversight_client.py), so this subject cannot ask for another
      province's messages. Neither the unfiltered form (`...CREATE.OVERSIGHT.<name>`), nor an
      ephemeral consumer (`...CREATE.OVERSIGHT`), nor `$JS.API.CONSUMER.DURABLE.CREATE` is
      allowed: none of them carries the filter.
    - `$JS.API.CONSUMER.INFO|DELETE|MSG.NEXT.OVERSIGHT.<name>`: its own consumer only.
    - `$JS.ACK.OVERSIGHT.<name>.>`: acknowledging what it was handed.

    Never `$JS.API.STREAM.MSG.GET.OVERSIGHT` or Direct Get (either reads any subject of the
    stream; the stream has Direct Get off as well), `$JS.API.STREAM.INFO` (its subject
    listing would count another province's messages), `$JS.API.INFO`, nor anything on the
    internal streams. Subscribing only on its own inbox prefix.
    """
    name = oversight_consumer_name(province_code)
    stream = OVERSIGHT_STREAM
    return {
        "publish": {
            "allow": [
                f"$JS.API.CONSUMER.CREATE.{stream}.{name}.{oversight_province_filter(province_code)}",
                f"$JS.API.CONSUMER.INFO.{stream}.{name}",
                f"$JS.API.CONSUMER.DELETE.{stream}.{name}",
                f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{name}",
                f"$JS.ACK.{stream}.{name}.>",
            ],
            "deny": [],
        },
        "subscribe": {"allow": [f"{oversight_inbox_prefix(province_code)}.>"], "deny": []},
    }


def oversight_channels() -> dict[str, Any]:
    """The feed's subjects, by kind, with the province as a parameter (for documents)."""
    return {kind.value: f"{OVERSIGHT_FEED}.{{province_code}}.{kind.value}" for kind in FeedKind}
