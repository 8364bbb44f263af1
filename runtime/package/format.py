"""What a package may contain: the member names and the rules they follow.

Shared by the writer and the loader, so `pack` can never produce a package
that `open_package` refuses for its names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import PackageError

#: Names the format; also the domain-separation prefix of the signed message.
FORMAT = "capsule-package-v1"
EXTENSION = ".capsule"

MANIFEST = "manifest.json"
COMPONENT = "program.wasm"
SIGNATURE = "signature.json"
#: In a source package: which kind it is and the runtime it needs (written by `capsule build`).
RUNTIME = "runtime.json"
#: Where a Python program starts.
PYTHON_ENTRY = "app.py"
#: Where a JavaScript program starts.
JS_ENTRY = "app.js"
ASSETS = "assets/"

#: A package of kind `component` carries its own WebAssembly component; a
#: package of kind `python` carries source and runs on the host's shared
#: Python runtime. A package with a runtime.json is a source package.
COMPONENT_KIND = "component"
PYTHON_KIND = "python"
JS_KIND = "js"
#: Any package with a runtime.json, before its kind is read from it.
SOURCE_KIND = "source"
REQUIRED = {
    COMPONENT_KIND: (MANIFEST, COMPONENT, SIGNATURE),
    SOURCE_KIND: (MANIFEST, RUNTIME, SIGNATURE),
}
#: The file each source kind starts from (checked once runtime.json names the kind).
ENTRIES = {PYTHON_KIND: PYTHON_ENTRY, JS_KIND: JS_ENTRY}
#: Files a source package may not carry: native code the runtime cannot load,
#: and bytecode, which could say something other than the source a reviewer read.
NATIVE_SUFFIXES = (".so", ".pyd", ".dylib", ".dll", ".a", ".o")
BYTECODE_SUFFIXES = (".pyc", ".pyo")

_DRIVE = re.compile(r"^[A-Za-z]:")
# NUL and newline would make digest lines ambiguous; no control character has
# a legitimate place in a file name.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_name(name: str, max_length: int) -> None:
    """Refuse a member name that is not a plain relative POSIX path.

    `name` is the name as stored (a directory entry without its trailing `/`).
    """
    if _CONTROL.search(name):
        raise PackageError(
            f"member {name!r} has a control character in its name; rename the file",
            code="bad-path",
        )
    if len(name.encode("utf-8", "surrogatepass")) > max_length:
        raise PackageError(
            f"member name {name[:60]!r}... is longer than {max_length} bytes; use a shorter path",
            code="path-too-long",
        )
    if name.startswith("/") or "\\" in name or _DRIVE.match(name):
        raise PackageError(
            f"member {name!r} has an absolute or Windows-style path; members must be relative POSIX paths "
            "like 'assets/logo.png' (rebuild the package with `capsule build`)",
            code="absolute-path",
        )
    if any(part in ("", ".", "..") for part in name.split("/")):
        raise PackageError(
            f"member {name!r} has an empty, '.' or '..' path segment; members must stay inside the package "
            "(rebuild the package with `capsule build`)",
            code="path-traversal",
        )


def package_kind(names: Iterable[str]) -> str:
    """The kind of a package with these member names."""
    return SOURCE_KIND if RUNTIME in names else COMPONENT_KIND


def check_member(name: str, kind: str) -> None:
    """Refuse a member that a package of `kind` may not hold, saying why."""
    if kind == COMPONENT_KIND:
        if name in REQUIRED[COMPONENT_KIND] or (name.startswith(ASSETS) and len(name) > len(ASSETS)):
            return
        raise PackageError(
            f"member {name!r} is not part of a component package (manifest.json, program.wasm, "
            "signature.json, assets/...); move it under assets/ or leave it out",
            code="unexpected-member",
        )
    base = name.rsplit("/", 1)[-1].lower()
    if name == COMPONENT:
        raise PackageError(
            f"a source package cannot also carry {COMPONENT}; build either a source package (`python`, `js`) "
            "or a `component` package",
            code="unexpected-member",
        )
    if base.endswith(BYTECODE_SUFFIXES) or "__pycache__" in name.split("/"):
        raise PackageError(
            f"{name!r} is compiled bytecode; a package carries source only (the runtime compiles it, and "
            "reviewers read it): rebuild with `capsule build`, which leaves bytecode out",
            code="bytecode",
        )
    if base.endswith(NATIVE_SUFFIXES) or ".cpython-" in base or ".abi3." in base:
        raise PackageError(
            f"{name!r} is a native extension module; Python programs run on Capsule's WebAssembly runtime, "
            "which loads pure Python only: vendor a pure-Python alternative under lib/ or drop it",
            code="native-code",
        )
