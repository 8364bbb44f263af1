"""The Python runtime component: built once per machine and Capsule version.

Every Python program (kind `python`) runs on this one component. Its world
imports every capability interface, it carries the guest SDK and a broad set
of the standard library preloaded into its snapshot, and at its first export
call it loads the program's source from a read-only mount (see
`guest/capsule_runtime_main.py`). The guest's whole standard library is
exported beside it and mounted read-only, so any standard import works.

Built with componentize-py into `CAPSULE_HOME/cache/runtime/python/<key>/`,
keyed by everything that goes into it, and compiled once through the host's
compile cache like any component.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from importlib.metadata import version as dist_version
from pathlib import Path

from ...engine.imports import DECLARABLE
from ...errors import BuildError
from ...home import Home
from ..built import WASM_NAME, built_once, digest_files
from ..shared import CHECK_SCENE, LOAD_SCENE, Progress

#: The runtime a `python` package names in its runtime.json. Bumped only when
#: a package built for the old runtime would no longer run on the new one.
RUNTIME_ID = "capsule-python-1"

#: Where a session sees its program's files (read-only).
PROGRAM_MOUNT = "/program"
#: Where a session sees the guest's standard library (read-only).
STDLIB_MOUNT = "/stdlib"
#: Where a session of an installed program sees its compiled modules (read-only; `bytecode`).
BYTECODE_MOUNT = "/bytecode"
#: The scene of the one launch per installed version that compiles its modules into BYTECODE_MOUNT.
COMPILE_SCENE = "capsule-compile"
#: Marks the folder the build-time guest copies its standard library into.
STDLIB_OUT_MARKER = ".capsule-stdlib-out"

GUEST_DIR = Path(__file__).resolve().parent / "guest"
ENTRY_MODULE = "capsule_runtime_main"

@dataclass(frozen=True)
class RuntimeComponent:
    """The built Python runtime on disk."""

    key: str
    wasm: Path
    #: The guest's standard library, mounted at STDLIB_MOUNT.
    stdlib: Path

    @property
    def digest(self) -> str:
        """The compile cache's key for it."""
        return f"python-runtime-{self.key}"


def _world() -> str:
    from capsule.sdk.toolchain.world import world_source

    return world_source(set(DECLARABLE))


@functools.cache
def component_key() -> str:
    """A digest of everything the runtime is built from: rebuilt when any of it changes."""
    from capsule.sdk import PYTHON_SDK_DIR, WIT_DIR

    h = hashlib.sha256()
    for dist in ("componentize-py", "wasmtime", "tzdata"):
        h.update(f"{dist} {dist_version(dist)}\n".encode())
    h.update(_world().encode())
    digest_files(
        h,
        [(PYTHON_SDK_DIR, p) for p in sorted(PYTHON_SDK_DIR.rglob("*.py"))]
        + [(WIT_DIR, p) for p in sorted(WIT_DIR.glob("*.wit"))]
        + [(GUEST_DIR, p) for p in sorted(GUEST_DIR.glob("*.py"))],
    )
    return h.hexdigest()[:32]


def runtime_root(home: Home) -> Path:
    return home.root / "cache" / "runtime" / "python"


def ensure_component(home: Home, *, progress: Progress | None = None) -> RuntimeComponent:
    """The Python runtime for this Capsule version, built on first use (~12 s)."""
    key = component_key()
    target = built_once(
        runtime_root(home), key, name="the Python runtime", how="with componentize-py, about 12 s",
        build=_build, say=progress or (lambda message: None),
    )  # fmt: skip
    return RuntimeComponent(key, target / WASM_NAME, target / "stdlib")


def _add_time_zones(stdlib: Path) -> None:
    """Put the IANA time zone database beside the standard library.

    A WebAssembly guest has no /usr/share/zoneinfo, so `zoneinfo` finds its
    zones through the `tzdata` package, as on Windows: pure data, importable
    from the mounted standard library.
    """
    import tzdata

    source = Path(tzdata.__file__).parent
    shutil.copytree(source, stdlib / "tzdata", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def _build(work: Path) -> None:
    from capsule.sdk import PYTHON_SDK_DIR, WIT_DIR
    from capsule.sdk.toolchain.python import _explain, componentize_py
    from capsule.sdk.toolchain.world import WORLD_NAME

    wit = work / "wit"
    wit.mkdir()
    for source in WIT_DIR.glob("*.wit"):
        shutil.copyfile(source, wit / source.name)
    (wit / "runtime-world.wit").write_text(_world())
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
        raise BuildError(f"the Python runtime did not build (a Capsule problem, not your program's): {detail}")
    if not (stdlib_out / "stdlib").is_dir():
        raise BuildError("the Python runtime built without its standard library (a Capsule problem); report it")
    os.replace(stdlib_out / "stdlib", work / "stdlib")
    _add_time_zones(work / "stdlib")
    shutil.rmtree(stdlib_out)
    shutil.rmtree(entry)
    (work / "component.json").write_text(
        json.dumps(
            {
                "runtime": RUNTIME_ID,
                "key": component_key(),
                "componentize-py": dist_version("componentize-py"),
                "wasmtime": dist_version("wasmtime"),
                "built_at": time.time(),
            },
            indent=2,
        )
    )
