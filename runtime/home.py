"""Where Capsule keeps its state: keys, compile caches, databases.

Everything lives under one directory, `CAPSULE_HOME` (default `~/.capsule`), so a
test, a CI run or a second host can have its own by setting one variable.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def resolve(cls, root: str | os.PathLike[str] | None = None) -> "Home":
        """The explicit root, else `$CAPSULE_HOME`, else `~/.capsule`."""
        if root is None:
            root = os.environ.get("CAPSULE_HOME") or Path.home() / ".capsule"
        return cls(Path(root).expanduser().resolve())

    def _dir(self, *parts: str) -> Path:
        path = self.root.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def keys(self) -> Path:
        """Developer signing keys (`capsule keygen`)."""
        return self._dir("keys")

    @property
    def compile_cache(self) -> Path:
        """Compiled components, one file per package digest and engine build."""
        return self._dir("cache", "compiled")

    @property
    def build_cache(self) -> Path:
        """Intermediate build output of `capsule build`."""
        return self._dir("cache", "build")

    @property
    def packages(self) -> Path:
        """Installed packages, unpacked and verified, one directory per digest."""
        return self._dir("packages")

    @property
    def data(self) -> Path:
        """Databases of the embedded default providers."""
        return self._dir("data")

    def sharing_caches(self, root: str | os.PathLike[str]) -> "Home":
        """A new, empty home at `root` that reuses this home's build, compile,
        language runtime and toolchain caches (links), so nothing is built twice.

        For tests and benchmarks that need their own databases, keys and
        registry but not another few minutes of componentize-py.
        """
        target = Path(root)
        (target / "cache").mkdir(parents=True, exist_ok=True)
        for name in ("build", "compiled", "runtime", "toolchain"):
            shared = self._dir("cache", name)
            link = target / "cache" / name
            if not link.exists():
                link.symlink_to(shared, target_is_directory=True)
        return Home.resolve(target)


@contextmanager
def one_builder(target: Path, *, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the build of `target` for this process alone (an advisory file lock beside it).

    Cached builds are already renamed into place whole, so a second process
    building the same thing at once stays correct; the lock spares it minutes of
    duplicate componentize work (two hosts starting together, parallel tests).
    The caller checks again for `target` once inside. `waiting` is called once
    if another process holds the lock.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
