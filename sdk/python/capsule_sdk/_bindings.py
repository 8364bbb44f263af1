"""Access to the generated bindings, so program authors never touch them.

A program's world imports only what its manifest declares, so a capability's
module may be absent: calling it then raises NotDeclared.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from componentize_py_types import Err

from .errors import NotDeclared, from_wit



CAPABILITIES = ("types", "ui", "log", "storage", "payments", "profile", "location", "media", "qr", "network", "messages")


def _load() -> dict[str, Any]:
    # Runs while componentize-py snapshots the program: a component cannot
    # import modules later (it has no file system), so load every binding now.
    found = {}
    for name in CAPABILITIES:
        try:
            found[name] = importlib.import_module(f"wit_world.imports.{name}")
        except ModuleNotFoundError:
            pass
    return found


_INTERFACES = _load()


def interface(name: str) -> Any:
    module = _INTERFACES.get(name)
    if module is None:
        raise NotDeclared(
            f"this program does not declare the '{name}' capability; add it under "
            f"`permissions` in manifest.json (with a reason) and rebuild"
        )
    return module


def call(name: str, function: str, *args: Any) -> Any:
    """Call `function` of capability `name`, turning WIT errors into exceptions."""
    fn: Callable[..., Any] = getattr(interface(name), function)
    try:
        return fn(*args)
    except Err as err:
        raise from_wit(err.value) from None
