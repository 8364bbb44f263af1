"""HTTP to the hosts the manifest lists, and nowhere else."""

from __future__ import annotations

from typing import Any

from ._bindings import call, interface


def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: str = "", timeout_ms: int = 10000) -> Any:
    m = interface("network")
    request = m.Request(method=method, url=url, headers=sorted((headers or {}).items()), body=body, timeout_ms=timeout_ms)
    return call("network", "fetch", request)
