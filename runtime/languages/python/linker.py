"""The Python runtime's linker: the manifest decides, not the imports.

The runtime imports every capability interface, so its imports say nothing
about the program it runs. The linker therefore follows manifest.json: a
declared capability gets the host's real implementation, with consent,
limits and audit; an undeclared one answers every call with the shared
`not-declared` error, which the guest SDK raises as `NotDeclared`. A program
reaching past the SDK into the raw bindings meets the same answer: the host
side is what refuses.
"""

from __future__ import annotations

from typing import Any, Mapping

import wasmtime
from wasmtime.component import Component, FuncType, Linker

from ...app import build_linker, host_capability
from ...capabilities import Capability, NotDeclared, Observer
from ...capabilities.base import CallContext, HostFunction
from ...engine.imports import ALWAYS_AVAILABLE, DECLARABLE, interface_name


class Undeclared(Capability):
    """A capability the manifest does not declare: every call is `not-declared`."""

    def __init__(self, name: str, function_names: list[str]) -> None:
        self.name = name  # type: ignore[misc]
        self._names = function_names

    def functions(self) -> Mapping[str, HostFunction]:
        def not_declared(ctx: CallContext, *args: Any) -> Any:
            raise NotDeclared(
                f"this program does not declare the '{ctx.capability}' capability; add it under "
                "`permissions` in manifest.json (with a reason) and build again (`capsule dev` applies it "
                "on the next reload)"
            )

        return {name: not_declared for name in self._names}


def build_runtime_linker(
    engine: wasmtime.Engine,
    component: Component,
    declared: set[str],
    capabilities: dict[str, Capability],
    observers: list[Observer],
) -> Linker:
    """Locked-down WASI plus every capability interface, real only where declared."""
    real = host_capability(capabilities)

    def capability_for(name: str, functions: list[str]) -> Capability:
        if name in ALWAYS_AVAILABLE or name in declared:
            return real(name, functions)
        return Undeclared(name, functions)

    return build_linker(engine, component, sorted(ALWAYS_AVAILABLE | DECLARABLE), observers, capability_for)


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
