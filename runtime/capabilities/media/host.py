"""Host side of `capsule:app/media`: the user picks, the program gets cleaned copies.

Picking is the consent: the program sees only what the user chose. Each image
is checked by content (not by name), size-capped, decoded under a pixel cap
and re-encoded without metadata before the program can read a byte of it, so
the position a phone wrote into a photo never leaves the host. Handles live
as long as the session.
"""

from __future__ import annotations

import base64
import secrets
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from ...prompter import PickRequest
from ..base import CallContext, Capability, HostFunction, InvalidArgument, LimitReached, NotDeclared, Unavailable
from ..wit import record
from . import clean
from .provider import MediaStore
from .sniff import IMAGE_TYPES, VIDEO_TYPES, kind_of, sniff
from .uploads import UploadLog

if TYPE_CHECKING:
    from ...session import Session

MAX_IMAGE_BYTES = 25 * 1024 * 1024
MAX_VIDEO_BYTES = 200 * 1024 * 1024
MAX_PICK = 9
#: Bytes one `read` returns at most (base64 makes a third more on the way).
MAX_READ = 256 * 1024
MAX_HANDLES = 64
MIN_THUMB, MAX_THUMB = 16, 1024


@dataclass
class Item:
    mime: str
    size: int
    width: int = 0
    height: int = 0
    data: bytes | None = None  # the cleaned image; None for a video


class MediaCapability(Capability):
    name = "media"

    def __init__(self, store: MediaStore, uploads: UploadLog | None = None) -> None:
        self.store = store
        self.uploads = uploads
        self._items: "weakref.WeakKeyDictionary[Session, dict[str, Item]]" = weakref.WeakKeyDictionary()

    def functions(self) -> Mapping[str, HostFunction]:
        return {"pick": self.pick, "read": self.read, "thumbnail": self.thumbnail, "upload": self.upload}

    def pick(self, ctx: CallContext, kind: Any, max_count: int) -> list:
        declared = set(getattr(ctx.app.manifest.permission("media"), "kinds", ()) or ())
        wanted = _tag(kind)
        kinds = declared if wanted == "any" else {wanted}
        if not kinds <= declared or not kinds:
            raise NotDeclared(f"picking {wanted} needs {wanted!r} in the manifest's media kinds")
        if not 1 <= max_count <= MAX_PICK:
            raise InvalidArgument(f"max-count must be 1 to {MAX_PICK}, got {max_count}")
        ctx.scope = "media.pick"
        request = PickRequest(ctx.user, ctx.app.id, ctx.app.name, kind=wanted, max_count=max_count)
        paths = ctx.session.ask(lambda prompter, timeout: prompter.pick(request, timeout))[:max_count]
        picked = [self._admit(Path(p), kinds) for p in paths]
        return [self._register(ctx, item) for item in picked]

    def read(self, ctx: CallContext, handle: str, offset: int, length: int) -> str:
        item = self._item(ctx, handle)
        if item.data is None:
            raise Unavailable("videos cannot be read yet: the host cannot remove their metadata")
        if length > MAX_READ:
            raise InvalidArgument(f"length must be at most {MAX_READ} bytes per read, got {length}")
        chunk = item.data[offset : offset + length]
        ctx.bytes_out = len(chunk)
        return base64.b64encode(chunk).decode()

    def thumbnail(self, ctx: CallContext, handle: str, max_edge: int):
        item = self._item(ctx, handle)
        if item.data is None:
            raise Unavailable("video thumbnails are not available in this host")
        if not MIN_THUMB <= max_edge <= MAX_THUMB:
            raise InvalidArgument(f"max-edge must be {MIN_THUMB} to {MAX_THUMB}, got {max_edge}")
        small = clean.thumbnail(item.data, max_edge)
        return self._register(ctx, Item(small.mime, len(small.data), small.width, small.height, small.data))

    def upload(self, ctx: CallContext, handle: str):
        item = self._item(ctx, handle)
        if item.data is None:
            raise Unavailable("videos cannot be uploaded yet: the host cannot remove their metadata")
        stored = self.store.put(item.data, item.mime)
        if self.uploads is not None:
            self.uploads.add(ctx.user, ctx.app.id, stored.url, item.mime, stored.size)
        return record(url=stored.url, digest=stored.digest, size_bytes=stored.size)

    # -- handles ---------------------------------------------------------------

    def _admit(self, path: Path, kinds: set[str]) -> Item:
        try:
            size = path.stat().st_size
            with path.open("rb") as f:
                head = f.read(16)
        except OSError as error:
            raise Unavailable(f"the picked file cannot be read ({error.strerror})") from None
        mime = sniff(head)
        allowed = (IMAGE_TYPES if "image" in kinds else frozenset()) | (VIDEO_TYPES if "video" in kinds else frozenset())
        if mime is None or mime not in allowed:
            what = mime or "not an image or video"
            raise InvalidArgument(
                f"the picked file {path.name!r} is {what}, judged by its content; accepted: {', '.join(sorted(allowed))}"
            )
        cap = MAX_IMAGE_BYTES if kind_of(mime) == "image" else MAX_VIDEO_BYTES
        if size > cap:
            raise LimitReached(f"the picked file is {size:,} bytes; {kind_of(mime)}s may be at most {cap:,}")
        if kind_of(mime) == "video":
            return Item(mime, size)
        try:
            cleaned = clean.clean(path.read_bytes(), mime)
        except clean.ImageRejected as error:
            raise InvalidArgument(f"the picked file {path.name!r} was refused: {error}") from None
        return Item(mime, len(cleaned.data), cleaned.width, cleaned.height, cleaned.data)

    def _register(self, ctx: CallContext, item: Item):
        handles = self._items.setdefault(ctx.session, {})
        if len(handles) >= MAX_HANDLES:
            raise LimitReached(f"a session may hold at most {MAX_HANDLES} media handles")
        handle = "m_" + secrets.token_hex(8)
        handles[handle] = item
        return record(
            handle=handle, mime_type=item.mime, size_bytes=item.size, width=item.width, height=item.height, duration_ms=0
        )

    def _item(self, ctx: CallContext, handle: str) -> Item:
        item = self._items.get(ctx.session, {}).get(handle)
        if item is None:
            raise InvalidArgument(f"unknown media handle {handle[:40]!r}; handles are valid for the session that picked them")
        return item


def _tag(value: object) -> str:
    return str(getattr(value, "name", value)).lower()
