"""A language runtime built once per machine and Capsule version, shared by every process.

Each language keeps its runtime in `CAPSULE_HOME/cache/runtime/<language>/<key>/`,
where the key is a digest of everything the build reads: change any input and
the next launch builds anew; the folders of older keys are removed then.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable

from ..home import one_builder

#: Every runtime folder holds its component under this name.
WASM_NAME = "runtime.wasm"


def digest_files(h: "hashlib._Hash", files: Iterable[tuple[Path, Path]]) -> None:
    """Feed each `(root, path)` to `h`: the path relative to its root's name, then the file's digest."""
    for root, path in files:
        h.update(f"{root.name}/{path.relative_to(root).as_posix()}\0".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())


def built_once(
    root: Path, key: str, *, name: str, how: str, build: Callable[[Path], None], say: Callable[[str], None]
) -> Path:
    """The folder `root/key`, made by `build(work)` if it does not exist yet.

    `build` fills a scratch folder beside the target, which is then renamed
    into place whole: a build cut short never leaves half a runtime, and of
    two processes the second waits for the first (`one_builder`) and uses its
    result. Progress names it: `name` ("the JS runtime") and `how` ("with
    componentize-js, about a minute").
    """
    target = root / key
    if (target / WASM_NAME).exists():
        return target
    with one_builder(target, waiting=lambda: say(f"waiting for another process building {name}")):
        if (target / WASM_NAME).exists():
            return target
        say(f"building {name} {how} (once per Capsule version)")
        started = time.monotonic()
        root.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=root, prefix=f".{key}-"))
        try:
            build(work)
            os.replace(work, target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        say(f"built {name} in {time.monotonic() - started:.1f} s")
        for entry in root.iterdir():  # earlier Capsule versions' runtimes: nothing launches them any more
            if entry.is_dir() and entry.name != key and not entry.name.startswith("."):
                shutil.rmtree(entry, ignore_errors=True)
    return target
