"""What the bench sends: petitions as a clerk submits them over HTTP, and the events intake and
tracking write for them (the corpus the replays and the rebuild read)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any


@functools.cache
def _places() -> tuple[tuple[str, str], ...]:
    from langnghe.domain.units import current_communes

    return tuple((c.province_code, c.code) for c in current_communes())


def sample_place(n: int) -> tuple[str, str]:
    """A real (province, commune) pair of today's units, spread over the whole country."""
    places = _places()
    return places[(n * 7919) % len(places)]


def petition_body(n: int) -> dict[str, Any]:
    """An HTTP submission like a clerk's: two in three with contact details (vault rows)."""
    province, commune = sample_place(n)
    return {
        "province_code": province,
        "commune_code": commune,
        "channel": "citizen_reception",
        "legal_type": "recommendation",
        "field_code": "infrastructure",
        "content": f"Đề nghị sửa chữa đoạn đường liên thôn số {n} bị sạt lở sau mưa lũ, "
        "người dân đi lại rất khó khăn, nhất là học sinh đến trường.",
        "citizen": {"full_name": "Nguyễn Văn A", "phone": "0912345678"} if n % 3 else None,
    }


def petition_events(pid: str, n: int, at: datetime, kinds: Sequence[str]) -> list[Any]:
    """NewEvents of one petition, as intake and tracking write them."""
    from langnghe.contracts.envelope import Actor, EventMeta, event_id_for
    from langnghe.contracts.events.petition import (
        Channel,
        PetitionAnswered,
        PetitionAssigned,
        PetitionReceived,
    )
    from langnghe.runtime.eventstore import NewEvent

    out = []
    for kind in kinds:
        if kind == "received":
            event: Any = PetitionReceived(
                code=f"KN-{sample_place(n)[0]}-26-{pid[:10].upper()}",
                province_code=sample_place(n)[0],
                commune_code=sample_place(n)[1],
                channel=Channel.CITIZEN_RECEPTION,
                field_code="infrastructure",
                content=f"Đề nghị sửa chữa đoạn đường liên thôn số {n} bị sạt lở sau mưa lũ, "
                "người dân đi lại rất khó khăn, nhất là học sinh đến trường.",
                citizen_ref=uuid.uuid4().hex if n % 3 else None,
            )
            actor = Actor(kind="clerk", ref="intake-api")
        elif kind == "assigned":
            event = PetitionAssigned(agency_code="UBND-XA-SAPA", promised_date=date(2026, 3, 1))
            actor = Actor(kind="agency", ref="tracking-api")
        else:
            event = PetitionAnswered(
                answer_text="Ủy ban nhân dân xã đã bố trí kinh phí sửa chữa trong quý này.",
                answering_agency_code="UBND-XA-SAPA",
                document_number=f"{n}/UBND-VP",
            )
            actor = Actor(kind="agency", ref="tracking-api")
        meta = EventMeta(
            event_id=event_id_for(f"bench:{pid}:{kind}"),
            aggregate_type="petition",
            aggregate_id=pid,
            occurred_at=at,
            schema_version=event.SCHEMA_VERSION,
            correlation_id=uuid.uuid4().hex,
            causation_id=uuid.uuid4().hex,
            actor=actor,
        )
        out.append(NewEvent(meta, event))
    return out


def corpus_plan(total: int, lag: int = 500) -> list[tuple[int, str]]:
    """(petition number, kind) in stream order: every petition is received; every second one
    is assigned and every fourth answered, `lag` receipts later (so a replay batch updates rows
    written by earlier batches, as in real life). Exactly `total` entries."""
    plan: list[tuple[int, str]] = []
    n = 0
    while len(plan) < total:
        plan.append((n, "received"))
        if n >= lag and (n - lag) % 2 == 0:
            plan.append((n - lag, "assigned"))
        if n >= 2 * lag and (n - 2 * lag) % 4 == 0:
            plan.append((n - 2 * lag, "answered"))
        n += 1
    return plan[:total]
