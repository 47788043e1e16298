"""Which role the tools (demo loader, bench, chaos, backup checks, end-to-end tests) make each
kind of call as: one table, so a change of the roles' rights is made here once.

It follows the roles of `langnghe.runtime.auth.Role`: a clerk of the unit submits on behalf of
citizens, schedules conferences and files plans; its unit leader assigns, reassigns,
escalates, approves, publishes and closes; an officer of the assigned agency accepts,
extends and answers; the MTTQ overseer runs supervisions, issues recommendations and reads
everything in the unit; ops rebuilds, re-drives, voids and reads the operations routes. The
public's own calls (feedback, look-up) carry no token. The tools act at province level (the
petition's province): a province-level role covers its communes.
"""

from __future__ import annotations

from typing import Final

from langnghe.runtime.auth import Role

CALLER: Final[dict[str, Role]] = {
    # intake
    "submit": Role.CLERK,
    "conference": Role.CLERK,
    "plan": Role.CLERK,
    "supervision": Role.MTTQ_OVERSEER,
    "recommendation": Role.MTTQ_OVERSEER,
    # tracking
    "assign": Role.UNIT_LEADER,
    "reassign": Role.UNIT_LEADER,
    "escalate": Role.UNIT_LEADER,
    "approve": Role.UNIT_LEADER,
    "publish-answer": Role.UNIT_LEADER,
    "close": Role.UNIT_LEADER,
    "accept": Role.AGENCY_OFFICER,
    "extend": Role.AGENCY_OFFICER,
    "answer": Role.AGENCY_OFFICER,
    # reads of petitions and cases (reporting, tracking)
    "read": Role.MTTQ_OVERSEER,
    # reporting's counts (no petition content)
    "stats": Role.OPS,
    # operations: rebuild, re-drive, void, lag and vault state, provisioning
    "ops": Role.OPS,
    # the public's own
    "feedback": Role.PUBLIC,
    "lookup": Role.PUBLIC,
}

OPS_UNIT: Final = "01"
"""The unit an operator's token names (ops sees no petition content; any current unit does)."""


def role_for(call: str) -> Role:
    try:
        return CALLER[call]
    except KeyError:
        raise KeyError(f"no role for the call {call!r}: add it to langnghe.tools.issuer.callers") from None
