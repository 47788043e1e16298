"""The authenticator a service's settings describe (one call in each `create_app`)."""

from __future__ import annotations

from langnghe.runtime.auth.authenticator import Authenticator
from langnghe.runtime.auth.jwks import JwksCache, fetch_jwks_url, read_jwks_file
from langnghe.runtime.auth.oidc import NoIssuerAuthenticator, OidcAuthenticator
from langnghe.runtime.settings import ServiceSettings


def build_authenticator(settings: ServiceSettings) -> Authenticator:
    """OIDC verification against the configured JWKS; with no issuer configured, an
    authenticator that refuses every token (anonymous requests still work)."""
    if settings.auth_issuer is None:
        return NoIssuerAuthenticator()
    if settings.auth_jwks_url is not None:
        source = fetch_jwks_url(settings.auth_jwks_url)
    else:
        assert settings.auth_jwks_file is not None  # the settings' validator says so
        source = read_jwks_file(settings.auth_jwks_file)
    # A provider is asked again for an unknown key id at most every 10 s; a local file is
    # looked at every time (a `stat`, parsed only when it changed), so a key rotated by
    # `langnghe token --rotate` is seen at its first token.
    min_refresh_s = 10.0 if settings.auth_jwks_url is not None else 0.0
    return OidcAuthenticator(
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        keys=JwksCache(source, max_age_s=settings.auth_jwks_max_age_s, min_refresh_s=min_refresh_s),
        clock_skew_s=settings.auth_clock_skew_s,
    )
