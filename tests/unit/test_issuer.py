"""The embedded issuer: keys in the data directory, rotation, minting, `langnghe token`."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import jwt
import pytest

from langnghe.domain.errors import DomainError
from langnghe.runtime.auth import Principal, Role
from langnghe.runtime.auth.jwks import JwksCache, read_jwks_file
from langnghe.runtime.auth.oidc import InvalidClaims, OidcAuthenticator
from langnghe.tools import cli
from langnghe.tools.issuer import (
    LOCAL_ISSUER,
    MAX_TTL_S,
    TokenSource,
    client_headers,
    ensure_keys,
    jwks_path,
    mint_token,
    rotate,
)
from langnghe.tools.issuer.demo_users import DEMO_USERS, seed_demo_users, usage_block
from langnghe.tools.issuer.keyring import CLOCK_SKEW_S, issuer_dir


def verifier(data_dir: Path) -> OidcAuthenticator:
    return OidcAuthenticator(
        issuer=LOCAL_ISSUER, keys=JwksCache(read_jwks_file(jwks_path(data_dir)), min_refresh_s=0)
    )


def kids(data_dir: Path) -> list[str]:
    return [k["kid"] for k in json.loads(jwks_path(data_dir).read_text())["keys"]]


def test_keys_are_created_once_private_and_the_jwks_is_public(tmp_path: Path) -> None:
    kid = ensure_keys(tmp_path)
    assert ensure_keys(tmp_path) == kid
    private = issuer_dir(tmp_path) / "keys" / f"{kid}.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(issuer_dir(tmp_path).stat().st_mode) == 0o700
    jwks = json.loads(jwks_path(tmp_path).read_text())
    assert [(k["kid"], k["kty"], k["crv"], k["alg"]) for k in jwks["keys"]] == [(kid, "EC", "P-256", "ES256")]
    assert "d" not in jwks["keys"][0]  # no private part


def test_a_minted_token_verifies_with_the_claims_asked_for(tmp_path: Path) -> None:
    token = mint_token(tmp_path, "agency_officer", "15", "SO-XD-LAOCAI", subject="officer-1", ttl=120)
    assert verifier(tmp_path).authenticate(token) == Principal(
        "officer-1", Role.AGENCY_OFFICER, "15", "SO-XD-LAOCAI"
    )
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (
        claims["exp"] - claims["iat"] == 120 and claims["iss"] == LOCAL_ISSUER and claims["aud"] == "langnghe"
    )


@pytest.mark.parametrize(
    ("role", "unit", "agency", "ttl"),
    [
        ("admin", "01", None, 60),
        ("clerk", "99999", None, 60),
        ("clerk", None, None, 60),
        ("agency_officer", "01", None, 60),
        ("clerk", "01", None, 0),
        ("clerk", "01", None, MAX_TTL_S + 1),
    ],
)
def test_the_issuer_refuses_to_mint_what_the_services_would_refuse(
    tmp_path: Path, role: str, unit: str | None, agency: str | None, ttl: int
) -> None:
    with pytest.raises(ValueError):
        mint_token(tmp_path, role, unit, agency, ttl=ttl)
    assert issubclass(InvalidClaims, ValueError)


def test_a_rotated_key_still_verifies_its_tokens_until_they_can_have_expired(tmp_path: Path) -> None:
    start = int(time.time())
    old_kid = ensure_keys(tmp_path, now=start)
    old_token = mint_token(tmp_path, "clerk", "01", ttl=600)
    new_kid = rotate(tmp_path, now=start)
    assert new_kid != old_kid and kids(tmp_path) == [old_kid, new_kid]
    assert not (issuer_dir(tmp_path) / "keys" / f"{old_kid}.pem").exists()  # it signs nothing more
    new_token = mint_token(tmp_path, "clerk", "01", ttl=600)
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid
    auth = verifier(tmp_path)
    assert auth.authenticate(old_token).role is Role.CLERK
    assert auth.authenticate(new_token).role is Role.CLERK
    # Still listed just before the longest token it signed can have expired, gone after.
    ensure_keys(tmp_path, now=start + MAX_TTL_S + CLOCK_SKEW_S - 1)
    assert old_kid in kids(tmp_path)
    ensure_keys(tmp_path, now=start + MAX_TTL_S + CLOCK_SKEW_S)
    assert kids(tmp_path) == [new_kid]
    with pytest.raises(DomainError):
        verifier(tmp_path).authenticate(old_token)


def test_a_running_service_sees_a_rotated_key_at_its_first_token(tmp_path: Path) -> None:
    auth = verifier(tmp_path)
    assert auth.authenticate(mint_token(tmp_path, "ops", "01")).role is Role.OPS
    rotate(tmp_path)
    assert auth.authenticate(mint_token(tmp_path, "ops", "01")).role is Role.OPS


def test_client_headers_and_the_token_source(tmp_path: Path) -> None:
    assert client_headers(tmp_path, "public") == {}
    header = client_headers(tmp_path, "unit_leader", "01")["Authorization"]
    assert verifier(tmp_path).authenticate(header.removeprefix("Bearer ")).role is Role.UNIT_LEADER
    tokens = TokenSource(tmp_path)
    first = tokens.headers(Role.CLERK, "01")
    assert tokens.headers("clerk", "01") == first  # cached
    assert tokens.headers(Role.CLERK, "15") != first


def test_langnghe_token_prints_a_token(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["token", "--data-dir", str(tmp_path), "--role", "agency_officer", "--unit", "01"]
    assert cli.main([*argv, "--agency", "UBND-PHUONG-DONGDA", "--ttl", "90"]) == 0
    token = capsys.readouterr().out.strip()
    principal = verifier(tmp_path).authenticate(token)
    assert principal == Principal(
        "local-agency_officer-01-UBND-PHUONG-DONGDA", Role.AGENCY_OFFICER, "01", "UBND-PHUONG-DONGDA"
    )


def test_langnghe_token_refuses_in_vietnamese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["token", "--data-dir", str(tmp_path), "--role", "clerk", "--unit", "99999"]) == 2
    assert "không phải đơn vị hành chính hiện hành" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["token", "--data-dir", str(tmp_path), "--role", "clerk", "--unit", "01", "--agency", "X"])


def test_langnghe_token_rotate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = ensure_keys(tmp_path)
    assert cli.main(["token", "--data-dir", str(tmp_path), "--rotate"]) == 0
    assert capsys.readouterr().out == ""
    assert len(kids(tmp_path)) == 2 and kids(tmp_path)[0] == first


def test_demo_users_one_per_signed_in_role_and_their_tokens_verify(tmp_path: Path) -> None:
    assert {u.role for u in DEMO_USERS} == {r.value for r in Role} - {"public"}
    users = json.loads(seed_demo_users(tmp_path).read_text())
    assert [u["subject"] for u in users] == [u.subject for u in DEMO_USERS]
    for user in DEMO_USERS:
        token = mint_token(tmp_path, user.role, user.unit_code, user.agency_code, subject=user.subject)
        assert verifier(tmp_path).authenticate(token).subject == user.subject
    block = usage_block(tmp_path, "http://127.0.0.1:8702")
    assert "./langnghe token --role unit_leader --unit 01" in block
    assert 'curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8702/v1/petitions/' in block


def test_a_signing_key_deleted_by_hand_is_replaced_and_its_tokens_still_verify(tmp_path: Path) -> None:
    first = ensure_keys(tmp_path)
    token = mint_token(tmp_path, "clerk", "01")
    (issuer_dir(tmp_path) / "keys" / f"{first}.pem").unlink()
    second = ensure_keys(tmp_path)
    assert second != first and kids(tmp_path) == [first, second]
    assert verifier(tmp_path).authenticate(token).role is Role.CLERK  # public half still published
    assert jwt.get_unverified_header(mint_token(tmp_path, "clerk", "01"))["kid"] == second


def test_a_lost_jwks_is_written_again_from_the_signing_key(tmp_path: Path) -> None:
    kid = ensure_keys(tmp_path)
    rotate(tmp_path)
    jwks_path(tmp_path).unlink()
    ensure_keys(tmp_path)
    # The retired key's public half was only in the lost file: it verifies nothing any more.
    assert kid not in kids(tmp_path) and len(kids(tmp_path)) == 1
