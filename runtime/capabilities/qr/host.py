"""Host side of `capsule:app/qr`: launch codes for this program, scanning and decoding.

A program makes codes for itself only, so it cannot print codes that open some
other program with parameters of its choosing. Scanning needs `scan: true` in
the manifest; picking the image (or pointing the camera) is the user's consent.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Mapping

from ..base import CallContext, Capability, HostFunction, InvalidArgument, NotDeclared, Refused, Unavailable
from ..wit import fields, record
from . import codes
from .address import AddressError, LaunchTarget, format_address, parse_address
from .provider import Scanner


class QrCapability(Capability):
    name = "qr"

    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner

    def functions(self) -> Mapping[str, HostFunction]:
        return {"make-code": self.make_code, "scan": self.scan, "decode": self.decode}

    def make_code(self, ctx: CallContext, target: Any, image_format: Any, size_pixels: int):
        wanted = fields(target)
        if wanted["app_id"] != ctx.app.id:
            raise InvalidArgument(f"a program makes codes for itself ({ctx.app.id}), not for {wanted['app_id']}")
        if not codes.MIN_SIZE <= size_pixels <= codes.MAX_SIZE:
            raise InvalidArgument(f"size-pixels must be {codes.MIN_SIZE} to {codes.MAX_SIZE}, got {size_pixels}")
        try:
            launch = LaunchTarget(ctx.app.id, wanted["page"], wanted["scene"] or "qr", dict(wanted["params"]))
            address = format_address(launch)
        except AddressError as error:
            raise InvalidArgument(str(error)) from None
        if _tag(image_format) == "svg":
            image = codes.qr_svg(address, size_pixels)
        else:
            image = base64.b64encode(codes.qr_png(address, size_pixels)).decode()
        return record(address=address, image=image)

    def scan(self, ctx: CallContext):
        if not getattr(ctx.app.manifest.permission("qr"), "scan", False):
            raise NotDeclared('scanning needs "scan": true in the manifest\'s qr section')
        ctx.scope = "qr.scan"
        image = self.scanner.scan(ctx.session)
        if image is None:
            raise Refused("the user closed the scanner without scanning a code")
        return self._first(image, none_found=Unavailable)

    def decode(self, ctx: CallContext, image_b64: str):
        if len(image_b64) > codes.MAX_IMAGE_BYTES * 4 // 3 + 4:
            raise InvalidArgument(f"the image is larger than {codes.MAX_IMAGE_BYTES} bytes")
        try:
            image = base64.b64decode(image_b64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidArgument("image must be base64 of a PNG or JPEG") from None
        return self._first(image, none_found=InvalidArgument)

    def _first(self, image: bytes, *, none_found: type[Exception]):
        try:
            found = codes.decode(image)
        except codes.ImageRefused as error:
            raise InvalidArgument(str(error)) from None
        if not found:
            raise none_found("no QR, EAN-13 or Code 128 symbol was found in the image")
        return scan_result(found[0])


def scan_result(decoded: codes.Decoded):
    try:
        target = parse_address(decoded.text)
    except AddressError:
        target = None  # a capsule:// text that breaks the rules is returned as plain text
    targets = []
    if target is not None:
        targets.append(
            record(app_id=target.app_id, page=target.page, scene=target.scene, params=sorted(target.params.items()))
        )
    return record(text=decoded.text, format=decoded.format, target=targets)


def _tag(value: object) -> str:
    return str(getattr(value, "name", value)).lower()
