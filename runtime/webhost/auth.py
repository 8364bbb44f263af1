"""Who is asking: the signed-in account behind a request or a socket, and nothing else.

The user of every API call and of `/ws` is the account of the sign-in
session cookie. No header, body field or other cookie a page can set picks
it. A request that changes state must also carry the sign-in's CSRF token in
the `X-Capsule-CSRF` header (the shell reads it from `/api/config`, which a
page of another origin cannot read).
"""

from __future__ import annotations

import hmac
import math
from typing import Mapping

from starlette.requests import HTTPConnection
from starlette.responses import Response

from .origin import SAFE_METHODS
from .signins import SignIn, SignIns

#: The sign-in cookie: HttpOnly, SameSite=Strict, Secure over https.
COOKIE = "capsule_session"
CSRF_HEADER = "x-capsule-csrf"


class Refused(Exception):
    """A request the host will not serve; `status`, `code`, `params` and the message go to the client."""

    def __init__(
        self, status: int, code: str, message: str, *, retry_after: float = 0.0, params: Mapping[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        #: Seconds until trying again can work (a throttled sign-in); 0 when it cannot help.
        self.retry_after = retry_after
        self.params = dict(params or {})
        if retry_after:
            # Whole minutes to wait, at least one: what the shell says in the reader's language.
            self.params.setdefault("count", max(1, math.ceil(retry_after / 60)))


def current(signins: SignIns, connection: HTTPConnection) -> SignIn | None:
    """The live sign-in of this request's cookie, if any."""
    return signins.find(connection.cookies.get(COOKIE))


def authorise(signins: SignIns, connection: HTTPConnection) -> SignIn:
    """The sign-in behind a request, with its CSRF token checked when the request changes state."""
    sign_in = current(signins, connection)
    if sign_in is None:
        raise Refused(401, "not-signed-in", "sign in first (/signin); your sign-in may have expired or ended")
    method = connection.scope.get("method")
    if method is not None and method not in SAFE_METHODS:
        sent = connection.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode()[:128], sign_in.csrf.encode()):
            raise Refused(
                403, "csrf", f"send this sign-in's CSRF token in the {CSRF_HEADER} header (from /api/config)"
            )
    return sign_in


def set_cookie(response: Response, connection: HTTPConnection, sign_in: SignIn, max_age: float) -> None:
    response.set_cookie(
        COOKIE,
        sign_in.token,
        max_age=int(max_age),
        path="/",
        httponly=True,
        samesite="strict",
        secure=connection.url.scheme in ("https", "wss"),
    )


def clear_cookie(response: Response, connection: HTTPConnection) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=connection.url.scheme in ("https", "wss")
    )
