"""Watching a program folder: what changed, debounced, minus editor noise.

    async for changes in awatch_program(folder):      # in an asyncio server
        ...
    watcher = Watcher(folder, on_change).start()      # or on a thread
    watcher.stop()

Both use watchfiles (inotify on Linux). A save often arrives as several
events (a temporary file, a rename, a modification); watchfiles yields them
together once the folder has been quiet for `step_ms`, and never waits longer
than `debounce_ms` while changes keep coming.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Callable

import watchfiles

from ..package.folder import is_ignored

#: Quiet time after the last event before a batch is reported.
STEP_MS = 30
#: The longest a batch waits while events keep coming.
DEBOUNCE_MS = 300


@dataclass(frozen=True, order=True)
class FileChange:
    """One changed file, relative to the program folder."""

    path: str
    change: str  # "added", "modified" or "deleted"


class ProgramFilter(watchfiles.BaseFilter):
    """Keeps changes to the program's own files (see `files.is_ignored`)."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = str(directory)

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return not is_ignored(os.path.relpath(path, self.directory))


def _changes(directory: Path, raw: set[tuple[watchfiles.Change, str]]) -> list[FileChange]:
    return sorted({FileChange(os.path.relpath(path, directory), change.name) for change, path in raw})


async def awatch_program(
    directory: str | os.PathLike[str],
    *,
    stop_event=None,
    step_ms: int = STEP_MS,
    debounce_ms: int = DEBOUNCE_MS,
) -> AsyncIterator[list[FileChange]]:
    """Yield each batch of changes to the program's files until `stop_event` is set."""
    folder = Path(directory).resolve()
    async for raw in watchfiles.awatch(
        folder, watch_filter=ProgramFilter(folder), step=step_ms, debounce=debounce_ms, stop_event=stop_event
    ):
        changes = _changes(folder, raw)
        if changes:
            yield changes


class Watcher:
    """Calls `on_change` with each batch of changes, from its own thread."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        on_change: Callable[[list[FileChange]], None],
        *,
        step_ms: int = STEP_MS,
        debounce_ms: int = DEBOUNCE_MS,
    ) -> None:
        self.directory = Path(directory).resolve()
        self.on_change = on_change
        self.step_ms = step_ms
        self.debounce_ms = debounce_ms
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def start(self) -> "Watcher":
        """Start watching; returns once the watch is in place, so no early save is missed."""
        self._thread = threading.Thread(target=self._run, name="capsule-dev-watch", daemon=True)
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        # watchfiles sets up the watch before its first wait; yield_on_timeout
        # hands us that first (empty) wake-up, which is when we are ready.
        for raw in watchfiles.watch(
            self.directory,
            watch_filter=ProgramFilter(self.directory),
            step=self.step_ms,
            debounce=self.debounce_ms,
            stop_event=self._stop,
            rust_timeout=250,
            yield_on_timeout=True,
            raise_interrupt=False,
        ):
            self._ready.set()
            changes = _changes(self.directory, raw)
            if changes:
                self.on_change(changes)
        self._ready.set()
