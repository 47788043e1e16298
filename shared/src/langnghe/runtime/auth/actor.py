"""The actor an event records, from the verified principal (never from a request header)."""

from __future__ import annotations

from typing import Final

from langnghe.contracts.envelope import Actor, ActorKind
from langnghe.runtime.auth.principal import Principal, Role

#: Which kind of actor each role acts as in the event log.
ACTOR_KIND: Final[dict[Role, ActorKind]] = {
    Role.PUBLIC: "citizen",
    Role.CLERK: "clerk",
    Role.AGENCY_OFFICER: "agency",
    Role.UNIT_LEADER: "official",
    Role.MTTQ_OVERSEER: "mttq",
    Role.OPS: "system",
}


def actor_of(principal: Principal) -> Actor:
    """The event actor of a verified principal: its kind by role, its subject as the ref,
    and the role, unit and agency it acted for. The anonymous public is a bare citizen."""
    if principal.is_anonymous and principal.unit_code is None:
        return Actor(kind="citizen", ref=principal.subject)
    return Actor(
        kind=ACTOR_KIND[principal.role],
        ref=principal.subject,
        role=principal.role.value,
        unit_code=principal.unit_code,
        agency_code=principal.agency_code,
    )
