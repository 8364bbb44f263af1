"""The developer component: one prebuilt component that runs any program folder.

Building a program with componentize-py and compiling the result takes about
15 s, far too long between an edit and a page. Developer mode builds this one
component once per Capsule version instead: its world imports every
capability interface, it carries the guest SDK and a broad set of the
standard library, and at its first export call it loads the program's source
from a read-only mount (see `guest/capsule_dev_main.py`). It is cached under
`CAPSULE_HOME/cache/dev/<key>/`, keyed by everything that goes into it, and
compiled once through the host's compile cache like any package.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Callable

from ..engine.imports import DECLARABLE
from ..errors import BuildError
from ..home import Home

#: Where a session sees the program folder (read-only).
PROGRAM_MOUNT = "/program"
#: Where a session sees the guest's own standard library (read-only).
STDLIB_MOUNT = "/stdlib"
#: The scene of a launch that only loads the program (see `DevProgram.reload`).
PROBE_SCENE = "capsule-dev-probe"
#: Marks the folder the build-time guest copies its standard library into.
STDLIB_OUT_MARKER = ".capsule-dev-stdlib-out"

GUEST_DIR = Path(__file__).resolve().parent / "guest"
ENTRY_MODULE = "capsule_dev_main"
WASM_NAME = "developer.wasm"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DeveloperComponent:
    """A built developer component on disk."""

    key: str
    wasm: Path
    #: The guest's standard library, mounted at STDLIB_MOUNT; None when the
    #: build could not export it (then only the preloaded modules exist).
    stdlib: Path | None

    @property
    def digest(self) -> str:
        """The compile cache's key for it."""
        return f"dev-{self.key}"


def _world() -> str:
    from capsule.sdk.toolchain.world import world_source

    return world_source(set(DECLARABLE))


def component_key() -> str:
    """A digest of everything the component is built from: rebuilt when any of it changes."""
    from capsule.sdk import PYTHON_SDK_DIR, WIT_DIR

    h = hashlib.sha256()
    for dist in ("componentize-py", "wasmtime"):
        h.update(f"{dist} {dist_version(dist)}\n".encode())
    h.update(_world().encode())
    roots = [
        (PYTHON_SDK_DIR, sorted(PYTHON_SDK_DIR.rglob("*.py"))),
        (WIT_DIR, sorted(WIT_DIR.glob("*.wit"))),
        (GUEST_DIR, sorted(GUEST_DIR.glob("*.py"))),
    ]
    for root, files in roots:
        for path in files:
            h.update(f"{root.name}/{path.relative_to(root).as_posix()}\0".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:32]


def ensure_component(home: Home, *, progress: Progress | None = None) -> DeveloperComponent:
    """The developer component for this Capsule version, built on first use (~15 s)."""
    say = progress or (lambda message: None)
    key = component_key()
    root = home.root / "cache" / "dev"
    target = root / key
    if not (target / WASM_NAME).exists():
        say("building the developer component with componentize-py (once per Capsule version, about 15 s)")
        started = time.monotonic()
        _build(root, target, key)
        say(f"developer component built in {time.monotonic() - started:.1f} s")
    stdlib = target / "stdlib"
    return DeveloperComponent(key, target / WASM_NAME, stdlib if stdlib.is_dir() else None)


def _build(root: Path, target: Path, key: str) -> None:
    from capsule.sdk import PYTHON_SDK_DIR, WIT_DIR
    from capsule.sdk.toolchain.python import _explain, componentize_py
    from capsule.sdk.toolchain.world import WORLD_NAME

    root.mkdir(parents=True, exist_ok=True)
    # Built beside the target and renamed into place: a second process building
    # at the same moment, or a build cut short, never leaves a half component.
    work = Path(tempfile.mkdtemp(dir=root, prefix=f".{key}-"))
    try:
        wit = work / "wit"
        wit.mkdir()
        for source in WIT_DIR.glob("*.wit"):
            shutil.copyfile(source, wit / source.name)
        (wit / "developer-world.wit").write_text(_world())
        entry = work / "entry"
        entry.mkdir()
        shutil.copyfile(GUEST_DIR / f"{ENTRY_MODULE}.py", entry / f"{ENTRY_MODULE}.py")
        stdlib_out = work / "stdlib-out"
        stdlib_out.mkdir()
        (stdlib_out / STDLIB_OUT_MARKER).touch()
        command = [
            componentize_py(),
            "-d", str(wit),
            "-w", WORLD_NAME,
            "componentize", ENTRY_MODULE,
            "-p", str(entry),
            "-p", str(PYTHON_SDK_DIR),
            "-p", str(stdlib_out),
            "-o", str(work / WASM_NAME),
        ]  # fmt: skip
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=work)
        if result.returncode != 0:
            detail = _explain(result.stderr or result.stdout, GUEST_DIR)
            raise BuildError(f"the developer component did not build (a Capsule problem, not your program's): {detail}")
        if (stdlib_out / "stdlib").is_dir():
            os.replace(stdlib_out / "stdlib", work / "stdlib")
        shutil.rmtree(stdlib_out)
        shutil.rmtree(entry)
        (work / "component.json").write_text(
            json.dumps(
                {
                    "key": key,
                    "componentize-py": dist_version("componentize-py"),
                    "wasmtime": dist_version("wasmtime"),
                    "built_at": time.time(),
                },
                indent=2,
            )
        )
        try:
            os.replace(work, target)
        except OSError:
            if not (target / WASM_NAME).exists():  # not a concurrent build that won: a real failure
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
