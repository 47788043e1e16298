"""The embedded issuer's signing keys, kept in the data directory.

    <data dir>/issuer/
        state.json     which key signs, and when each older key was retired
        keys/<kid>.pem the signing key's private half (0600; a retired key's is deleted)
        jwks.json      the public keys the services verify with (their LN_*_AUTH_JWKS_FILE)

Keys are ECDSA P-256 (ES256), made by `cryptography`. Rotation makes a new key the signer;
the retired key's private half is deleted at once (it signs nothing more), its public half
stays in the JWKS until every token it signed has expired (`MAX_TTL_S` after its retirement,
plus the verifiers' clock skew), then leaves at the next rotation or start.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

#: The `iss` of every token the embedded issuer signs (it serves no discovery document; the
#: services read its JWKS from a file).
LOCAL_ISSUER = "urn:langnghe:embedded-issuer"
AUDIENCE = "langnghe"
ALGORITHM = "ES256"
#: The longest a token may live; also how long a retired key stays in the JWKS.
MAX_TTL_S = 24 * 3600
#: The verifiers' default clock skew (ServiceSettings.auth_clock_skew_s).
CLOCK_SKEW_S = 30


def issuer_dir(data_dir: Path) -> Path:
    return data_dir / "issuer"


def jwks_path(data_dir: Path) -> Path:
    return issuer_dir(data_dir) / "jwks.json"


@dataclass(frozen=True)
class KeyRecord:
    kid: str
    created_at: int
    retired_at: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"kid": self.kid, "created_at": self.created_at, "retired_at": self.retired_at}

    def retained(self, now: int) -> bool:
        """Whether a token this key signed may still be valid, so its public half is needed."""
        return self.retired_at is None or now < self.retired_at + MAX_TTL_S + CLOCK_SKEW_S


@dataclass(frozen=True)
class Signer:
    kid: str
    private_key: ec.EllipticCurvePrivateKey


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.read_bytes() == data:
            return  # unchanged: the services' cached JWKS stays as it is
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, mode)  # the umask may have narrowed it
    os.replace(tmp, path)


def _kid(public_key: ec.EllipticCurvePublicKey) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:12]).decode().rstrip("=")


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[Path]:
    """The issuer directory (0700), held exclusively: the launcher and `langnghe token` may
    create or rotate keys at the same moment."""
    directory = issuer_dir(data_dir)
    (directory / "keys").mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    with (directory / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield directory
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read_state(directory: Path) -> list[KeyRecord]:
    try:
        state = json.loads((directory / "state.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return [KeyRecord(k["kid"], int(k["created_at"]), k.get("retired_at")) for k in state["keys"]]


def _new_key(directory: Path, now: int) -> KeyRecord:
    private_key = ec.generate_private_key(ec.SECP256R1())
    kid = _kid(private_key.public_key())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_atomic(directory / "keys" / f"{kid}.pem", pem, 0o600)
    return KeyRecord(kid, now)


def _load_private(directory: Path, kid: str) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key((directory / "keys" / f"{kid}.pem").read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"issuer key {kid} is not an EC key")
    return key


def _public_jwk(
    directory: Path, record: KeyRecord, public: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    """The key's public JWK: as published already, else from its private half (None when
    neither is left: a retired key whose JWKS entry was lost verifies nothing any more)."""
    if record.kid in public:
        return public[record.kid]
    try:
        private_key = _load_private(directory, record.kid)
    except FileNotFoundError:
        return None
    jwk = ECAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {**jwk, "kid": record.kid, "use": "sig", "alg": ALGORITHM}


def _save(directory: Path, records: list[KeyRecord], now: int) -> list[KeyRecord]:
    """Write state.json and jwks.json for `records`, dropping retired keys no token needs."""
    try:
        old = json.loads((directory / "jwks.json").read_text(encoding="utf-8"))["keys"]
        public = {k["kid"]: k for k in old}
    except FileNotFoundError:
        public = {}
    published = {r.kid: _public_jwk(directory, r, public) for r in records if r.retained(now)}
    kept = [r for r in records if published.get(r.kid) is not None]
    jwks = {"keys": [published[r.kid] for r in kept]}
    _write_atomic(directory / "jwks.json", json.dumps(jwks, indent=2).encode() + b"\n", 0o644)
    state = {"issuer": LOCAL_ISSUER, "keys": [r.as_json() for r in kept]}
    _write_atomic(directory / "state.json", json.dumps(state, indent=2).encode() + b"\n", 0o600)
    return kept


def ensure_keys(data_dir: Path, *, now: int | None = None) -> str:
    """Create the first signing key when there is none; drop expired retired keys from the
    JWKS. Returns the signing key's id."""
    moment = int(time.time()) if now is None else now
    with _locked(data_dir) as directory:
        records = _read_state(directory)
        # A signer whose private half is gone (deleted by hand) is retired like a rotated one.
        records = [
            KeyRecord(r.kid, r.created_at, moment)
            if r.retired_at is None and not (directory / "keys" / f"{r.kid}.pem").exists()
            else r
            for r in records
        ]
        if not any(r.retired_at is None for r in records):
            records.append(_new_key(directory, moment))
        kept = _save(directory, records, moment)
        return next(r.kid for r in kept if r.retired_at is None)


def rotate(data_dir: Path, *, now: int | None = None) -> str:
    """A new signing key; the previous one is retired (kept in the JWKS, not for signing).
    Returns the new key's id."""
    moment = int(time.time()) if now is None else now
    with _locked(data_dir) as directory:
        records = _read_state(directory)
        # The retired keys' public halves must be written before their private halves go.
        fresh = _new_key(directory, moment)
        retiring = [r for r in records if r.retired_at is None]
        records = [KeyRecord(r.kid, r.created_at, moment) if r.retired_at is None else r for r in records]
        _save(directory, [*records, fresh], moment)
        for record in retiring:
            (directory / "keys" / f"{record.kid}.pem").unlink(missing_ok=True)
        return fresh.kid


def signer(data_dir: Path) -> Signer:
    """The current signing key, created if the data directory has none yet."""
    kid = ensure_keys(data_dir)
    return Signer(kid, _load_private(issuer_dir(data_dir), kid))
