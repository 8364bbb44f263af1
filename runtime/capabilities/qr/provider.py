"""The host's scanner: the protocol a camera implements, and the default.

The default asks the user, through the prompter, for an image of the code (a
host application with a camera implements `Scanner` with its own view finder).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ...prompter import PickRequest

if TYPE_CHECKING:
    from ...session import Session

MAX_SCAN_BYTES = 10 * 1024 * 1024


class Scanner(Protocol):
    def scan(self, session: "Session") -> bytes | None:
        """An image of the code the user pointed at, or None when they cancelled."""


class PickedImageScanner:
    """Scans a picture the user picks (the terminal prompter takes a file path)."""

    def scan(self, session: "Session") -> bytes | None:
        request = PickRequest(user=session.user, app_id=session.app.id, app_name=session.app.name, kind="code")
        paths = session.ask(lambda prompter, timeout: prompter.pick(request, timeout))
        if not paths:
            return None
        path = Path(paths[0])
        if path.stat().st_size > MAX_SCAN_BYTES:
            return b""  # decoded as "not an image"; never read a huge file into memory
        return path.read_bytes()
