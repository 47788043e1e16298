"""What a route declares to know its caller: `principal: CurrentPrincipal`.

No `Authorization` header means the anonymous public; a bearer token is verified by the
service's authenticator (`app.state.authenticator`); anything else is 401 `auth.required`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from langnghe.runtime.auth.authenticator import Authenticator, auth_required
from langnghe.runtime.auth.principal import ANONYMOUS, Principal


def current_principal(request: Request) -> Principal:
    header = request.headers.get("Authorization")
    if header is None:
        return ANONYMOUS
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise auth_required("Authorization phải có dạng 'Bearer <mã>'")
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator.authenticate(token.strip())


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
