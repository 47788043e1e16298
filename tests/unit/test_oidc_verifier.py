"""The OIDC verifier: what it accepts, and every refusal as 401 `auth.required`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from langnghe.domain.errors import DomainError
from langnghe.runtime.auth import Principal, Role
from langnghe.runtime.auth.jwks import JwksCache, JwksUnavailable, read_jwks_file
from langnghe.runtime.auth.oidc import NoIssuerAuthenticator, OidcAuthenticator

ISSUER = "https://id.example.vn/realms/langnghe"
AUDIENCE = "langnghe"


class Keys:
    """An issuer's key pairs and the JWKS document it publishes."""

    def __init__(self) -> None:
        self.private: dict[str, Any] = {}
        self.published: list[dict[str, Any]] = []
        self.reads = 0

    def add_ec(self, kid: str, *, publish: bool = True) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        self.private[kid] = key
        if publish:
            self.published.append(
                {**ECAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid, "use": "sig"}
            )

    def add_rsa(self, kid: str) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private[kid] = key
        jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        self.published.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})

    def source(self) -> dict[str, Any]:
        self.reads += 1
        return {"keys": list(self.published)}


def claims(**over: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-1",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "ln_role": "clerk",
        "ln_unit": "01",
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def sign(keys: Keys, kid: str, body: dict[str, Any], alg: str = "ES256") -> str:
    return jwt.encode(body, keys.private[kid], algorithm=alg, headers={"kid": kid})


@pytest.fixture
def keys() -> Keys:
    k = Keys()
    k.add_ec("k1")
    return k


def verifier(keys: Keys, **kw: Any) -> OidcAuthenticator:
    return OidcAuthenticator(
        issuer=ISSUER, audience=AUDIENCE, keys=JwksCache(keys.source, min_refresh_s=0), **kw
    )


def refused(auth: Any, token: str) -> str:
    with pytest.raises(DomainError) as caught:
        auth.authenticate(token)
    assert caught.value.code == "auth.required"
    assert caught.value.status == 401
    return caught.value.message


def test_a_good_token_gives_its_principal(keys: Keys) -> None:
    token = sign(keys, "k1", claims(sub="clerk-7", ln_unit="00229"))
    assert verifier(keys).authenticate(token) == Principal("clerk-7", Role.CLERK, "00229", None)


def test_an_agency_officer_keeps_the_agency_and_others_do_not(keys: Keys) -> None:
    officer = sign(keys, "k1", claims(ln_role="agency_officer", ln_agency="SO-XD-LAOCAI", ln_unit="15"))
    leader = sign(keys, "k1", claims(ln_role="unit_leader", ln_agency="SO-XD-LAOCAI", ln_unit="15"))
    assert verifier(keys).authenticate(officer).agency_code == "SO-XD-LAOCAI"
    assert verifier(keys).authenticate(leader) == Principal("user-1", Role.UNIT_LEADER, "15", None)


def test_an_rsa_key_verifies_too(keys: Keys) -> None:
    keys.add_rsa("r1")
    token = sign(keys, "r1", claims(ln_role="ops"), alg="RS256")
    assert verifier(keys).authenticate(token).role is Role.OPS


def test_a_wrong_signature_is_refused(keys: Keys) -> None:
    other = Keys()
    other.add_ec("k1")  # same kid, another key
    assert "chữ ký không hợp lệ" in refused(verifier(keys), sign(other, "k1", claims()))


def test_a_tampered_payload_is_refused(keys: Keys) -> None:
    head, _, tail = sign(keys, "k1", claims(ln_role="clerk")).split(".")
    forged = base64.urlsafe_b64encode(json.dumps(claims(ln_role="ops")).encode()).decode().rstrip("=")
    assert "chữ ký" in refused(verifier(keys), f"{head}.{forged}.{tail}")


def test_an_unknown_kid_makes_the_cache_read_the_jwks_again(keys: Keys) -> None:
    auth = verifier(keys)
    assert auth.authenticate(sign(keys, "k1", claims())).role is Role.CLERK
    reads = keys.reads
    keys.add_ec("k2")  # the provider rotated: a new key the cache has not seen
    assert auth.authenticate(sign(keys, "k2", claims())).role is Role.CLERK
    assert keys.reads == reads + 1


def test_a_kid_the_provider_does_not_publish_is_refused(keys: Keys) -> None:
    keys.add_ec("ghost", publish=False)
    assert "JWKS" in refused(verifier(keys), sign(keys, "ghost", claims()))


def test_unknown_kids_do_not_flood_the_provider(keys: Keys) -> None:
    moment = [1000.0]
    cache = JwksCache(keys.source, min_refresh_s=10, clock=lambda: moment[0])
    auth = OidcAuthenticator(issuer=ISSUER, audience=AUDIENCE, keys=cache)
    keys.add_ec("ghost", publish=False)
    for _ in range(5):
        refused(auth, sign(keys, "ghost", claims()))
    assert keys.reads == 1
    moment[0] += 10
    refused(auth, sign(keys, "ghost", claims()))
    assert keys.reads == 2


def test_an_expired_token_is_refused_beyond_the_skew(keys: Keys) -> None:
    now = int(time.time())
    assert "hết hạn" in refused(
        verifier(keys), sign(keys, "k1", claims(iat=now - 600, nbf=now - 600, exp=now - 60))
    )


def test_the_clock_skew_is_allowed_and_configurable(keys: Keys) -> None:
    now = int(time.time())
    token = sign(keys, "k1", claims(exp=now - 10))
    assert verifier(keys).authenticate(token).subject == "user-1"  # default skew 30 s
    refused(verifier(keys, clock_skew_s=0), token)


def test_a_token_not_yet_valid_is_refused(keys: Keys) -> None:
    now = int(time.time())
    assert "chưa đến" in refused(verifier(keys), sign(keys, "k1", claims(nbf=now + 600, exp=now + 900)))


def test_a_wrong_issuer_is_refused(keys: Keys) -> None:
    assert "nhà phát hành" in refused(verifier(keys), sign(keys, "k1", claims(iss="https://evil.example")))


def test_a_wrong_audience_is_refused(keys: Keys) -> None:
    assert "không dành cho" in refused(verifier(keys), sign(keys, "k1", claims(aud="another-app")))


@pytest.mark.parametrize("claim", ["exp", "sub", "aud", "iss"])
def test_a_missing_standard_claim_is_refused(keys: Keys, claim: str) -> None:
    refused(verifier(keys), sign(keys, "k1", claims(**{claim: None})))


@pytest.mark.parametrize("role", [None, "admin", "", 3])
def test_a_missing_or_invalid_role_is_refused(keys: Keys, role: Any) -> None:
    assert "ln_role" in refused(verifier(keys), sign(keys, "k1", claims(ln_role=role)))


def test_an_unknown_or_former_unit_is_refused(keys: Keys) -> None:
    assert "ln_unit" in refused(verifier(keys), sign(keys, "k1", claims(ln_unit="99999")))


@pytest.mark.parametrize("role", ["clerk", "agency_officer", "unit_leader", "mttq_overseer", "ops"])
def test_every_signed_in_role_needs_a_unit(keys: Keys, role: str) -> None:
    body = claims(ln_role=role, ln_unit=None, ln_agency="SO-XD-LAOCAI")
    assert "ln_unit" in refused(verifier(keys), sign(keys, "k1", body))


def test_a_public_token_needs_no_unit(keys: Keys) -> None:
    token = sign(keys, "k1", claims(ln_role="public", ln_unit=None))
    assert verifier(keys).authenticate(token) == Principal("user-1", Role.PUBLIC)


def test_an_agency_officer_without_agency_is_refused(keys: Keys) -> None:
    assert "ln_agency" in refused(verifier(keys), sign(keys, "k1", claims(ln_role="agency_officer")))


def test_alg_none_is_refused(keys: Keys) -> None:
    token = jwt.encode(claims(ln_role="ops"), None, algorithm="none", headers={"kid": "k1"})
    assert "thuật toán" in refused(verifier(keys), token)


def test_hs256_signed_with_the_public_key_is_refused(keys: Keys) -> None:
    """The classic confusion: the public key (public knowledge) used as an HMAC secret."""
    pem = (
        keys.private["k1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "kid": "k1", "typ": "JWT"}).encode())
    body = base64.urlsafe_b64encode(json.dumps(claims(ln_role="ops")).encode())
    signing_input = header.rstrip(b"=") + b"." + body.rstrip(b"=")
    mac = base64.urlsafe_b64encode(hmac.new(pem, signing_input, hashlib.sha256).digest()).rstrip(b"=")
    assert "thuật toán" in refused(verifier(keys), (signing_input + b"." + mac).decode())


def test_a_token_whose_alg_does_not_match_the_key_is_refused(keys: Keys) -> None:
    keys.add_rsa("r1")
    # RS384 with an RS256 key of the JWKS: the key's algorithm decides, not the header.
    token = sign(keys, "r1", claims(), alg="RS384")
    assert "thuật toán" in refused(verifier(keys), token)


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "x" * 20_000])
def test_garbage_is_refused(keys: Keys, token: str) -> None:
    refused(verifier(keys), token)


def test_a_token_without_kid_is_refused(keys: Keys) -> None:
    token = jwt.encode(claims(), keys.private["k1"], algorithm="ES256")
    assert "kid" in refused(verifier(keys), token)


def test_an_unreadable_jwks_refuses_and_a_later_good_read_recovers(tmp_path: Path, keys: Keys) -> None:
    path = tmp_path / "jwks.json"
    auth = OidcAuthenticator(issuer=ISSUER, keys=JwksCache(read_jwks_file(path), min_refresh_s=0))
    token = sign(keys, "k1", claims())
    assert "khóa công khai" in refused(auth, token)
    path.write_text(json.dumps(keys.source()))
    assert auth.authenticate(token).role is Role.CLERK


def test_a_provider_outage_keeps_the_keys_already_read(keys: Keys) -> None:
    moment = [0.0]
    up = [True]

    def source() -> dict[str, Any]:
        if not up[0]:
            raise JwksUnavailable("down")
        return keys.source()

    cache = JwksCache(source, max_age_s=60, min_refresh_s=5, clock=lambda: moment[0])
    auth = OidcAuthenticator(issuer=ISSUER, keys=cache)
    token = sign(keys, "k1", claims())
    auth.authenticate(token)
    up[0] = False
    moment[0] = 120.0  # stale, and the provider is down
    assert auth.authenticate(token).role is Role.CLERK


def test_a_service_without_issuer_refuses_every_token(keys: Keys) -> None:
    assert "chưa được cấu hình" in refused(NoIssuerAuthenticator(), sign(keys, "k1", claims()))


def test_symmetric_and_encryption_keys_in_a_jwks_are_ignored(keys: Keys) -> None:
    from langnghe.runtime.auth.jwks import signing_keys

    document = keys.source()
    document["keys"] += [
        {"kty": "oct", "kid": "h", "k": "c2VjcmV0"},
        {**document["keys"][0], "kid": "enc", "use": "enc"},
        {**document["keys"][0], "kid": "hs", "alg": "HS256"},
        {"kid": "broken", "kty": "EC"},
    ]
    assert set(signing_keys(document)) == {"k1"}


class JwksServer:
    """An issuer's JWKS endpoint on loopback, counting its requests."""

    def __init__(self, keys: Keys) -> None:
        import http.server
        import threading

        self.keys = keys
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                body = json.dumps({"keys": outer.keys.published}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = (
            f"http://127.0.0.1:{self.server.server_address[1]}/realms/langnghe/protocol/openid-connect/certs"
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_jwks_url_is_fetched_cached_and_fetched_again_for_a_new_key(keys: Keys) -> None:
    from langnghe.runtime.auth.build import build_authenticator
    from langnghe.runtime.settings import ServiceSettings

    server = JwksServer(keys)
    try:
        settings = ServiceSettings(
            nats_url="nats://127.0.0.1:14222",
            database_url="sqlite+aiosqlite:///x.db",
            http_port=8000,
            auth_issuer=ISSUER,
            auth_jwks_url=server.url,
        )
        auth = build_authenticator(settings)
        for _ in range(3):
            assert auth.authenticate(sign(keys, "k1", claims())).role is Role.CLERK
        assert server.requests == 1  # cached
        keys.add_ec("k2")  # the provider's new key, published before its first token
        # Within 10 s of the last fetch an unknown kid is not fetched again (no flood) ...
        refused(auth, sign(keys, "k2", claims()))
        assert server.requests == 1
    finally:
        server.close()


def test_a_new_key_at_the_jwks_url_is_fetched_at_its_first_token(keys: Keys) -> None:
    from langnghe.runtime.auth.jwks import fetch_jwks_url

    server = JwksServer(keys)
    try:
        auth = OidcAuthenticator(issuer=ISSUER, keys=JwksCache(fetch_jwks_url(server.url), min_refresh_s=0))
        assert auth.authenticate(sign(keys, "k1", claims())).role is Role.CLERK
        keys.add_ec("k2")
        assert auth.authenticate(sign(keys, "k2", claims(ln_role="ops"))).role is Role.OPS
        assert server.requests == 2
    finally:
        server.close()


def test_an_unreachable_jwks_url_refuses_tokens(keys: Keys) -> None:
    from langnghe.runtime.auth.jwks import fetch_jwks_url

    server = JwksServer(keys)
    url = server.url
    server.close()  # nothing listens there any more
    auth = OidcAuthenticator(issuer=ISSUER, keys=JwksCache(fetch_jwks_url(url, timeout_s=2)))
    assert "khóa công khai" in refused(auth, sign(keys, "k1", claims()))
