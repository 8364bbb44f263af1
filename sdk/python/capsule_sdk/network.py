"""HTTP to the hosts the manifest lists, and nowhere else."""

from __future__ import annotations

from typing import Any

from ._bindings import call, interface
from ._checks import U32, whole


def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: str = "", timeout_ms: int = 10000) -> Any:
    m = interface("network")
    request = m.Request(method=method, url=url, headers=sorted((headers or {}).items()), body=body, timeout_ms=whole(timeout_ms, "timeout_ms", most=U32))
    return call("network", "fetch", request)
