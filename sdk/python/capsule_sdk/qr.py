"""QR codes that open this program, and scanning."""

from __future__ import annotations

import base64
from typing import Any

from ._bindings import call, interface
from ._checks import U32, whole
from .types import Code, CodeFormat, ImageFormat, LaunchTarget, ScanResult, from_wit

__all__ = ["Code", "CodeFormat", "ImageFormat", "LaunchTarget", "ScanResult", "decode", "make_code", "scan"]


def make_code(
    app_id: str,
    page: str,
    params: dict[str, str] | None = None,
    *,
    fmt: ImageFormat | str = ImageFormat.PNG,
    size: int = 256,
) -> Code:
    """A `Code` that opens `page` of this program (`app_id` must be its own id) with `params`.

    `fmt` is "png" (the image as base64) or "svg" (SVG text); `size` is 64 to
    2048 pixels. Raises `InvalidArgument` (another program's id, a parameter
    name or value outside the allowed characters, too many parameters).
    """
    wanted = ImageFormat.parse(fmt, "fmt").to_wit(interface("qr").ImageFormat)
    pixels = whole(size, "size", most=U32)
    target = interface("types").LaunchTarget(app_id=app_id, page=page, scene="qr", params=sorted((params or {}).items()))
    return from_wit(Code, call("qr", "make_code", target, wanted, pixels))


def scan() -> ScanResult:
    """The user scans a code with the host's scanner. Raises `Refused` when they close it."""
    return _scan_result(call("qr", "scan"))


def decode(image: bytes) -> ScanResult:
    """Read the code in a PNG or JPEG picture. Raises `InvalidArgument` when there is none."""
    return _scan_result(call("qr", "decode", base64.b64encode(image).decode()))


def _scan_result(raw: Any) -> ScanResult:
    targets = tuple(from_wit(LaunchTarget, t, params={str(k): str(v) for k, v in t.params}) for t in raw.target)
    return from_wit(ScanResult, raw, format=CodeFormat.from_wit(raw.format), target=targets)
