"""Language runtimes: one shared component per language that programs of that kind run on.

A package names the runtime it needs (`runtime.json`); a host that does not
have that runtime refuses the package by name (`runtime_for`). Packages of
kind `component` bring their own component and need none.
"""

from __future__ import annotations

from ..errors import PackageError
from .js.component import RUNTIME_ID as JS_RUNTIME_ID
from .python import RUNTIME_ID as PYTHON_RUNTIME_ID

#: Runtime ids this Capsule provides, by package kind.
RUNTIMES = {"python": PYTHON_RUNTIME_ID, "js": JS_RUNTIME_ID}


def check_runtime(kind: str, runtime: str) -> None:
    """Refuse a package whose runtime this host does not have, naming it."""
    have = RUNTIMES.get(kind)
    if have is None:
        known = ", ".join(sorted(["component", *RUNTIMES]))
        raise PackageError(
            f"the package is of kind {kind!r}, which this host cannot run (it runs: {known}); "
            "update the host's Capsule or rebuild the program as one of those kinds",
            code="unknown-kind",
        )
    if runtime != have:
        raise PackageError(
            f"the package needs the runtime {runtime!r}, and this host has {have!r}; "
            "rebuild the program with this Capsule (`capsule build`) or update the host",
            code="unknown-runtime",
        )
