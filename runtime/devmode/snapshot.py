"""Frozen copies of a program folder: what one version's sessions mount.

Sessions never mount the live folder. Each reload copies the program's files
into a new snapshot, so the version that passed the load check is exactly the
version every session of it reads, a save in the middle of a reload cannot
mix two versions, and an older session keeps its own files. Unchanged files
are hard links to the previous snapshot's copy, so a reload copies only what
changed (snapshot files are never written after they are made).

"Unchanged" means same size and modification time, and modified well before
the previous snapshot: file times have the kernel clock's coarse resolution,
so a file changed just around a snapshot is copied again (git's "racy clean"
rule), or two quick saves of the same length could look unchanged.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import weakref
from pathlib import Path

from ..package.folder import source_files

#: A file modified this close to the previous snapshot is copied even if it looks unchanged.
RACY_NS = 2_000_000_000


class Snapshots:
    """Snapshots of one program folder, in a private temporary directory."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.root = Path(tempfile.mkdtemp(prefix="capsule-dev-"))
        # Removed at close(), or when forgotten, or at exit at the latest.
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.root, ignore_errors=True)
        self._count = 0
        # relative path -> (size, mtime_ns) of the source and the snapshot file copied from it
        self._previous: dict[Path, tuple[tuple[int, int], Path]] = {}
        self._previous_at = 0
        self._lock = threading.Lock()

    def take(self) -> Path:
        """A new snapshot of the folder as it is now."""
        with self._lock:
            self._count += 1
            target = self.root / f"v{self._count}"
            target.mkdir()
            taken_at = time.time_ns()
            trusted_before = self._previous_at - RACY_NS
            current: dict[Path, tuple[tuple[int, int], Path]] = {}
            for relative in source_files(self.source):
                original = self.source / relative
                try:
                    stat = original.stat()
                except FileNotFoundError:
                    continue  # deleted while we looked
                key = (stat.st_size, stat.st_mtime_ns)
                copy = target / relative
                copy.parent.mkdir(parents=True, exist_ok=True)
                previous = self._previous.get(relative)
                unchanged = previous is not None and previous[0] == key and stat.st_mtime_ns < trusted_before
                if not (unchanged and _link(previous[1], copy)):
                    try:
                        shutil.copyfile(original, copy)
                    except FileNotFoundError:
                        continue
                current[relative] = (key, copy)
            self._previous, self._previous_at = current, taken_at
            return target

    def discard(self, snapshot: Path) -> None:
        """Remove a snapshot no session uses (links into it stay valid elsewhere)."""
        if snapshot.parent == self.root:
            shutil.rmtree(snapshot, ignore_errors=True)

    def keep_only(self, keep: set[Path]) -> None:
        """Remove every snapshot not in `keep`."""
        with self._lock:
            for snapshot in self.root.iterdir():
                if snapshot not in keep:
                    shutil.rmtree(snapshot, ignore_errors=True)

    def close(self) -> None:
        self._cleanup()


def _link(existing: Path, new: Path) -> bool:
    try:
        os.link(existing, new)
        return True
    except OSError:  # gone, or a file system without hard links: copy instead
        return False
