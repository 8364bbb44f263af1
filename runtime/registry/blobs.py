"""The registry's package files: kept once per digest, read as local files.

`DiskPackages` keeps them in a folder (one registry process, SQLite).
`SharedPackages` keeps them in a `BlobStore` every registry process reaches
(the database on PostgreSQL, or an operator's object store) and reads them
through a local copy per digest: a cache any process can lose without
losing a package (opening a package verifies its digest, wherever it came from).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..blobs import PACKAGE_TYPE, BlobStore


class _LocalFolder:
    """A folder of package files named by digest, and upload spooling beside them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _file(self, digest: str) -> Path:
        algorithm, _, hexdigest = digest.partition(":")
        return self.root / algorithm / hexdigest[:2] / f"{hexdigest}.capsule"

    def spool(self) -> tuple[int, Path]:
        """A temporary file in the folder (same filesystem, so keeping it is a rename)."""
        descriptor, name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        return descriptor, Path(name)


class DiskPackages(_LocalFolder):
    """Packages on disk, one file per digest: written once, renamed into place."""

    def path(self, digest: str) -> Path:
        return self._file(digest)

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


class SharedPackages(_LocalFolder):
    """Packages in a shared `BlobStore`; `path` gives a verified local copy."""

    def __init__(self, root: Path, store: BlobStore) -> None:
        super().__init__(root)
        self.store = store

    def keep(self, temporary: Path, digest: str) -> bool:
        """Store a verified upload in the shared store (durably, before the version is recorded)."""
        created = self.store.put(digest, temporary.read_bytes(), PACKAGE_TYPE)
        target = self._file(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)  # this process's copy, so the audit reads no bytes twice
        return created

    def path(self, digest: str) -> Path:
        """A local file with the package's bytes, fetched from the store the first time."""
        target = self._file(digest)
        if target.exists():
            return target
        blob = self.store.get(digest)
        if blob is None:
            return target  # missing everywhere: the caller's open reports it
        # No check here: whoever opens the copy verifies the package's digest and signature.
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".fetch-")
        with os.fdopen(descriptor, "wb") as out:
            out.write(blob.data)
        os.replace(temporary, target)
        return target

    def exists(self, digest: str) -> bool:
        return self._file(digest).exists() or self.store.exists(digest)


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
