"""The Python runtime as one host uses it (the shared part is `languages/shared.py`).

A program is its folder of source mounted read-only at /program beside the
guest's standard library at /stdlib; programs that declare the same set of
capabilities share one linker, and every program shares one compiled component.
"""

from __future__ import annotations

from pathlib import Path

from wasmtime.component import Component, Linker

from ...app import InstalledApp
from ...capabilities import Observer
from ...engine.limits import TurnLimits
from ...engine.imports import audit_imports
from ...session import Mount
from ..shared import Progress, SharedRuntime
from .bytecode import bytecode_mount
from .component import PROGRAM_MOUNT, RUNTIME_ID, STDLIB_MOUNT, RuntimeComponent, ensure_component
from .linker import build_runtime_linker


class PythonRuntime(SharedRuntime):
    """The shared Python runtime of one host. Thread-safe; prepared on first use."""

    id = RUNTIME_ID
    compiling_note = "compiling the Python runtime (once per machine, about 10 s)"
    cache_prefix = "python-runtime-"

    def ensure(self, progress: Progress) -> RuntimeComponent:
        return ensure_component(self.home, progress=progress)

    def build_linker(self, component: Component, declared: set[str], observers: list[Observer]) -> Linker:
        return build_runtime_linker(self.engine.wasmtime, component, declared, self.capabilities, observers)

    def platform_imports(self, imports: list[str]) -> list[str]:
        return audit_imports(imports, set()).platform

    def mounts(self, program_dir: Path) -> tuple[Mount, ...]:
        built = self.built
        assert isinstance(built, RuntimeComponent)
        return (Mount(str(program_dir), PROGRAM_MOUNT), Mount(str(built.stdlib), STDLIB_MOUNT))

    def ahead_of_time(self, app: InstalledApp) -> tuple[Mount, ...]:
        built = self.built
        assert isinstance(built, RuntimeComponent)
        mount = bytecode_mount(self.engine, self.home, built.key, app, TurnLimits())
        return () if mount is None else (mount,)
