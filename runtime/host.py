"""The embedding API: a host application installs packages and launches sessions.

    host = Host()                                  # state under CAPSULE_HOME
    host.install("hello-1.0.0.capsule")            # verify, audit; a source package compiles no WebAssembly
    session = host.launch("com.example.hello", user="alice")
    print(session.view)
    session.dispatch("increment")
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .admission import SessionCaps, admit
from .app import InstalledApp
from .blobs import PACKAGE_TYPE, BlobStore
from .capabilities import Capability, Observer, default_capabilities
from .engine.engine import Engine
from .engine.imports import audit_imports, component_imports
from .engine.limits import TurnLimits
from .errors import AuditError, NotInstalled
from .home import Home
from .installed import InstalledIndex, installed_index
from .languages import check_runtime
from .languages.js import JsRuntime
from .languages.python import PythonRuntime
from .manifest import Manifest, load_manifest
from .metrics.figures import watch_host
from .package import PackageLimits, VerifiedPackage, open_package
from .package.format import COMPONENT, COMPONENT_KIND, JS_ENTRY, JS_KIND, PYTHON_ENTRY, RUNTIME
from .package.loader import parse_runtime_json
from .package.replacement import Countersignature, Installed, KeyRotation, check_replacement
from .prompter import Prompter, refusing_prompter
from .services import HostServices
from .session import Session
from .warm import WarmPool

if TYPE_CHECKING:
    from .capabilities.messages.provider import MessagesProvider



class Host:
    """Installs packages and runs sessions. Thread-safe."""

    def __init__(
        self,
        home: str | os.PathLike[str] | Home | None = None,
        *,
        prompter: Prompter | None = None,
        limits: TurnLimits | None = None,
        package_limits: PackageLimits | None = None,
        trusted_keys: set[str] | None = None,
        capabilities: dict[str, Capability] | None = None,
        database_url: str | None = None,
        caps: SessionCaps | None = None,
        warm_sessions: int = 16,
        messages: "MessagesProvider | None" = None,
        blob_stores: Callable[[str], BlobStore] | None = None,
    ) -> None:
        """`messages`: the host application's own messages backend (see
        capabilities/messages/provider.py); by default the embedded store in the database."""
        self.home = home if isinstance(home, Home) else Home.resolve(home)
        self.prompter: Prompter = prompter or refusing_prompter()
        self.limits = limits or TurnLimits()
        self.caps = caps or SessionCaps()
        self.package_limits = package_limits or PackageLimits()
        self.trusted_keys = trusted_keys
        self.services = HostServices(self.home, database_url=database_url, messages=messages, blob_stores=blob_stores)
        #: What is installed: installed.json on one machine, a table every host shares on PostgreSQL.
        self.index: InstalledIndex = installed_index(self.services)
        #: Where installed packages are kept for the other hosts (None: on this disk only).
        self._package_blobs = self.services.blob_store("packages")
        self.capabilities = {**default_capabilities(self.services), **(capabilities or {})}
        # The audit trail sees every capability call (it opens the database lazily).
        self.observers: list[Observer] = [self.services.audit]
        self.engine = Engine(self.home.compile_cache)
        #: The one runtime every Python program of this host runs on (built and compiled on first use).
        self.python_runtime = PythonRuntime(self.engine, self.home, self.capabilities, self.observers)
        #: The one runtime every JavaScript program of this host runs on (built and compiled on first use).
        self.js_runtime = JsRuntime(self.engine, self.home, self.capabilities, self.observers)
        #: Sessions loaded ahead of their launch (`warm_sessions` in all; 0 turns it off).
        self.warm = WarmPool(self._new_session, total=warm_sessions)
        self._apps: dict[str, InstalledApp] = {}
        self._sessions: dict[str, Session] = {}
        self._lock = threading.RLock()
        watch_host(self)  # its live sessions count in /metrics

    # -- packages --------------------------------------------------------------

    def install(
        self,
        package: str | os.PathLike[str],
        *,
        rotation: KeyRotation | None = None,
        countersignature: Countersignature | None = None,
        rebuilt: bool = False,
    ) -> InstalledApp:
        """Verify a package and make it launchable.

        A source package (kind `python`) compiles no WebAssembly: it runs on
        the host's shared runtime (its modules become bytecode, once). A `component` package is compiled once (cached
        by digest) and its imports are compared with its manifest.
        Raises PackageError (untrusted, malformed, or needing a runtime this
        host lacks; `key-changed` or `downgrade` when it may not replace the
        installed program of its id, see `package.replacement`: `rotation`,
        `countersignature` and `rebuilt` are the ways past it), ManifestError
        or AuditError; nothing is kept then.
        """
        verified = open_package(Path(package), self.package_limits, trusted_keys=self.trusted_keys)
        manifest = load_manifest(verified.manifest_bytes, source=f"{package}:manifest.json")
        if verified.kind == COMPONENT_KIND:
            component = self.engine.component(verified.digest, verified.component)
            self._check_imports(manifest, component)
        else:
            check_runtime(verified.kind, verified.runtime or "")
        target = self._extract(verified)
        app = self._make_app(manifest, verified.digest, verified.key_id, target)
        with self._lock:
            incoming = Installed(manifest.id, str(manifest.version), verified.digest, verified.key_id)
            check_replacement(
                self._installed(manifest.id), incoming, rotation=rotation, countersignature=countersignature, rebuilt=rebuilt
            )
            previous = self._apps.get(manifest.id)
            self._apps[manifest.id] = app
            if self._package_blobs is not None:
                # Other hosts unpack it from there when they first launch it.
                self._package_blobs.put(verified.digest, Path(package).read_bytes(), PACKAGE_TYPE)
            self.index.put(manifest.id, str(manifest.version), verified.digest, verified.key_id)
        if previous is not None:
            self.warm.forget(previous)
        return app

    def add_app(self, app: InstalledApp) -> None:
        """Make a program launchable without a package (developer mode's folders).

        Nothing is verified or written to the index: the host application
        itself made `app`. It replaces a program with the same id in this
        process only.
        """
        with self._lock:
            self._apps[app.id] = app

    def remove_app(self, app: InstalledApp) -> None:
        """Forget `app` if it is the program launched under its id (live sessions go on)."""
        with self._lock:
            if self._apps.get(app.id) is app:
                del self._apps[app.id]
        self.warm.forget(app)

    def app(self, app_id: str) -> InstalledApp:
        """The installed program, loading it from CAPSULE_HOME after a restart."""
        with self._lock:
            app = self._apps.get(app_id)
            if app is None:
                app = self._load_installed(app_id)
                self._apps[app_id] = app
            return app

    def loaded(self, app_id: str) -> InstalledApp | None:
        """The program of `app_id` this process has loaded, if any (nothing is read from disk)."""
        with self._lock:
            return self._apps.get(app_id)

    def installed(self) -> list[dict[str, str]]:
        return [{"id": k, **v} for k, v in sorted(self.index.read().items())]

    # -- sessions --------------------------------------------------------------

    def launch(
        self,
        app_id: str,
        *,
        user: str,
        scene: str = "launch",
        query: dict[str, str] | None = None,
        page: str | None = None,
        prompter: Prompter | None = None,
    ) -> Session:
        """Start a session of `app_id` for `user` and run its `on-launch`.

        `prompter` answers this session's questions instead of the host's
        (the web host gives each browser tab its own).
        """
        app = self.app(app_id)
        self.engine.ensure_ticking()
        with self._lock:  # checked and counted together: two launches cannot both take the last place
            admit(self.caps, self._sessions.values(), user=user, memory_bytes=self.limits.memory_bytes)
            session = self.warm.take(app) or self._new_session(app)
            session.adopt(user=user, prompter=prompter or self.prompter, on_end=self._forget)
            self._sessions[session.id] = session
        try:
            session.start(page or "", scene, dict(query or {}))
        except BaseException:
            # Nobody holds a session whose launch failed: release it now.
            session.close()
            raise
        self.warm.refill(app)
        return session

    def _new_session(self, app: InstalledApp) -> Session:
        """A session of `app` with no user yet (`launch` gives it one)."""
        return Session(
            app,
            self.engine.wasmtime,
            user="",
            prompter=self.prompter,
            limits=self.limits,
            mounts=app.mounts,
            on_log=app.on_log,
        )

    def open_address(self, address: str, *, user: str, prompter: Prompter | None = None) -> Session:
        """Launch from a `capsule://` address (a scanned QR code): its page, scene and parameters.

        Raises AddressError when the text is not a valid Capsule launch address.
        """
        from .capabilities.qr.address import AddressError, parse_address

        target = parse_address(address)
        if target is None:
            raise AddressError(f"{address[:80]!r} is not a capsule:// launch address")
        return self.launch(
            target.app_id, user=user, scene=target.scene, query=target.params, page=target.page or None, prompter=prompter
        )

    def session(self, session_id: str) -> Session:
        return self._sessions[session_id]

    def sessions(self) -> list[Session]:
        with self._lock:
            return list(self._sessions.values())

    def close(self) -> None:
        self.warm.close()
        for session in self.sessions():
            session.close()
        self.engine.close()
        self.services.close()

    def _forget(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(session.id, None)

    # -- the installed index -----------------------------------------------------

    def _installed(self, app_id: str) -> Installed | None:
        entry = self.index.get(app_id)
        return None if entry is None else Installed(app_id, entry["version"], entry["digest"], entry["key_id"])

    def _load_installed(self, app_id: str) -> InstalledApp:
        entry = self.index.get(app_id)
        if entry is None:
            raise NotInstalled(f"{app_id} is not installed; install its package first (Host.install or `capsule run PKG`)")
        path = self.home.packages / entry["digest"].replace("sha256:", "")
        if not path.exists() and self._package_blobs is not None:
            self._fetch(app_id, entry["digest"])
        manifest: Manifest = load_manifest((path / "manifest.json").read_bytes(), source=str(path))
        if (path / RUNTIME).exists():
            kind, runtime = parse_runtime_json((path / RUNTIME).read_bytes())
            check_runtime(kind, runtime)
        return self._make_app(manifest, entry["digest"], entry["key_id"], path)

    def _fetch(self, app_id: str, digest: str) -> None:
        """Unpack a package another host installed, from the shared blob store, verified as on install."""
        assert self._package_blobs is not None
        blob = self._package_blobs.get(digest)
        if blob is None:
            raise NotInstalled(f"{app_id} is installed, but its package {digest} is in no blob store this host reaches")
        with tempfile.TemporaryDirectory(dir=self.home.packages, prefix=".fetch-") as scratch:
            package = Path(scratch) / "package.capsule"
            package.write_bytes(blob.data)
            verified = open_package(package, self.package_limits, trusted_keys=self.trusted_keys)
            if verified.digest != digest:
                raise NotInstalled(f"the blob store's package for {app_id} is not {digest}; install {app_id} again")
            self._extract(verified)

    # -- one program version -----------------------------------------------------

    def _make_app(self, manifest: Manifest, digest: str, key_id: str, path: Path) -> InstalledApp:
        if not (path / COMPONENT).exists():
            return self.runtime_for(path).app(manifest, digest, key_id, path, installed=True)
        component = self.engine.component(digest, wasm_path=path / COMPONENT)
        audit = audit_imports(component_imports(self.engine.wasmtime, component), manifest.declared_capabilities())
        app = InstalledApp(manifest, digest, key_id, component, audit, path)
        app.prepare(self.engine.wasmtime, self.capabilities, self.observers)
        return app

    def runtime_for(self, path: Path) -> PythonRuntime | JsRuntime:
        """The shared runtime a source program's folder runs on (its runtime.json says which)."""
        kind = "python"
        if (path / RUNTIME).exists():
            kind, _ = parse_runtime_json((path / RUNTIME).read_bytes())
        elif (path / JS_ENTRY).exists() and not (path / PYTHON_ENTRY).exists():
            kind = JS_KIND  # a developer's folder (`capsule dev`)
        return self.js_runtime if kind == JS_KIND else self.python_runtime

    def _check_imports(self, manifest: Manifest, component: Any) -> None:
        audit = audit_imports(component_imports(self.engine.wasmtime, component), manifest.declared_capabilities())
        if not audit.ok:
            names = ", ".join(audit.refused)
            raise AuditError(
                f"{manifest.id} {manifest.version} imports {names}, which its manifest does not declare; "
                "declare the capability under `permissions` in manifest.json and rebuild, or remove its use",
                undeclared=audit.refused,
            )

    def _extract(self, verified: VerifiedPackage) -> Path:
        target = self.home.packages / verified.digest.replace("sha256:", "")
        if not target.exists():
            try:
                verified.extract_to(target)
            except FileExistsError:
                pass  # the same digest installed at the same moment: same bytes
        return target
