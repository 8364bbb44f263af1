"""Photos and videos the user picks; bytes read in bounded chunks."""

from __future__ import annotations

import base64
from typing import Any

from ._bindings import call, interface
from ._checks import U32, whole


def pick(kind: str = "image", max_count: int = 1) -> list[Any]:
    m = interface("media")
    return list(call("media", "pick", getattr(m.MediaKind, kind.upper()), whole(max_count, "max_count", most=U32)))


def read(handle: str, offset: int = 0, length: int = 65536) -> bytes:
    return base64.b64decode(call("media", "read", handle, whole(offset, "offset"), whole(length, "length", most=U32)))


def thumbnail(handle: str, max_edge: int = 256) -> Any:
    return call("media", "thumbnail", handle, whole(max_edge, "max_edge", most=U32))


def upload(handle: str) -> Any:
    return call("media", "upload", handle)
