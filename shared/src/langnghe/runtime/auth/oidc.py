"""The OIDC adapter of the `Authenticator` port: a bearer token is a JWT signed by the
issuer's keys (its JWKS), for our audience, within its validity window, carrying the
claims of a Lắng Nghe principal.

Verification is PyJWT's (signature, `iss`, `aud`, `exp`, `nbf`, `iat`, with a small clock
skew); this module only picks the key, allows asymmetric algorithms alone, and maps the
claims to a `Principal`:

- `sub`: the user's stable id at the provider (at most 128 characters, as an event's actor);
- `ln_role`: a `Role` value;
- `ln_unit`: a current province or commune code, required for every role but `public`;
- `ln_agency`: the agency code, required for (and kept only for) an agency officer.

Every refusal is 401 `auth.required` with a short Vietnamese reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jwt
from jwt import exceptions as jwt_errors

from langnghe.domain.errors import DomainError
from langnghe.domain.units.current import is_current_code
from langnghe.runtime.auth.authenticator import auth_required
from langnghe.runtime.auth.jwks import ASYMMETRIC_ALGORITHMS, JwksCache, JwksUnavailable
from langnghe.runtime.auth.principal import Principal, Role

#: The custom claims every issuer (embedded or Keycloak) puts into a token.
CLAIM_ROLE = "ln_role"
CLAIM_UNIT = "ln_unit"
CLAIM_AGENCY = "ln_agency"
DEFAULT_AUDIENCE = "langnghe"
DEFAULT_CLOCK_SKEW_S = 30.0
MAX_TOKEN_CHARS = 16_384
MAX_SUBJECT_CHARS = 128
MAX_AGENCY_CHARS = 64


class InvalidClaims(ValueError):
    """Verified claims that do not describe a Lắng Nghe principal; the message is the reason."""


def parse_claims(claims: Mapping[str, Any]) -> Principal:
    """The principal claims describe, or `InvalidClaims` naming what is wrong (in Vietnamese)."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > MAX_SUBJECT_CHARS:
        raise InvalidClaims("trường sub không hợp lệ")
    raw_role = claims.get(CLAIM_ROLE)
    try:
        role = Role(raw_role) if isinstance(raw_role, str) else None
    except ValueError:
        role = None
    if role is None:
        raise InvalidClaims(f"vai trò {CLAIM_ROLE} thiếu hoặc không hợp lệ")
    unit_code = claims.get(CLAIM_UNIT)
    if role is Role.PUBLIC and unit_code is None:
        return Principal(subject=subject, role=role)
    if not isinstance(unit_code, str) or not unit_code:
        raise InvalidClaims(f"thiếu mã đơn vị {CLAIM_UNIT}")
    if not is_current_code(unit_code):
        raise InvalidClaims(f"mã đơn vị {CLAIM_UNIT} không phải đơn vị hành chính hiện hành")
    agency_code = None
    if role is Role.AGENCY_OFFICER:
        agency_code = claims.get(CLAIM_AGENCY)
        if not isinstance(agency_code, str) or not agency_code.strip() or len(agency_code) > MAX_AGENCY_CHARS:
            raise InvalidClaims(f"cán bộ cơ quan cần mã cơ quan {CLAIM_AGENCY}")
    return Principal(subject=subject, role=role, unit_code=unit_code, agency_code=agency_code)


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """The principal verified claims describe, or `auth_required` naming what is wrong."""
    try:
        return parse_claims(claims)
    except InvalidClaims as exc:
        raise auth_required(str(exc)) from None


#: PyJWT's refusals, most specific first, with the reason the caller reads.
_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (jwt_errors.ExpiredSignatureError, "mã đã hết hạn"),
    (jwt_errors.ImmatureSignatureError, "mã chưa đến thời điểm có hiệu lực"),
    (jwt_errors.InvalidIssuedAtError, "thời điểm phát hành (iat) không hợp lệ"),
    (jwt_errors.InvalidIssuerError, "mã không do nhà phát hành được tin cậy cấp"),
    (jwt_errors.InvalidAudienceError, "mã không dành cho hệ thống này"),
    (jwt_errors.InvalidSignatureError, "chữ ký không hợp lệ"),
    (jwt_errors.InvalidAlgorithmError, "thuật toán ký không được chấp nhận"),
    (jwt_errors.DecodeError, "mã không đúng định dạng JWT"),
)


class OidcAuthenticator:
    """Verifies JWTs of one issuer for one audience against that issuer's JWKS.

    `authenticate` is synchronous and may read the JWKS (a file, or an HTTP request of at most
    5 s when the cache is cold or a new key appears): call it from a sync dependency, which
    FastAPI runs in its thread pool (as `current_principal` is), never on the event loop."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str = DEFAULT_AUDIENCE,
        keys: JwksCache,
        clock_skew_s: float = DEFAULT_CLOCK_SKEW_S,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self._keys = keys
        self._clock_skew_s = clock_skew_s

    def authenticate(self, token: str) -> Principal:
        if len(token) > MAX_TOKEN_CHARS:
            raise auth_required("mã quá dài")
        try:
            header = jwt.get_unverified_header(token)
        except jwt_errors.PyJWTError:
            raise auth_required("mã không đúng định dạng JWT") from None
        algorithm = header.get("alg")
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise auth_required("thuật toán ký không được chấp nhận")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise auth_required("mã không nêu khóa ký (kid)")
        try:
            key = self._keys.key(kid)
        except JwksUnavailable:
            raise auth_required("chưa đọc được khóa công khai của nhà phát hành") from None
        if key is None:
            raise auth_required("khóa ký không có trong JWKS của nhà phát hành")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self._clock_skew_s,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt_errors.MissingRequiredClaimError as exc:
            raise auth_required(f"thiếu trường {exc.claim}") from None
        except jwt_errors.PyJWTError as exc:
            raise _refusal(exc) from None
        return principal_from_claims(claims)


def _refusal(exc: Exception) -> DomainError:
    for kind, reason in _REASONS:
        if isinstance(exc, kind):
            return auth_required(reason)
    return auth_required("mã không hợp lệ")


class NoIssuerAuthenticator:
    """A service configured with no issuer: anonymous requests work, every token is refused."""

    def authenticate(self, token: str) -> Principal:
        raise auth_required("dịch vụ chưa được cấu hình nhà phát hành mã xác thực")
