"""Photos and videos the user picks; bytes read in bounded chunks."""

from __future__ import annotations

import base64
from typing import Any

from ._bindings import call, interface


def pick(kind: str = "image", max_count: int = 1) -> list[Any]:
    m = interface("media")
    return list(call("media", "pick", getattr(m.MediaKind, kind.upper()), max_count))


def read(handle: str, offset: int = 0, length: int = 65536) -> bytes:
    return base64.b64decode(call("media", "read", handle, offset, length))


def thumbnail(handle: str, max_edge: int = 256) -> Any:
    return call("media", "thumbnail", handle, max_edge)


def upload(handle: str) -> Any:
    return call("media", "upload", handle)
