"""The JS runtime as one host uses it: compiled once, a linker per declared set.

    runtime = JsRuntime(host.engine, host.home, host.capabilities, host.observers)
    app = runtime.app(manifest, digest, key_id, program_dir)   # nothing compiles
    host.launch(app.id, user="alice")

A program is its folder of files, served to its sessions by the host
(`program-source`); which capabilities answer is decided by the manifest
(`linker.py`). Every JS program shares one compiled component.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from wasmtime.component import Component, Linker

from ...app import InstalledApp
from ...capabilities import Capability, Observer
from ...engine.imports import ALWAYS_AVAILABLE, ImportAudit, WASI_PROVIDED, component_imports
from ...home import Home
from ...manifest import Manifest
from ...session import LogListener
from .component import LOAD_SCENE, RUNTIME_ID, Progress, RuntimeComponent, ensure_component
from .linker import build_js_linker

if TYPE_CHECKING:
    from ...engine.engine import Engine


class JsRuntime:
    """The shared JavaScript runtime of one host. Thread-safe; prepared on first use."""

    id = RUNTIME_ID

    def __init__(self, engine: "Engine", home: Home, capabilities: dict[str, Capability], observers: list[Observer]) -> None:
        self.engine = engine
        self.home = home
        self.capabilities = capabilities
        self.observers = observers
        self._lock = threading.Lock()
        self._built: RuntimeComponent | None = None
        self._component: Component | None = None
        self._platform: list[str] = []
        self._linkers: dict[tuple[frozenset[str], int], tuple[list[Observer], Linker]] = {}

    def prepare(self, progress: Progress | None = None) -> Component:
        """Build (once per machine) and compile (once per engine build) the runtime; then it is instant."""
        with self._lock:
            if self._component is None:
                say = progress or (lambda message: None)
                built = ensure_component(self.home, progress=say)
                if not self.engine.cache.has(built.digest):
                    say("compiling the JS runtime (once per machine, about a minute)")
                component = self.engine.component(built.digest, wasm_path=built.wasm)
                self.engine.cache.prune("js-runtime-", keep=built.digest)
                imports = component_imports(self.engine.wasmtime, component)
                self._platform = [name for name in imports if name.partition("@")[0] in WASI_PROVIDED]
                self._built, self._component = built, component
            return self._component

    @property
    def component(self) -> Component:
        return self.prepare()

    def linker(self, declared: frozenset[str], observers: list[Observer] | None = None) -> Linker:
        """The linker for programs declaring `declared`: real capabilities there, not-declared elsewhere."""
        watchers = self.observers if observers is None else observers
        component = self.prepare()
        key = (declared, id(watchers))
        with self._lock:
            found = self._linkers.get(key)
            if found is None or found[0] is not watchers:  # an id can be reused once its list is gone
                linker = build_js_linker(self.engine.wasmtime, component, set(declared), self.capabilities, watchers)
                found = self._linkers[key] = (watchers, linker)
            return found[1]

    def audit(self, declared: frozenset[str]) -> ImportAudit:
        """What a program on this runtime can reach: the declared capabilities and locked-down WASI."""
        self.prepare()
        return ImportAudit(sorted(ALWAYS_AVAILABLE | declared), list(self._platform))

    def app(
        self,
        manifest: Manifest,
        digest: str,
        key_id: str,
        program_dir: Path,
        *,
        observers: list[Observer] | None = None,
        on_log: LogListener | None = None,
    ) -> InstalledApp:
        """A launchable program whose files are `program_dir`; compiles nothing."""
        declared = frozenset(manifest.declared_capabilities())
        app = InstalledApp(
            manifest,
            digest,
            key_id,
            self.component,
            self.audit(declared),
            program_dir,
            linker=self.linker(declared, observers),
            on_log=on_log,
            runtime=self.id,
            load_scene=LOAD_SCENE,
        )
        app.find_exports()
        return app
