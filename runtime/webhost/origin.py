"""Same origin only: the Host header names this host, and only its own pages change state.

An ASGI middleware in front of every route:
- Every request (the registry's included) must carry a Host this host answers
  to (`WebHost.allowed_hosts`), so a DNS-rebound name that points at
  127.0.0.1 reaches nothing.
- The WebSocket opens only from the host's own Origin; a missing Origin is
  refused too (browsers always send one).
- A request that changes state (any method but GET, HEAD, OPTIONS) must come
  from the host's own origin: `Sec-Fetch-Site: same-origin` when the browser
  sends it, and an `Origin` equal to the host's own. With neither it is
  refused. The CSRF token bound to the sign-in is checked by the routes
  (`auth.authorise`), which know the sign-in.
- The registry under `/registry` is called by the CLI with bearer tokens, not
  cookies: a cross-site page has no ambient authority there, so it gets the
  Host check only. The merchant API under `/merchant` likewise (server keys);
  it refuses every request a browser made (see capabilities/messages/api.py).
"""

from __future__ import annotations

from typing import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from ..hostnames import host_name
from .problem import problem

#: Methods that only read; everything else must come from the host's own pages.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Names a host answers to whatever it binds: loopback.
DEFAULT_HOSTS = ("127.0.0.1", "localhost")
#: Paths with bearer-token clients instead of cookies: Host check only.
TOKEN_PREFIXES = ("/registry", "/merchant")
#: WebSocket close code for a policy violation (RFC 6455); before `accept` the server answers 403.
POLICY_VIOLATION = 1008


def allowed_host_names(listen: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The names a host listening on `listen` answers to: loopback, that address, and `extra`."""
    names = {*DEFAULT_HOSTS, *(name.strip().lower().strip("[]") for name in extra if name.strip())}
    if listen and listen not in ("0.0.0.0", "::"):
        names.add(listen.lower().strip("[]"))
    return frozenset(names)


def own_origin(scope: Scope, host_header: str) -> str:
    """The origin the host's own pages have on this request: scheme and Host."""
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"), scope.get("scheme", "http"))
    return f"{scheme}://{host_header.strip().lower()}"


def cross_origin_reason(scope: Scope, headers: Headers) -> str | None:
    """Why this request is not from the host's own pages, or None when it is."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site != "same-origin":
        return f"this request came from another site (Sec-Fetch-Site: {fetch_site[:20]}); only the host's own pages may do this"
    origin = headers.get("origin")
    if origin is None:
        if fetch_site is None:
            return "send the Origin header: only the host's own pages may do this"
        return None
    if origin.lower() != own_origin(scope, headers.get("host", "")):
        return f"a page of another origin ({origin[:100]}) may not do this; use the host's own pages"
    return None


class SameOrigin:
    """ASGI middleware enforcing the module's rules before any route runs."""

    def __init__(self, app: ASGIApp, allowed_hosts: frozenset[str]) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        reason: str | None = None
        code = "cross-origin"
        if host_name(headers.get("host", "")) not in self.allowed_hosts:
            code = "unknown-host"
            reason = (
                "this host does not answer to that name (Host header); "
                "if it is the host's name, start it with `capsule host --allowed-host NAME`"
            )
        elif scope["type"] == "websocket" or (
            scope["method"] not in SAFE_METHODS and not scope["path"].startswith(TOKEN_PREFIXES)
        ):
            reason = cross_origin_reason(scope, headers)
        if reason is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await receive()  # the client's connect
            await send({"type": "websocket.close", "code": POLICY_VIOLATION, "reason": reason[:120]})
        else:
            status = 400 if code == "unknown-host" else 403
            await problem(status, code, reason)(scope, receive, send)
