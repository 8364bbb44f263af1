"""Blobs in a folder on this machine: the default on SQLite (one host)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from .store import Blob, check_name


def by_prefix(root: Path, name: str) -> Path:
    """`root/ab/abcd...`: the media store's layout."""
    hexdigest = name.partition(":")[2] or name
    return root / hexdigest[:2] / hexdigest


class DiskBlobs:
    """A `BlobStore` of files, each written aside, synced and renamed into place; its media type beside it."""

    def __init__(self, root: Path, layout: Callable[[Path, str], Path] = by_prefix) -> None:
        self.root = root
        self.layout = layout

    def path(self, name: str) -> Path:
        return self.layout(self.root, check_name(name))

    def put(self, name: str, data: bytes, mime: str) -> bool:
        target = self.path(name)
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader never sees half a file.
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        _type_file(target).write_text(mime)
        os.replace(temporary, target)
        return True

    def get(self, name: str) -> Blob | None:
        try:
            path = self.path(name)
        except ValueError:
            return None
        if not path.is_file():
            return None
        mime_file = _type_file(path)
        return Blob(path.read_bytes(), mime_file.read_text() if mime_file.exists() else "application/octet-stream")

    def exists(self, name: str) -> bool:
        try:
            return self.path(name).is_file()
        except ValueError:
            return False


def _type_file(path: Path) -> Path:
    return path.parent / f"{path.name}.type"
