"""The demo data set, loaded over the services' HTTP APIs.

The petitions in `demo_data.json` are fictitious: no real person, case or document number is
meant. They are placed in real communes and wards after the 1 July 2025 reform (codes from
the project's official unit catalogue) and follow the kinds of matters the source articles report
(land, site clearance, urban planning, agriculture, environment, cadre ethics, social
policy, infrastructure). Citizen contacts are placeholders ("Nguyễn Văn A", 09000000xx).

Each meeting that is a conference (dialogue, voter meeting, citizen reception) is first
scheduled and recorded as held through intake, on the day of loading; then each petition is
submitted to intake with the idempotency key `demo-<n>` (naming its conference), so loading
twice does not duplicate anything; some are then assigned (promised date = load day + an
offset), some answered and their answers made public, through tracking.

Each call carries a bearer token of the embedded issuer (`tokens`), as the roles would make
it: a clerk of the province schedules, holds and submits on behalf of citizens; its unit
leader assigns and publishes; an officer of the assigned agency answers.

    python -m langnghe.tools.demo --intake-url http://127.0.0.1:8701 \
        --tracking-url http://127.0.0.1:8702
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from langnghe.domain.vietnam_time import vietnam_date
from langnghe.runtime.settings import DEFAULT_HTTP_PORTS
from langnghe.tools.issuer import TokenSource

DATA_FILE = Path(__file__).with_name("demo_data.json")
#: Tracking learns about a petition from the event stream, a moment after intake accepted it.
CATCH_UP_S = 5.0
_SUBMIT_FIELDS = ("province_code", "commune_code", "channel", "legal_type", "field_code", "content")


class DemoError(RuntimeError):
    pass


@cache
def dataset() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class PlannedPetition:
    """One petition of the data set as HTTP requests: submit, then maybe assign and answer."""

    n: int
    idempotency_key: str
    submit: dict[str, Any]
    assign: dict[str, Any] | None
    answer: dict[str, Any] | None
    answered_on: str = ""


#: Meeting channels that are conferences intake keeps a record of; a work visit is not one.
CONFERENCE_CHANNELS = ("dialogue_conference", "voter_meeting", "citizen_reception")


@dataclass(frozen=True)
class PlannedConference:
    """One meeting of the data set as HTTP requests to intake: schedule, then record it held."""

    meeting_key: str
    idempotency_key: str
    schedule: dict[str, Any]
    hold: dict[str, Any]


def plan_conferences(today: date, data: dict[str, Any] | None = None) -> list[PlannedConference]:
    out = []
    for meeting in (data or dataset())["meetings"]:
        if meeting["channel"] not in CONFERENCE_CHANNELS:
            continue
        commune = meeting["commune_code"]
        schedule = {
            "kind": meeting["channel"],
            "level": "commune",
            "province_code": meeting["province_code"],
            "unit_code": commune,
            "chairs": [
                {"ref": f"CT-UBND-{commune}", "role": "government_head"},
                {"ref": f"BT-DU-{commune}", "role": "party_committee_head"},
            ],
            "planned_on": today.isoformat(),
            "mttq_co_organiser_ref": f"MTTQ-XA-{commune}",
            "place": "Hội trường trụ sở Ủy ban nhân dân",
            "topic": meeting["title"],
        }
        hold = {
            "held_on": today.isoformat(),
            "attendance": meeting["attendance"],
            "organisations_present": ["Ủy ban MTTQ Việt Nam", "Hội Nông dân", "Hội Liên hiệp Phụ nữ"],
        }
        out.append(PlannedConference(meeting["key"], f"demo-meeting-{meeting['key']}", schedule, hold))
    return out


def plan(
    today: date, data: dict[str, Any] | None = None, conference_ids: dict[str, str] | None = None
) -> list[PlannedPetition]:
    """Request bodies for loading on `today` (promised dates are offsets from it);
    `conference_ids` maps a meeting key to the id intake gave its conference."""
    out = []
    ids = conference_ids or {}
    for item in (data or dataset())["petitions"]:
        submit = {name: item[name] for name in _SUBMIT_FIELDS}
        if item.get("meeting") in ids:
            submit["conference_id"] = ids[item["meeting"]]
        if item.get("citizen"):
            submit["citizen"] = dict(item["citizen"])
        assign = answer = None
        if item.get("assign"):
            agency = item["assign"]["agency_code"]
            promised = today + timedelta(days=item["assign"]["promised_in_days"])
            assign = {"agency_code": agency, "promised_date": promised.isoformat()}
            if item.get("answer"):
                answer = {
                    "answer_text": item["answer"]["answer_text"],
                    "answering_agency_code": item["answer"].get("agency_code", agency),
                    "document_number": item["answer"]["document_number"],
                }
        out.append(PlannedPetition(item["n"], f"demo-{item['n']}", submit, assign, answer, today.isoformat()))
    return out


@dataclass
class DemoResult:
    codes: list[str] = field(default_factory=list)
    conferences: int = 0
    assigned: int = 0
    answered: int = 0
    errors: list[str] = field(default_factory=list)
    stopped: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.stopped

    def summary(self) -> str:
        data = dataset()
        lines = [
            f"Demo data: {self.conferences} conferences held; {len(self.codes)} petitions "
            f"submitted from {len(data['meetings'])} meetings and other channels in "
            f"{len(data['units']['provinces'])} provinces; {self.assigned} assigned, "
            f"{self.answered} answered and made public."
        ]
        if self.codes:
            lines.append("  petition codes, for example: " + ", ".join(self.codes[:3]))
        if self.stopped:
            lines.append("  stopped before the end")
        lines += [f"  failed: {error}" for error in self.errors]
        return "\n".join(lines)


def _post(
    client: httpx.Client,
    url: str,
    body: dict[str, Any],
    key: str,
    *,
    auth: dict[str, str],
    retry_for: float = 0.0,
) -> httpx.Response:
    """POST; while `retry_for` seconds have not passed, 404 and 409 are retried with a growing
    pause (the receiving service has not yet applied the petition's earlier events)."""
    deadline = time.monotonic() + retry_for
    pause = 0.1
    while True:
        response = client.post(url, json=body, headers={"Idempotency-Key": key, **auth})
        if response.is_success:
            return response
        if response.status_code not in (404, 409) or time.monotonic() + pause > deadline:
            raise DemoError(f"POST {url} answered {response.status_code}: {response.text[:300]}")
        time.sleep(pause)
        pause = min(pause * 2, 1.0)


def _load_one(
    client: httpx.Client,
    petition: PlannedPetition,
    intake: str,
    tracking: str,
    result: DemoResult,
    tokens: TokenSource,
) -> None:
    province = petition.submit["province_code"]
    clerk = tokens.for_call("submit", province)
    response = _post(client, f"{intake}/v1/petitions", petition.submit, petition.idempotency_key, auth=clerk)
    body = response.json()
    petition_id = body["petition_id"]
    result.codes.append(str(body.get("code", petition_id)))
    base = f"{tracking}/v1/petitions/{petition_id}"
    leader = tokens.for_call("assign", province)
    if petition.assign:
        key = f"{petition.idempotency_key}-assign"
        _post(client, f"{base}/assign", petition.assign, key, auth=leader, retry_for=CATCH_UP_S)
        result.assigned += 1
    if petition.answer:
        key = f"{petition.idempotency_key}-answer"
        officer = tokens.for_call("answer", province, petition.answer["answering_agency_code"])
        _post(client, f"{base}/answer", petition.answer, key, auth=officer, retry_for=CATCH_UP_S)
        published = {"published_on": petition.answered_on, "channels": ["headquarters_notice_board"]}
        _post(client, f"{base}/publish-answer", published, f"{petition.idempotency_key}-publish", auth=leader)
        result.answered += 1


def _load_conference(
    client: httpx.Client, conference: PlannedConference, intake: str, tokens: TokenSource
) -> str:
    clerk = tokens.for_call("conference", conference.schedule["province_code"])
    key = conference.idempotency_key
    response = _post(client, f"{intake}/v1/conferences", conference.schedule, key, auth=clerk)
    conference_id = str(response.json()["conference_id"])
    hold_url = f"{intake}/v1/conferences/{conference_id}/hold"
    _post(client, hold_url, conference.hold, f"{key}-hold", auth=clerk)
    return conference_id


def _is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1")


def load(
    intake_url: str,
    tracking_url: str,
    *,
    today: date | None = None,
    client: httpx.Client | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    tokens: TokenSource | None = None,
) -> DemoResult:
    """Load the data set; a failed petition is recorded and the others are still loaded.
    `tokens` signs each call as its role would make it (none: no Authorization header)."""
    auth = tokens if tokens is not None else TokenSource(None)
    intake, tracking = intake_url.rstrip("/"), tracking_url.rstrip("/")
    result = DemoResult()
    # A proxy from the environment must not capture requests to services on this machine.
    own_client = client is None
    http = client or httpx.Client(timeout=10.0, trust_env=not _is_loopback(intake))
    # Vietnam's day, as the services date every fact: the machine's own date (UTC on a
    # server) is the day before from 17:00 to midnight UTC, and an answer dated today in
    # Vietnam could not be published on it.
    day = today or vietnam_date(datetime.now(UTC))
    conference_ids: dict[str, str] = {}
    try:
        for conference in plan_conferences(day):
            try:
                conference_ids[conference.meeting_key] = _load_conference(http, conference, intake, auth)
                result.conferences += 1
            except (DemoError, httpx.HTTPError, KeyError, ValueError) as exc:
                result.errors.append(f"{conference.idempotency_key}: {exc}")
        for petition in plan(day, conference_ids=conference_ids):
            if should_stop():
                result.stopped = True
                break
            try:
                _load_one(http, petition, intake, tracking, result, auth)
            except (DemoError, httpx.HTTPError, KeyError, ValueError) as exc:
                result.errors.append(f"{petition.idempotency_key}: {exc}")
    finally:
        if own_client:
            http.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m langnghe.tools.demo", description="Load the demo data set."
    )
    parser.add_argument("--intake-url", default=f"http://127.0.0.1:{DEFAULT_HTTP_PORTS['intake']}")
    parser.add_argument("--tracking-url", default=f"http://127.0.0.1:{DEFAULT_HTTP_PORTS['tracking']}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("./var"),
        help="whose embedded issuer signs the calls; default ./var",
    )
    args = parser.parse_args(argv)
    result = load(
        args.intake_url, args.tracking_url, tokens=TokenSource(args.data_dir.expanduser().resolve())
    )
    print(result.summary())
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
