"""The embedded issuer of `langnghe up`: ES256 signing keys in the data directory, the JWKS
file the services verify with, key rotation, and tokens for scripts and tools.

Production uses any OIDC provider instead (docker-compose runs Keycloak); the services do not
know the difference: both give them an issuer, an audience and a JWKS.
"""

from langnghe.tools.issuer.keyring import AUDIENCE, LOCAL_ISSUER, MAX_TTL_S, ensure_keys, jwks_path, rotate
from langnghe.tools.issuer.mint import (
    TokenSource,
    client_headers,
    mint_token,
    operator_headers,
    service_auth_env,
)

__all__ = [
    "AUDIENCE",
    "LOCAL_ISSUER",
    "MAX_TTL_S",
    "TokenSource",
    "client_headers",
    "ensure_keys",
    "jwks_path",
    "mint_token",
    "operator_headers",
    "rotate",
    "service_auth_env",
]
