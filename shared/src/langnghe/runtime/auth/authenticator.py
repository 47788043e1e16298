"""The port from a bearer token to a verified principal, and the two refusals of identity.

An adapter verifies a token by an existing standard (OIDC: a JWT signed by the issuer's keys)
and raises `auth_required()` for a token it cannot trust. Routes raise `auth_forbidden()` when
a known principal may not do what it asks; a read outside the principal's jurisdiction answers
404, as if the record did not exist, so a refusal reveals nothing.
"""

from __future__ import annotations

from typing import Protocol

from langnghe.domain.errors import DomainError
from langnghe.runtime.auth.principal import Principal

UNAUTHORIZED = 401
FORBIDDEN = 403


class Authenticator(Protocol):
    def authenticate(self, token: str) -> Principal:
        """The principal the token proves, or `auth_required()` raised when it proves nothing."""
        ...


def auth_required(reason: str | None = None) -> DomainError:
    message = "Cần đăng nhập: thiếu mã xác thực hoặc mã không hợp lệ, đã hết hạn."
    if reason:
        message = f"{message} ({reason})"
    return DomainError("auth.required", message, field="Authorization", status=UNAUTHORIZED)


def auth_forbidden(what: str | None = None) -> DomainError:
    message = "Tài khoản của bạn không có quyền thực hiện thao tác này."
    if what:
        message = f"Tài khoản của bạn không có quyền {what}."
    return DomainError("auth.forbidden", message, status=FORBIDDEN)
