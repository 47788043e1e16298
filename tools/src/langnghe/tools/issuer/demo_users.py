"""`langnghe up --demo`: one user per role of the embedded issuer, and how to use them.

The embedded issuer holds no passwords: a "user" is a subject with a role, a unit and (for an
agency officer) an agency, recorded in `<data dir>/issuer/demo-users.json`; `langnghe token`
prints a token for any of them.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import asdict, dataclass
from pathlib import Path

from langnghe.runtime.auth import Role
from langnghe.tools.issuer.keyring import issuer_dir

DEMO_PROVINCE = "01"
"""Thành phố Hà Nội: the demo data set's first province."""
DEMO_AGENCY = "UBND-PHUONG-DONGDA"
"""An agency the demo data set assigns petitions of Hà Nội to."""


@dataclass(frozen=True)
class DemoUser:
    subject: str
    role: str
    unit_code: str | None
    agency_code: str | None = None

    def token_command(self, data_dir: Path | None = None) -> str:
        parts = ["./langnghe", "token", "--role", self.role, "--unit", self.unit_code or ""]
        if self.agency_code:
            parts += ["--agency", self.agency_code]
        parts += ["--subject", self.subject]
        if data_dir is not None:
            parts += ["--data-dir", str(data_dir)]
        return shlex.join(parts)


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("demo-clerk", Role.CLERK.value, DEMO_PROVINCE),
    DemoUser("demo-agency-officer", Role.AGENCY_OFFICER.value, DEMO_PROVINCE, DEMO_AGENCY),
    DemoUser("demo-unit-leader", Role.UNIT_LEADER.value, DEMO_PROVINCE),
    DemoUser("demo-mttq-overseer", Role.MTTQ_OVERSEER.value, DEMO_PROVINCE),
    DemoUser("demo-ops", Role.OPS.value, DEMO_PROVINCE),
)
"""One user per signed-in role; the public needs no token."""


def seed_demo_users(data_dir: Path) -> Path:
    path = issuer_dir(data_dir) / "demo-users.json"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(u) for u in DEMO_USERS], indent=2, ensure_ascii=False) + "\n")
    return path


def usage_block(data_dir: Path, tracking_url: str, *, default_data_dir: bool = False) -> str:
    where = None if default_data_dir else data_dir
    width = max(len(u.subject) for u in DEMO_USERS)
    lines = [
        "Người dùng thử (demo users), một người cho mỗi vai trò / one per role:",
        "",
        *[f"  {u.subject:<{width}}  {u.token_command(where)}" for u in DEMO_USERS],
        "",
        "  Người dân (public) không cần mã / the public needs no token.",
        "",
        "Lấy mã rồi gọi một route / get a token, then call a route:",
        "",
        f"  TOKEN=$({DEMO_USERS[2].token_command(where)})",
        f'  curl -H "Authorization: Bearer $TOKEN" {tracking_url}/v1/petitions/<petition_id>/case',
    ]
    return "\n".join(lines)
