"""The Python runtime's linker: the manifest decides, not the imports.

Every capability interface is linked; `languages/shared.py` says why the
manifest, not the imports, decides which ones answer.
"""

from __future__ import annotations

import wasmtime
from wasmtime.component import Component, FuncType, Linker

from ...capabilities import Capability, Observer
from ...engine.imports import ALWAYS_AVAILABLE, DECLARABLE, interface_name
from ..shared import manifest_linker


def build_runtime_linker(
    engine: wasmtime.Engine,
    component: Component,
    declared: set[str],
    capabilities: dict[str, Capability],
    observers: list[Observer],
) -> Linker:
    """Locked-down WASI plus every capability interface, real only where declared."""
    interfaces = sorted(ALWAYS_AVAILABLE | DECLARABLE)
    return manifest_linker(engine, component, interfaces, declared, capabilities, observers)


def parameter_names(engine: wasmtime.Engine, component: Component) -> dict[str, tuple[str, ...]]:
    """"storage.set" -> ("key", "value") for every imported capability function."""
    names: dict[str, tuple[str, ...]] = {}
    imports = component.type.imports(engine)
    for capability in sorted(ALWAYS_AVAILABLE | DECLARABLE):
        item = imports.get(interface_name(capability))
        if item is None:
            continue
        for function, export in item.ty.exports(engine).items():
            ty = getattr(export, "ty", export)
            if isinstance(ty, FuncType):
                names[f"{capability}.{function}"] = tuple(name for name, _ in ty.params)
    return names
