"""The host's media store: the protocol, and the default over a blob store, content addressed.

Files are stored under their sha256, so the same photo uploaded twice is kept
once, and an address says nothing about who uploaded it. The host serves them
at `{base_url}/{digest}` (see `media_app` for a starlette route).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ...blobs import BlobStore, DiskBlobs


@dataclass(frozen=True)
class Stored:
    url: str
    digest: str
    size: int


class MediaStore(Protocol):
    def put(self, data: bytes, mime: str) -> Stored: ...


class BlobMediaStore:
    """Uploads kept in a `BlobStore` under their sha256: on disk for one host, in the
    shared database (or an operator's object store) for many."""

    def __init__(self, blobs: BlobStore, base_url: str = "/media") -> None:
        self.blobs = blobs
        self.base_url = base_url.rstrip("/")

    def put(self, data: bytes, mime: str) -> Stored:
        digest = hashlib.sha256(data).hexdigest()
        self.blobs.put(digest, data, mime)
        return Stored(f"{self.base_url}/{digest}", digest, len(data))

    def get(self, digest: str) -> tuple[bytes, str] | None:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            return None
        blob = self.blobs.get(digest)
        return None if blob is None else (blob.data, blob.mime)


class DiskMediaStore(BlobMediaStore):
    """The single-machine default: files under `root`."""

    def __init__(self, root: Path, base_url: str = "/media") -> None:
        super().__init__(DiskBlobs(root), base_url)
        self.root = root


def media_app(store: BlobMediaStore):
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
