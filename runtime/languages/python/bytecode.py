"""An installed program's bytecode, compiled once per version so its sessions never compile.

Compiling source is the largest thing a session's load writes to memory:
CPython's parser and compiler fill free slots all over the snapshot's heap,
and each page they touch becomes the session's own copy (about 3 MB for the
coffee shop). Unmarshalling the same module from bytecode touches a tenth of
that. So when a host makes a program version launchable, the runtime itself
compiles the program's modules, in a throwaway session that runs none of the
program's code, into

    CAPSULE_HOME/cache/bytecode/python/<runtime key>/<package digest>/

which every later session of that version mounts read-only at BYTECODE_MOUNT.
The folder is keyed by what it was made from (the runtime and the package's
digest), so the unchecked bytecode in it can never be older than its source.
It is a per-host cache: any host can make it again from the package.

Developer mode gets none (its folder changes under it): modules compile from
source there, as they would anywhere when this step fails.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import CapsuleError
from ...home import Home, one_builder
from ...session import Mount
from .component import BYTECODE_MOUNT, COMPILE_SCENE
from .probe import run_scene

if TYPE_CHECKING:
    from ...app import InstalledApp
    from ...engine.engine import Engine
    from ...engine.limits import TurnLimits

_log = logging.getLogger(__name__)

#: The user of the session that compiles; it can call no capability.
COMPILER_USER = "capsule-compiler"


def bytecode_root(home: Home, runtime_key: str) -> Path:
    return home.root / "cache" / "bytecode" / "python" / runtime_key


def bytecode_mount(engine: "Engine", home: Home, runtime_key: str, app: "InstalledApp", limits: "TurnLimits") -> Mount | None:
    """The read-only mount of `app`'s bytecode, compiled now if this host has none; None if it cannot be."""
    target = bytecode_root(home, runtime_key) / app.digest.removeprefix("sha256:")
    if not target.is_dir():
        with one_builder(target):
            if not target.is_dir():
                try:
                    _compile(engine, app, target, limits)
                except CapsuleError as error:
                    # Not the program's failure to report here: its launch compiles from
                    # source and meets the same problem where the developer can see it.
                    # The reason may quote the program (a file name): repr keeps it one literal line.
                    _log.info("%s %s: no bytecode ahead of its sessions (%r)", app.id, app.version, str(error)[:500])
                    return None
                _prune(target.parent.parent, keep=runtime_key)
    return Mount(str(target), BYTECODE_MOUNT)


def _compile(engine: "Engine", app: "InstalledApp", target: Path, limits: "TurnLimits") -> None:
    """Fill a scratch folder from a session in COMPILE_SCENE, then rename it into place whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    try:
        writable = Mount(str(work), BYTECODE_MOUNT, writable=True)
        run_scene(engine, app, COMPILE_SCENE, user=COMPILER_USER, limits=limits, mounts=(*app.mounts, writable))
        os.replace(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _prune(root: Path, *, keep: str) -> None:
    """Remove the bytecode of earlier runtimes: no session of this host reads it any more."""
    for entry in root.iterdir():
        if entry.is_dir() and entry.name != keep:
            shutil.rmtree(entry, ignore_errors=True)

