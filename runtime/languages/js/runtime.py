"""The JS runtime as one host uses it (the shared part is `languages/shared.py`).

A program is its folder of files, served to its sessions by the host
(`program-source`, see `linker.py`) rather than mounted: StarlingMonkey gives
JavaScript no file API. Every JS program shares one compiled component.
"""

from __future__ import annotations

from wasmtime.component import Component, Linker

from ...capabilities import Observer
from ...engine.imports import WASI_PROVIDED
from ..shared import Progress, SharedRuntime
from .component import RUNTIME_ID, RuntimeComponent, ensure_component
from .linker import build_js_linker


class JsRuntime(SharedRuntime):
    """The shared JavaScript runtime of one host. Thread-safe; prepared on first use."""

    id = RUNTIME_ID
    compiling_note = "compiling the JS runtime (once per machine, about a minute)"
    cache_prefix = "js-runtime-"

    def ensure(self, progress: Progress) -> RuntimeComponent:
        return ensure_component(self.home, progress=progress)

    def build_linker(self, component: Component, declared: set[str], observers: list[Observer]) -> Linker:
        return build_js_linker(self.engine.wasmtime, component, declared, self.capabilities, observers)

    def platform_imports(self, imports: list[str]) -> list[str]:
        # audit_imports would refuse the runtime-only program-source interface.
        return [name for name in imports if name.partition("@")[0] in WASI_PROVIDED]
