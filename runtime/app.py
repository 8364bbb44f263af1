"""An installed program: its verified package, compiled component and linker."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import wasmtime
from wasmtime.component import Component, ExportIndex, Linker

from .capabilities import Capability, NotYetAvailable, Observer
from .capabilities.binding import bind, error_shapes
from .engine.imports import ImportAudit, interface_name
from .manifest import Manifest
from .session import LogListener, Mount

LIFECYCLE = interface_name("lifecycle")
EVENTS = interface_name("events")


@dataclass
class InstalledApp:
    """Everything needed to start sessions of one program version."""

    manifest: Manifest
    digest: str
    key_id: str
    component: Component
    audit: ImportAudit
    path: Path
    linker: Linker = field(repr=False, default=None)  # type: ignore[assignment]
    exports: dict[str, ExportIndex] = field(repr=False, default_factory=dict)
    #: Directories its sessions may read: a source program's own files and its
    #: runtime's standard library; none for a `component` package.
    mounts: tuple[Mount, ...] = ()
    #: Told about every log line of its sessions (developer mode's log panel).
    on_log: LogListener | None = field(repr=False, default=None)
    #: The shared runtime it runs on (`capsule-python-1`); None for a `component` package.
    runtime: str | None = None
    #: The scene of an `on-launch` that only loads the program (a shared runtime's), so
    #: sessions can be prepared before their launch; None when there is nothing to load.
    load_scene: str | None = None

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def version(self) -> str:
        return str(self.manifest.version)

    @property
    def name(self) -> str:
        return self.manifest.localized("name")

    def prepare(self, engine: wasmtime.Engine, capabilities: dict[str, Capability], observers: list[Observer]) -> None:
        """Build the linker (declared interfaces only) and find the exports once."""
        self.linker = build_linker(engine, self.component, self.audit.capabilities, observers, host_capability(capabilities))
        self.find_exports()

    def find_exports(self) -> None:
        """Look up the lifecycle and event exports once, for every session."""
        for iface, funcs in ((LIFECYCLE, ("on-launch", "on-show", "on-hide", "on-unload")), (EVENTS, ("on-event",))):
            parent = self.component.get_export_index(iface)
            if parent is None:
                raise ValueError(f"the component does not export {iface}")
            for func in funcs:
                index = self.component.get_export_index(func, parent)
                if index is None:
                    raise ValueError(f"the component does not export {iface}#{func}")
                self.exports[func] = index


def build_linker(
    engine: wasmtime.Engine,
    component: Component,
    names: Iterable[str],
    observers: list[Observer],
    capability_for: Callable[[str, list[str]], Capability],
) -> Linker:
    """Locked-down WASI plus the capability interfaces `names`, each bound to
    `capability_for(name, its function names)`; nothing else is provided."""
    linker = Linker(engine)
    linker.add_wasip2()
    imports = component.type.imports(engine)
    with linker.root() as root:
        for name in names:
            iface = interface_name(name)
            shapes = error_shapes(imports[iface].ty, engine)
            with root.add_instance(iface) as instance:
                bind(instance, capability_for(name, list(shapes)), shapes, observers)
    return linker


def host_capability(capabilities: dict[str, Capability]) -> Callable[[str, list[str]], Capability]:
    """The host's implementation of a capability, or one answering "unavailable"."""
    return lambda name, functions: capabilities.get(name) or NotYetAvailable(name, functions)


def export_func(instance: Any, store: wasmtime.Store, index: ExportIndex):
    func = instance.get_func(store, index)
    if func is None:
        raise ValueError("export missing from the instance")
    return func
