"""Package names imported on first use (PEP 562), so importing one module of a package is cheap.

A package's `__init__` that imported everything it exports made every import
of any module inside it load the whole package: the CLI paid for wasmtime
and the database layer to print help, and a capability's permission model
could not be imported without the manifest loader that imports it back.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Callable


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: `exports` maps a public name to the relative module defining it."""
    namespace = import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module, package), name)
        namespace[name] = value
        return value

    return __getattr__


def exported_by(module: str, *names: str) -> dict[str, str]:
    """`{name: module}` for each name: one line per module in an exports table."""
    return dict.fromkeys(names, module)
