"""Who is asking: the verified principal of a request, and the refusals when nobody may ask.

`principal.py` is pure (roles, units, jurisdiction); `authenticator.py` is the port that turns
a bearer token into a principal, `oidc.py` (with `jwks.py`) its OIDC adapter and `build.py`
the one a service's settings describe; `dependency.py` is what a route declares; `actor.py`
the event actor of a principal.
"""

from langnghe.runtime.auth.actor import actor_of
from langnghe.runtime.auth.authenticator import Authenticator, auth_forbidden, auth_required
from langnghe.runtime.auth.dependency import CurrentPrincipal, current_principal
from langnghe.runtime.auth.principal import ANONYMOUS, Principal, Role

__all__ = [
    "ANONYMOUS",
    "Authenticator",
    "CurrentPrincipal",
    "Principal",
    "Role",
    "actor_of",
    "auth_forbidden",
    "auth_required",
    "current_principal",
]
