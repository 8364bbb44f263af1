"""What every language runtime shares: one compiled component, a linker per declared set.

    runtime = PythonRuntime(host.engine, host.home, host.capabilities, host.observers)
    app = runtime.app(manifest, digest, key_id, program_dir)   # nothing compiles
    host.launch(app.id, user="alice")

A language runtime imports every capability interface, so its imports say
nothing about the program it runs: the manifest decides. A declared
capability gets the host's real implementation, with consent, limits and
audit; an undeclared one answers every call with the shared `not-declared`
error (the guest SDKs raise it as `NotDeclared`). A program reaching past its
SDK into the raw bindings meets the same answer: the host side refuses.

A language supplies how its component is built (`ensure`), how its linker is
made (`build_linker`) and what its sessions mount (`mounts`); the rest is here.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol, Sequence

import wasmtime
from wasmtime.component import Component, Linker

from ..app import InstalledApp, build_linker, host_capability
from ..capabilities import Capability, NotDeclared, Observer
from ..capabilities.base import CallContext, HostFunction
from ..engine.imports import ALWAYS_AVAILABLE, ImportAudit, component_imports
from ..home import Home
from ..manifest import Manifest
from ..session import LogListener, Mount

if TYPE_CHECKING:
    from ..engine.engine import Engine

Progress = Callable[[str], None]

#: The scene of a launch that only loads the program (a warm instance, a probe).
LOAD_SCENE = "capsule-load"
#: The scene of a launch that compiles every module, loads the program and checks its pages.
CHECK_SCENE = "capsule-check"


class BuiltRuntime(Protocol):
    """A runtime component on disk, named by the digest of what it was built from."""

    digest: str
    wasm: Path


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


def manifest_linker(
    engine: wasmtime.Engine,
    component: Component,
    interfaces: Sequence[str],
    declared: set[str],
    capabilities: dict[str, Capability],
    observers: list[Observer],
) -> Linker:
    """Locked-down WASI plus `interfaces`, each real only where always available or declared."""
    real = host_capability(capabilities)

    def capability_for(name: str, functions: list[str]) -> Capability:
        if name in ALWAYS_AVAILABLE or name in declared:
            return real(name, functions)
        return Undeclared(name, functions)

    return build_linker(engine, component, interfaces, observers, capability_for)


class SharedRuntime:
    """The shared runtime of one language in one host. Thread-safe; prepared on first use."""

    #: The runtime id packages name in runtime.json.
    id: str
    #: Said while the component compiles for the first time on this machine.
    compiling_note: str
    #: The engine cache's prefix for this runtime's artifacts (older ones are pruned).
    cache_prefix: str

    def __init__(self, engine: "Engine", home: Home, capabilities: dict[str, Capability], observers: list[Observer]) -> None:
        self.engine = engine
        self.home = home
        self.capabilities = capabilities
        self.observers = observers
        self._lock = threading.Lock()
        self._built: BuiltRuntime | None = None
        self._component: Component | None = None
        self._platform: list[str] = []
        self._linkers: dict[tuple[frozenset[str], int], tuple[list[Observer], Linker]] = {}

    # What a language supplies.

    def ensure(self, progress: Progress) -> BuiltRuntime:
        """The runtime component on disk, built now if this machine has none for these inputs."""
        raise NotImplementedError

    def build_linker(self, component: Component, declared: set[str], observers: list[Observer]) -> Linker:
        """A fresh linker for programs declaring `declared`."""
        raise NotImplementedError

    def platform_imports(self, imports: list[str]) -> list[str]:
        """The runtime's WASI imports (what every program on it reaches besides capabilities)."""
        raise NotImplementedError

    def mounts(self, program_dir: Path) -> tuple[Mount, ...]:
        """What a session of a program in `program_dir` sees as files."""
        return ()

    def ahead_of_time(self, app: InstalledApp) -> tuple[Mount, ...]:
        """What an installed version's sessions also see, made once now so each of them does less (none here)."""
        return ()

    # The same for every language.

    def prepare(self, progress: Progress | None = None) -> Component:
        """Build (once per machine) and compile (once per engine build) the runtime; then it is instant."""
        with self._lock:
            if self._component is None:
                say = progress or (lambda message: None)
                built = self.ensure(say)
                if not self.engine.cache.has(built.digest):
                    say(self.compiling_note)
                component = self.engine.component(built.digest, wasm_path=built.wasm)
                self.engine.cache.prune(self.cache_prefix, keep=built.digest)
                self._platform = self.platform_imports(component_imports(self.engine.wasmtime, component))
                self._built, self._component = built, component
            return self._component

    @property
    def component(self) -> Component:
        return self.prepare()

    @property
    def built(self) -> BuiltRuntime:
        self.prepare()
        assert self._built is not None
        return self._built

    def linker(self, declared: frozenset[str], observers: list[Observer] | None = None) -> Linker:
        """The linker for programs declaring `declared`: real capabilities there, not-declared elsewhere."""
        watchers = self.observers if observers is None else observers
        component = self.prepare()
        key = (declared, id(watchers))
        with self._lock:
            found = self._linkers.get(key)
            if found is None or found[0] is not watchers:  # an id can be reused once its list is gone
                linker = self.build_linker(component, set(declared), watchers)
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
        installed: bool = False,
    ) -> InstalledApp:
        """A launchable program whose files are `program_dir`.

        `installed` says the folder is an installed package's, which never
        changes: what the runtime derives from it once (`ahead_of_time`) is
        kept for every session. Developer mode's folders are not.
        """
        declared = frozenset(manifest.declared_capabilities())
        app = InstalledApp(
            manifest,
            digest,
            key_id,
            self.component,
            self.audit(declared),
            program_dir,
            linker=self.linker(declared, observers),
            mounts=self.mounts(program_dir),
            on_log=on_log,
            runtime=self.id,
            load_scene=LOAD_SCENE,
        )
        app.find_exports()
        if installed:
            app.mounts += self.ahead_of_time(app)
        return app
