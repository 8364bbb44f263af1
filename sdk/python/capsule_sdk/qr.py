"""QR codes that open this (or another) program, and scanning."""

from __future__ import annotations

import base64
from typing import Any

from ._bindings import call, interface
from ._checks import U32, whole


def make_code(app_id: str, page: str, params: dict[str, str] | None = None, *, fmt: str = "png", size: int = 256) -> Any:
    m = interface("qr")
    types = interface("types")
    target = types.LaunchTarget(app_id=app_id, page=page, scene="qr", params=sorted((params or {}).items()))
    return call("qr", "make_code", target, getattr(m.ImageFormat, fmt.upper()), whole(size, "size", most=U32))


def scan() -> Any:
    return call("qr", "scan")


def decode(image: bytes) -> Any:
    return call("qr", "decode", base64.b64encode(image).decode())
