"""`GET /metrics`: the figures for an operator's scraper, and for nobody else.

Who may read it:
- With an operator token (`CAPSULE_METRICS_TOKEN`, at least 16 characters),
  a caller presenting `Authorization: Bearer <token>`, from any address: a
  Prometheus in another pod or machine. Without the right token: 401.
- Without a token, callers on this machine only: the connection comes from a
  loopback address, the Host header names loopback (a DNS-rebound name
  reaches nothing), and no proxy forwarded the request (`Forwarded`,
  `X-Forwarded-For`, `X-Real-IP`: a proxy on this machine would otherwise
  make every remote caller look local). Anything else: 403.
- Never a browser page: a request with an `Origin` header, or one that a
  browser marks as sent by a page (`Sec-Fetch-Site` other than `none`, which
  is a typed address) gets 403, whoever it claims to be. No CORS header is
  ever sent. A scraper sends neither.

The figures name no person and no program (see figures.py), so what an
operator reads is the platform's health, not its users' business.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..hostnames import host_name
from .figures import exposition

#: The environment variable holding the operator token (a Kubernetes secret, a systemd credential).
METRICS_TOKEN_ENV = "CAPSULE_METRICS_TOKEN"
MIN_TOKEN_CHARS = 16
#: Prometheus's text format, version 0.0.4.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_FORWARDING = ("forwarded", "x-forwarded-for", "x-real-ip")
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


class MetricsTokenError(ValueError):
    """The operator token is unusable (too short); the message says what to do.

    Not a CapsuleError: it stops a server at its start, before any page could meet it.
    """


@dataclass(frozen=True)
class MetricsAccess:
    """Who may read `/metrics`: the holder of `token`, or (no token) callers on this machine."""

    token: str | None = None

    @classmethod
    def from_environment(cls) -> "MetricsAccess":
        """The token in `CAPSULE_METRICS_TOKEN` (loopback only when unset or empty)."""
        token = os.environ.get(METRICS_TOKEN_ENV, "").strip()
        if token and len(token) < MIN_TOKEN_CHARS:
            raise MetricsTokenError(
                f"{METRICS_TOKEN_ENV} is {len(token)} characters; use at least {MIN_TOKEN_CHARS} "
                "(for example `python -c 'import secrets; print(secrets.token_urlsafe(32))'`), or unset it to allow loopback only"
            )
        return cls(token or None)

    def refusal(self, request: Request) -> Response | None:
        """Why `request` may not read the figures (an answer to send), or None when it may."""
        headers = request.headers
        fetch_site = headers.get("sec-fetch-site")
        if "origin" in headers or (fetch_site is not None and fetch_site != "none"):
            return _refuse(403, "browser-page", "a web page may not read the metrics; scrape them from a server")
        if self.token is not None:
            scheme, _, presented = headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), self.token.encode()):
                return _refuse(
                    401, "not-operator", "send the operator token as `Authorization: Bearer <token>`",
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                )
            return None
        if any(name in headers for name in _FORWARDING):
            return _refuse(403, "forwarded", f"a proxied request may not read the metrics; set {METRICS_TOKEN_ENV} on the host and scrape with it")
        client = request.client.host if request.client else ""
        if not _is_loopback(client) or host_name(headers.get("host", "")) not in _LOOPBACK_NAMES:
            return _refuse(
                403, "not-local",
                f"the metrics are for this machine only; set {METRICS_TOKEN_ENV} on the host to let a scraper elsewhere read them with that token",
            )
        return None


def metrics_route(access: MetricsAccess, path: str = "/metrics") -> Route:
    """The GET route serving the figures to whoever `access` lets in."""

    async def metrics(request: Request) -> Response:
        refused = access.refusal(request)
        if refused is not None:
            return refused
        return Response(await run_in_threadpool(exposition), media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})

    return Route(path, metrics, methods=["GET"])


def _refuse(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False

