"""HTTP to the hosts the manifest lists, and nowhere else."""

from __future__ import annotations

from typing import Any

from ._bindings import call, interface
from ._checks import U32, whole
from .types import Response, from_wit

__all__ = ["Response", "fetch"]


def fetch(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: str = "", timeout_ms: int = 10000
) -> Response:
    """Send one request to a host the manifest's `network.hosts` lists; its `Response`.

    Raises `NotDeclared` (the host is not listed, or resolves to a private
    address), `InvalidArgument` (a bad URL, method or header), `LimitExceeded`
    (too large, too slow), `Unavailable` (the host could not be reached).
    """
    m = interface("network")
    wait = whole(timeout_ms, "timeout_ms", most=U32)
    request = m.Request(method=method, url=url, headers=sorted((headers or {}).items()), body=body, timeout_ms=wait)
    return _response(call("network", "fetch", request))


def _response(raw: Any) -> Response:
    pairs = tuple((str(name), str(value)) for name, value in raw.headers)
    return from_wit(Response, raw, headers=pairs)
