"""Photos and videos the user picks; bytes read in bounded chunks."""

from __future__ import annotations

import base64
from typing import Any

from ._bindings import call, interface
from ._checks import U32, whole
from .types import MediaInfo, MediaKind, Uploaded, from_wit

__all__ = ["MediaInfo", "MediaKind", "Uploaded", "pick", "read", "thumbnail", "upload"]


def pick(kind: MediaKind | str = MediaKind.IMAGE, max_count: int = 1) -> list[MediaInfo]:
    """The user chooses up to `max_count` (1 to 9) files of `kind` ("image", "video", "any").

    Returns one `MediaInfo` per file, an empty list when they pick none. Raises
    `NotDeclared` (a kind the manifest does not list), `InvalidArgument` (a file
    that is not what its name says), `LimitExceeded` (too large).
    """
    wanted = MediaKind.parse(kind, "kind")
    count = whole(max_count, "max_count", most=U32)
    return [_info(item) for item in call("media", "pick", wanted.to_wit(interface("media").MediaKind), count)]


def read(handle: str, offset: int = 0, length: int = 65536) -> bytes:
    """At most `length` bytes (up to 256 KiB) of the cleaned file from `offset`; b"" past its end."""
    return base64.b64decode(call("media", "read", handle, whole(offset, "offset"), whole(length, "length", most=U32)))


def thumbnail(handle: str, max_edge: int = 256) -> MediaInfo:
    """A reduced, upright copy whose longer edge is at most `max_edge` (16 to 1024) pixels, as a new handle."""
    return _info(call("media", "thumbnail", handle, whole(max_edge, "max_edge", most=U32)))


def upload(handle: str) -> Uploaded:
    """Store the cleaned file in the host's media store; where it is served and its sha256."""
    return from_wit(Uploaded, call("media", "upload", handle))


def _info(raw: Any) -> MediaInfo:
    return from_wit(MediaInfo, raw)
