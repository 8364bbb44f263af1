"""The JS runtime's linker: the manifest decides, and the host serves the program's files.

As for Python, every capability interface is linked and the manifest decides
which answer (`languages/shared.py`).

`program-source.read` hands the runtime the files of the calling session's
own package, nothing else: the path is checked, resolved inside the
package's folder, must be a regular file there, and is bounded in size.
"""

from __future__ import annotations

import os
from pathlib import Path

import wasmtime
from wasmtime.component import Component, Linker

from ...capabilities import Capability, Observer
from ...engine.imports import CONTRACT_PACKAGE, CONTRACT_VERSION
from ...engine.turn import current_turn
from ...errors import LimitExceeded
from ..shared import manifest_linker
from .component import MODULE_LIST, SOURCE_INTERFACE

#: The largest program file the runtime may read (a module, JSON data).
MAX_SOURCE_BYTES = 2 * 1024 * 1024
#: File names the program may not read through the loader (they are the host's).
HIDDEN = frozenset({"signature.json"})


def capability_imports(engine: wasmtime.Engine, component: Component) -> list[str]:
    """The Capsule capability interfaces the runtime imports, by short name."""
    names = []
    prefix = f"{CONTRACT_PACKAGE}/"
    for name in component.type.imports(engine):
        base, _, version = name.partition("@")
        if base.startswith(prefix) and version == CONTRACT_VERSION:
            short = base[len(prefix):]
            if short != SOURCE_INTERFACE:
                names.append(short)
    return sorted(names)


def build_js_linker(
    engine: wasmtime.Engine,
    component: Component,
    declared: set[str],
    capabilities: dict[str, Capability],
    observers: list[Observer],
) -> Linker:
    """Locked-down WASI, every capability interface (real only where declared), and the program's files."""
    interfaces = capability_imports(engine, component)
    linker = manifest_linker(engine, component, interfaces, declared, capabilities, observers)
    with linker.root() as root:
        with root.add_instance(f"{CONTRACT_PACKAGE}/{SOURCE_INTERFACE}@{CONTRACT_VERSION}") as instance:
            instance.add_func("read", _read)
    return linker


def _read(_store: object, path: str) -> str | None:
    folder = current_turn().session.app.path
    if path == MODULE_LIST:
        return "\n".join(program_modules(folder))
    return read_program_file(folder, path)


def read_program_file(folder: Path, path: str) -> str | None:
    """The text of `path` inside `folder`, or None: never anything outside it."""
    if not isinstance(path, str) or not path or len(path) > 512 or path in HIDDEN:
        return None
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or "\0" in path or any(p in ("", ".", "..") for p in parts):
        return None
    root = folder.resolve()
    target = root.joinpath(*parts)
    try:
        if target.is_symlink() or not target.is_file() or not target.resolve().is_relative_to(root):
            return None
        if target.stat().st_size > MAX_SOURCE_BYTES:
            raise LimitExceeded("program-file", f"{path} is larger than {MAX_SOURCE_BYTES // 1024} KiB; split it: a program file must be smaller")
        return target.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


def program_modules(folder: Path) -> list[str]:
    """The program's JavaScript modules (what a build check compiles), sorted."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in ("node_modules", "tests", "dist") and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".js"):
                out.append(Path(dirpath, name).relative_to(folder).as_posix())
    return sorted(out)
