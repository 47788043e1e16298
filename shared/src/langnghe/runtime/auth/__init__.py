"""Who is asking: the verified principal of a request, and the refusals when nobody may ask.

`principal.py` is pure (roles, units, jurisdiction); `authenticator.py` is the port that turns
a bearer token into a principal; `dependency.py` is what a route declares.
"""

from langnghe.runtime.auth.authenticator import Authenticator, auth_forbidden, auth_required
from langnghe.runtime.auth.dependency import CurrentPrincipal, current_principal
from langnghe.runtime.auth.principal import ANONYMOUS, Principal, Role

__all__ = [
    "ANONYMOUS",
    "Authenticator",
    "CurrentPrincipal",
    "Principal",
    "Role",
    "auth_forbidden",
    "auth_required",
    "current_principal",
]
