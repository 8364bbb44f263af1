"""The `qr` section of a manifest: whether the program opens the scanner."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from ...manifest.permission import Permission


class QrPermission(Permission):
    """QR codes that launch programs, and scanning."""

    capability: ClassVar[str] = "qr"

    scan: bool = Field(
        True,
        description="Whether the program opens the host's scanner (the camera). "
        "false: it only makes and decodes codes.",
    )
