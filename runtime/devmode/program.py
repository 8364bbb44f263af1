"""A program folder in developer mode: reloaded on change, its storage kept.

    dev = DevProgram(host, "my-program")
    session = dev.launch(user="developer")       # the same as host.launch(dev.id, ...)
    result = dev.reload()                        # after an edit; see DevBuild
    if result.ok:
        session = dev.relaunch(session)          # the new version, same user and page

The folder runs on the host's shared Python (or JS) runtime, exactly as its built
package would: developer mode is only "a folder mounted on the runtime". A
reload snapshots the folder, validates manifest.json and runs the same check
as `capsule build` (every module compiles, app.py loads, the pages exist)
before the host launches the new version; a version that does not pass
leaves the previous one running. Storage lives in the host's database per (program id,
user), so it survives every reload.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, AsyncIterator, Callable

from ..app import InstalledApp
from ..errors import BuildError, CapsuleError
from ..languages.python.component import Progress
from ..languages.python.linker import parameter_names
from ..languages.python.probe import check
from ..manifest import Manifest, load_manifest
from ..session import Session
from .inspector import Inspector
from .problems import DevProblem, explain
from .snapshot import Snapshots
from .watch import FileChange, Watcher, awatch_program

if TYPE_CHECKING:
    from ..host import Host
    from ..prompter import Prompter

#: What an unpackaged program has instead of a signing key.
DEV_KEY_ID = "unsigned (developer mode)"


@dataclass(frozen=True)
class DevBuild:
    """The outcome of one (re)load of the program folder."""

    ok: bool
    #: The version now running: counts good loads; unchanged after a failed one.
    version: int
    seconds: float
    at: float
    problem: DevProblem | None = None
    changes: tuple[str, ...] = field(default_factory=tuple)

    def as_entry(self) -> dict[str, object]:
        """The inspector's build entry: ok, message, file, line (and the rest)."""
        problem = self.problem
        return {
            "ok": self.ok,
            "message": str(problem) if problem else f"version {self.version} loaded in {self.seconds * 1000:.0f} ms",
            "file": problem.file if problem else None,
            "line": problem.line if problem else None,
            "error": problem.kind if problem else None,
            "traceback": problem.traceback if problem else "",
            "version": self.version,
            "seconds": round(self.seconds, 4),
            "changes": list(self.changes),
        }


class DevProgram:
    """One program folder run on the host's Python or JS runtime, reloaded on change."""

    def __init__(self, host: "Host", directory: str | os.PathLike[str], *, progress: Progress | None = None) -> None:
        self.host = host
        self.directory = Path(directory).resolve()
        if not self.directory.is_dir():
            raise BuildError(f"{self.directory} is not a folder; give the folder with the program's manifest.json")
        # A folder with app.js (and no app.py) is a JavaScript program: the shared JS runtime.
        self.runtime = host.runtime_for(self.directory)
        component = self.runtime.prepare(progress)
        #: Capability calls, log lines and builds of this program's sessions.
        self.inspector = Inspector(parameter_names(host.engine.wasmtime, component))
        self._observers = [*host.observers, self.inspector]
        self._snapshots = Snapshots(self.directory)
        self._watchers: list[Watcher] = []
        self._lock = threading.Lock()
        #: The version sessions launch now; None until the folder first loads.
        self.app: InstalledApp | None = None
        self.version = 0
        #: The latest reload's outcome.
        self.last: DevBuild = self.reload()

    # -- the program ---------------------------------------------------------------

    @property
    def id(self) -> str | None:
        """The program id of the running version (from its manifest)."""
        return self.app.id if self.app else None

    @property
    def manifest(self) -> Manifest | None:
        return self.app.manifest if self.app else None

    def reload(self, changes: list[FileChange] | tuple[str, ...] = ()) -> DevBuild:
        """Load the folder as it is now; on success new launches get this version.

        Never raises for the program's mistakes: a bad manifest, a syntax
        error or an exception while app.py loads comes back as the result's
        `problem` (with file and line) and the previous version stays.
        """
        names = tuple(c.path if isinstance(c, FileChange) else str(c) for c in changes)
        with self._lock:
            started = time.perf_counter()
            snapshot = self._snapshots.take()
            try:
                app = self._make_app(snapshot)
                check(self.host.engine, app, self.host.limits)
            except CapsuleError as error:
                self._snapshots.discard(snapshot)
                problem = error.problem if isinstance(error, _NoProgram) else explain(error)
                result = DevBuild(False, self.version, time.perf_counter() - started, time.time(), problem, names)
            else:
                previous, self.app = self.app, app
                self.version += 1
                if previous is not None:
                    self.host.remove_app(previous)
                self.host.add_app(app)
                self._keep_used_snapshots()
                result = DevBuild(True, self.version, time.perf_counter() - started, time.time(), None, names)
            self.last = result
        self.inspector.build(result)
        return result

    def explain(self, error: BaseException) -> DevProblem:
        """Where a `ProgramError` (or any error of a session) points in the program folder."""
        return explain(error)

    # -- sessions ----------------------------------------------------------------

    def launch(
        self,
        *,
        user: str = "developer",
        page: str | None = None,
        query: dict[str, str] | None = None,
        scene: str = "launch",
        prompter: "Prompter | None" = None,
    ) -> Session:
        """Start a session of the running version (`host.launch(dev.id, ...)` does the same)."""
        return self.host.launch(
            self._running().id, user=user, page=page, query=query, scene=scene, prompter=prompter
        )

    def relaunch(self, session: Session) -> Session:
        """A session of the running version for the same user and page; then `session` closes.

        When the new version fails to launch, `session` keeps running and the
        error (a `ProgramError`, see `explain`) is raised.
        """
        app = self._running()
        pages = {page.name for page in app.manifest.pages}
        page = session.page if session.page in pages else None
        # A launch that fails is released by the host; `session` is untouched then.
        new = self.host.launch(app.id, user=session.user, page=page, prompter=session.prompter)
        session.close()
        return new

    def sessions(self) -> list[Session]:
        """Live sessions of any version of this program."""
        root = str(self._snapshots.root)
        return [s for s in self.host.sessions() if str(s.app.path).startswith(root + "/")]

    # -- watching ------------------------------------------------------------------

    def watch(self, on_reload: Callable[[DevBuild], None] | None = None) -> Watcher:
        """Reload on every change, from a thread; `on_reload` gets each result."""

        def changed(changes: list[FileChange]) -> None:
            result = self.reload(changes)
            if on_reload is not None:
                on_reload(result)

        watcher = Watcher(self.directory, changed).start()
        self._watchers.append(watcher)
        return watcher

    async def reloads(self, *, stop_event: asyncio.Event | None = None) -> AsyncIterator[DevBuild]:
        """Reload on every change and yield each result (for an asyncio server)."""
        async for changes in awatch_program(self.directory, stop_event=stop_event):
            yield await asyncio.to_thread(self.reload, changes)

    def close(self) -> None:
        """Stop watching, close this program's sessions, forget it, remove its snapshots."""
        for watcher in self._watchers:
            watcher.stop()
        for session in self.sessions():
            session.close()
        if self.app is not None:
            self.host.remove_app(self.app)
        self._snapshots.close()

    def __enter__(self) -> "DevProgram":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals -----------------------------------------------------------------

    def _running(self) -> InstalledApp:
        if self.app is None:
            problem = self.last.problem if getattr(self, "last", None) else None
            raise BuildError(f"{self.directory} has not loaded yet: {problem}")
        return self.app

    def _make_app(self, snapshot: Path) -> InstalledApp:
        manifest_path = snapshot / "manifest.json"
        if not manifest_path.exists():
            raise _NoProgram("manifest.json", f"{self.directory} has no manifest.json; `capsule new` makes one")
        manifest = load_manifest(manifest_path.read_bytes(), source="manifest.json")
        entry = "app.js" if self.runtime is self.host.js_runtime else "app.py"
        if not (snapshot / entry).exists():
            language = "JavaScript" if entry == "app.js" else "Python"
            raise _NoProgram(entry, f"{self.directory} has no {entry}: a {language} program starts there")
        return self.runtime.app(
            manifest,
            f"dev:{self.directory.name}:{snapshot.name}",
            DEV_KEY_ID,
            snapshot,
            observers=self._observers,
            on_log=self.inspector.log,
        )

    def _keep_used_snapshots(self) -> None:
        # app.path is the snapshot folder, mounted (Python) or served (JS) to its sessions.
        keep = {Path(s.app.path) for s in self.sessions()}
        if self.app is not None:
            keep.add(Path(self.app.path))
        self._snapshots.keep_only(keep)


class _NoProgram(BuildError):
    """The folder lacks a file every program needs."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(message)
        self.problem = DevProblem("missing-file", message, file)
