"""Sessions prepared before anyone launches them, so a launch only delivers `on-launch`.

Loading a program on the shared Python runtime (instantiate, import app.py
and what it imports) is most of a launch's time. After each launch of a
program the host prepares the next session of that version on a background
thread; the next launch adopts it and gives it its user. A prepared session
has run nothing but its module-level code, with no user and no capability,
and each is used once.

Bounded: at most `per_app` prepared sessions per program version and `total`
in all (the least recently launched programs' go first), so a host holds a
few megabytes per program people actually open.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Callable

from .errors import CapsuleError

if TYPE_CHECKING:
    from .app import InstalledApp
    from .session import Session


class WarmPool:
    """Prepared sessions per program version. Thread-safe."""

    def __init__(self, make: Callable[["InstalledApp"], "Session"], *, per_app: int = 1, total: int = 16) -> None:
        self._make = make
        self.per_app = per_app
        self.total = total
        self._ready: OrderedDict[int, list["Session"]] = OrderedDict()
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue["InstalledApp | None"] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._closed = False

    def take(self, app: "InstalledApp") -> "Session | None":
        """A prepared session of exactly this version of the program, or None."""
        with self._lock:
            ready = self._ready.get(id(app))
            while ready:
                session = ready.pop()
                if session.app is app and session.state == "ready":
                    return session
                session.close()
            return None

    def refill(self, app: "InstalledApp") -> None:
        """Prepare the next session of `app` in the background."""
        if self.total <= 0 or self._closed:
            return
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="capsule-warm", daemon=True)
                self._worker.start()
        self._jobs.put(app)

    def holds(self, app: "InstalledApp") -> bool:
        """Whether a prepared session of `app` is waiting (tests)."""
        with self._lock:
            return any(s.app is app for s in self._ready.get(id(app), ()))

    def wait_ready(self, app: "InstalledApp", timeout: float = 5.0) -> bool:
        """Wait until a prepared session of `app` is ready (benchmarks and tests); False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if any(s.app is app for s in self._ready.get(id(app), ())):
                    return True
            time.sleep(0.001)
        return False

    def forget(self, app: "InstalledApp") -> None:
        """Release the prepared sessions of a version nobody will launch any more."""
        with self._lock:
            sessions = self._ready.pop(id(app), [])
        for session in sessions:
            session.close()

    def close(self) -> None:
        """Release every prepared session and stop preparing."""
        self._closed = True
        self._jobs.put(None)
        with self._lock:
            sessions = [s for ready in self._ready.values() for s in ready]
            self._ready.clear()
        for session in sessions:
            session.close()

    def _work(self) -> None:
        while (app := self._jobs.get()) is not None:
            with self._lock:
                ready = self._ready.get(id(app), [])
                if len(ready) >= self.per_app:
                    continue
            try:
                session = self._make(app)
                session.prepare()
            except CapsuleError:
                continue  # it would fail its launch the same way: let that launch report it
            evicted = self._keep(app, session)
            for old in evicted:
                old.close()

    def _keep(self, app: "InstalledApp", session: "Session") -> list["Session"]:
        with self._lock:
            if self._closed:
                return [session]
            self._ready.setdefault(id(app), []).append(session)
            self._ready.move_to_end(id(app))
            evicted: list[Session] = []
            while sum(len(r) for r in self._ready.values()) > self.total:
                _, oldest = self._ready.popitem(last=False)
                evicted += oldest
            return evicted
