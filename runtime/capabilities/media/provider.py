"""The host's media store: the protocol, and the default on disk, content addressed.

Files are stored under their sha256, so the same photo uploaded twice is kept
once, and an address says nothing about who uploaded it. The host serves them
at `{base_url}/{digest}` (see `media_app` for a starlette route).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Stored:
    url: str
    digest: str
    size: int


class MediaStore(Protocol):
    def put(self, data: bytes, mime: str) -> Stored: ...


class DiskMediaStore:
    def __init__(self, root: Path, base_url: str = "/media") -> None:
        self.root = root
        self.base_url = base_url.rstrip("/")

    def path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def put(self, data: bytes, mime: str) -> Stored:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed: a reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
            (target.parent / f"{digest}.type").write_text(mime)
        return Stored(f"{self.base_url}/{digest}", digest, len(data))

    def get(self, digest: str) -> tuple[bytes, str] | None:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            return None
        path = self.path(digest)
        if not path.exists():
            return None
        return path.read_bytes(), (path.parent / f"{digest}.type").read_text()


def media_app(store: DiskMediaStore):
    """A starlette app serving the store read-only: GET /{digest}."""
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    async def serve(request):
        found = store.get(request.path_params["digest"])
        if found is None:
            return Response("not found", status_code=404)
        data, mime = found
        headers = {"Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"}
        return Response(data, media_type=mime, headers=headers)

    return Starlette(routes=[Route("/{digest}", serve)])
