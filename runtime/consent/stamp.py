"""A change signal for grants that costs one `stat` to check.

Grants are cached in memory so the consent check on every call stays in
microseconds. Every write replaces a small stamp file beside the SQLite
database (a new inode, new size and time each time); a reader that sees the
stamp change drops its cache. So a revocation made by another process on the
same machine (`capsule privacy revoke`) is seen on the very next call.

PostgreSQL deployments span machines, where a file cannot carry the signal:
there the store reads every grant from the database (see `ConsentStore`).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


class Stamp:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int, int, int] | None = self._read()

    def _read(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def changed(self) -> bool:
        """True once after every change since the last call."""
        now = self._read()
        if now != self._seen:
            self._seen = now
            return True
        return False

    def touch(self) -> None:
        """Signal a change to every reader (this process included)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".consent-stamp-")
        with os.fdopen(fd, "w") as f:
            # A random length as well: two changes within one clock tick still differ in size.
            f.write(secrets.token_hex(1 + secrets.randbelow(32)))
        os.replace(tmp, self.path)
