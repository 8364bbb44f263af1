"""Packages on disk, one file per digest: written once, renamed into place."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, digest: str) -> Path:
        algorithm, _, hexdigest = digest.partition(":")
        return self.root / algorithm / hexdigest[:2] / f"{hexdigest}.capsule"

    def spool(self) -> tuple[int, Path]:
        """A temporary file in the store (same filesystem, so `keep` is a rename)."""
        descriptor, name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        return descriptor, Path(name)

    def keep(self, temporary: Path, digest: str) -> bool:
        """Move a verified upload to its digest's place; False when it was there already."""
        target = self.path(digest)
        if target.exists():
            temporary.unlink(missing_ok=True)
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        # The caller records the version right after this returns: the bytes
        # and the rename must both be on disk first, or a crash could leave a
        # released version whose package file is empty or missing.
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
        _sync_directory(target.parent)
        return True

    def exists(self, digest: str) -> bool:
        return self.path(digest).exists()


def _sync_directory(directory: Path) -> None:
    """Make a rename inside `directory` durable (a no-op where directories cannot be opened)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
