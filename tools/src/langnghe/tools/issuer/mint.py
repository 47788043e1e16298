"""Tokens of the embedded issuer, for scripts, tools and tests on this machine."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import jwt

from langnghe.runtime.auth import Role
from langnghe.runtime.auth.oidc import CLAIM_AGENCY, CLAIM_ROLE, CLAIM_UNIT, parse_claims
from langnghe.tools.issuer.callers import OPS_UNIT, role_for
from langnghe.tools.issuer.keyring import (
    ALGORITHM,
    AUDIENCE,
    LOCAL_ISSUER,
    MAX_TTL_S,
    issuer_dir,
    jwks_path,
    signer,
)

DEFAULT_TTL_S = 3600


def default_subject(role: Role, unit_code: str | None, agency_code: str | None) -> str:
    return "-".join(p for p in ("local", role.value, unit_code, agency_code) if p)


def mint_token(
    data_dir: Path,
    role: Role | str,
    unit_code: str | None,
    agency_code: str | None = None,
    subject: str | None = None,
    ttl: int = DEFAULT_TTL_S,
    *,
    now: int | None = None,
) -> str:
    """A bearer token signed by the data directory's issuer (keys created if missing).
    Raises ValueError for a token the services would refuse (unknown role, unit not current,
    agency officer without agency, ttl out of 1..MAX_TTL_S)."""
    if not 1 <= ttl <= MAX_TTL_S:
        raise ValueError(f"ttl must be between 1 and {MAX_TTL_S} seconds, not {ttl}")
    try:
        the_role = Role(role)
    except ValueError:
        raise ValueError(f"unknown role {role!r}: one of {', '.join(r.value for r in Role)}") from None
    issued = int(time.time()) if now is None else now
    claims: dict[str, object] = {
        "iss": LOCAL_ISSUER,
        "aud": AUDIENCE,
        "sub": subject or default_subject(the_role, unit_code, agency_code),
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl,
        "jti": str(uuid.uuid4()),
        CLAIM_ROLE: the_role.value,
    }
    if unit_code is not None:
        claims[CLAIM_UNIT] = unit_code
    if agency_code is not None:
        claims[CLAIM_AGENCY] = agency_code
    parse_claims(claims)  # the verifier's own rules: never mint what it refuses (InvalidClaims)
    key = signer(data_dir)
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


def client_headers(
    data_dir: Path, role: Role | str, unit_code: str | None = None, agency_code: str | None = None
) -> dict[str, str]:
    """`Authorization: Bearer …` for a call as `role` of `unit_code`; none for the public."""
    if Role(role) is Role.PUBLIC:
        return {}
    return {"Authorization": f"Bearer {mint_token(data_dir, role, unit_code, agency_code)}"}


@dataclass
class TokenSource:
    """Bearer headers for a tool that makes many calls: one token per (role, unit, agency),
    minted again a minute before it expires. With no data directory, no headers at all (a
    system run without the embedded issuer)."""

    data_dir: Path | None
    ttl: int = DEFAULT_TTL_S
    _cache: dict[tuple[Role, str | None, str | None], tuple[float, dict[str, str]]] = field(
        default_factory=dict, repr=False
    )

    def headers(
        self, role: Role | str, unit_code: str | None = None, agency_code: str | None = None
    ) -> dict[str, str]:
        the_role = Role(role)
        if the_role is Role.PUBLIC or self.data_dir is None:
            return {}
        key = (the_role, unit_code, agency_code)
        cached = self._cache.get(key)
        if cached is None or time.monotonic() >= cached[0]:
            token = mint_token(self.data_dir, the_role, unit_code, agency_code, ttl=self.ttl)
            cached = (
                time.monotonic() + max(self.ttl - 60, self.ttl / 2),
                {"Authorization": f"Bearer {token}"},
            )
            self._cache[key] = cached
        return dict(cached[1])

    def for_call(
        self, call: str, unit_code: str | None = None, agency_code: str | None = None
    ) -> dict[str, str]:
        """Headers for a kind of call (`callers.CALLER`) in `unit_code`; an ops call names
        `callers.OPS_UNIT` when no unit is given. Only an agency officer's token keeps the agency."""
        role = role_for(call)
        if role is Role.OPS and unit_code is None:
            unit_code = OPS_UNIT
        return self.headers(role, unit_code, agency_code if role is Role.AGENCY_OFFICER else None)


def operator_headers(data_dir: Path | None) -> dict[str, str]:
    """For an operator's command line (`langnghe ops`, `langnghe void`): the token in
    `LN_TOKEN` when set (from any OIDC provider), else an ops token of the data directory's
    embedded issuer when it has one, else none."""
    given = os.environ.get("LN_TOKEN", "").strip()
    if given:
        return {"Authorization": f"Bearer {given}"}
    if data_dir is None or not (issuer_dir(data_dir) / "state.json").exists():
        return {}
    return TokenSource(data_dir).for_call("ops")


def service_auth_env(service: str, data_dir: Path) -> dict[str, str]:
    """What a service started on this machine needs to verify the issuer's tokens."""
    prefix = f"LN_{service.upper()}_AUTH_"
    return {
        f"{prefix}ISSUER": LOCAL_ISSUER,
        f"{prefix}AUDIENCE": AUDIENCE,
        f"{prefix}JWKS_FILE": jwks_path(data_dir).resolve().as_posix(),
    }
