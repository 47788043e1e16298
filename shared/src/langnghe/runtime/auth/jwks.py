"""Where the issuer's public keys come from: a JWKS document fetched from a URL (a production
OIDC provider) or read from a file (the embedded issuer of `langnghe up`), cached.

A token naming a key id the cache does not hold makes the cache read its source again, at
most once per `min_refresh_s`, so a provider's new signing key is picked up at its first
token, and a stream of made-up key ids cannot turn the service into a flood on the provider.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jwt import PyJWK
from jwt.exceptions import PyJWTError

#: Signature algorithms a key may be used with: asymmetric only. A JWKS never holds a shared
#: secret for us, and `none`/HS* tokens are refused before a key is even looked up.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)

JwksDocument = dict[str, Any]


class JwksUnavailable(Exception):
    """The key source could not be read (the provider is down, the file is missing)."""


def read_jwks_file(path: Path) -> Callable[[], JwksDocument]:
    """A JWKS file, parsed again only when it changed (one `stat` otherwise): a key rotated
    by the embedded issuer is seen at its first token, and made-up key ids cost little."""
    seen: list[Any] = [None, None]  # (mtime, size, inode), document

    def read() -> JwksDocument:
        try:
            info = path.stat()
            version = (info.st_mtime_ns, info.st_size, info.st_ino)
            if version != seen[0]:
                seen[1] = json.loads(path.read_text(encoding="utf-8"))
                seen[0] = version
        except (OSError, ValueError) as exc:
            raise JwksUnavailable(f"{path}: {exc}") from exc
        return seen[1]  # type: ignore[no-any-return]

    return read


def fetch_jwks_url(url: str, *, timeout_s: float = 5.0) -> Callable[[], JwksDocument]:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"JWKS URL must be http(s): {url!r}")

    def fetch() -> JwksDocument:
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                return json.loads(response.read(1_000_000))  # type: ignore[no-any-return]
        except (OSError, ValueError) as exc:
            raise JwksUnavailable(f"{url}: {exc}") from exc

    return fetch


def signing_keys(document: JwksDocument) -> dict[str, PyJWK]:
    """The usable signature keys of a JWKS document by key id. A key without `kid`, meant for
    encryption, of a symmetric type, or that PyJWT cannot load, is left out."""
    keys: dict[str, PyJWK] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid or entry.get("use", "sig") != "sig":
            continue
        if entry.get("kty") not in ("RSA", "EC", "OKP"):
            continue
        alg = entry.get("alg")
        if alg is not None and alg not in ASYMMETRIC_ALGORITHMS:
            continue
        try:
            keys[kid] = PyJWK(entry)
        except (PyJWTError, ValueError, TypeError):
            continue
    return keys


class JwksCache:
    """The keys of one source, read again when older than `max_age_s`, or when a token names
    an unknown key id (at most once per `min_refresh_s`). Thread-safe: routes that verify in
    FastAPI's thread pool share it."""

    def __init__(
        self,
        source: Callable[[], JwksDocument],
        *,
        max_age_s: float = 300.0,
        min_refresh_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._max_age_s = max_age_s
        self._min_refresh_s = min_refresh_s
        self._clock = clock
        self._keys: dict[str, PyJWK] = {}
        self._document: JwksDocument | None = None
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def key(self, kid: str) -> PyJWK | None:
        """The key `kid`, or None when the source does not hold it even after a fresh read.
        Raises `JwksUnavailable` only when no keys were ever read."""
        with self._lock:
            now = self._clock()
            stale = self._read_at is None or now - self._read_at >= self._max_age_s
            unknown = kid not in self._keys
            may_refresh = self._read_at is None or now - self._read_at >= self._min_refresh_s
            if stale or (unknown and may_refresh):
                self._refresh(now)
            return self._keys.get(kid)

    def _refresh(self, now: float) -> None:
        try:
            document = self._source()
        except JwksUnavailable:
            if self._read_at is None:
                raise
            # Keep the keys we have: a provider's short outage must not refuse every token.
            # Try again after `min_refresh_s`, not at every request.
            self._read_at = now - self._max_age_s + self._min_refresh_s
            return
        if document is not self._document:  # a file source returns the same object unchanged
            self._keys = signing_keys(document)
            self._document = document
        self._read_at = now
