"""A session: one user running one program, in its own store.

Every call into the program is a bounded turn (see `engine.turn`). A turn that
breaches a limit or traps ends the session; the host and every other session
go on. Calls on one session are serialized; sessions run concurrently on
whatever threads the host application calls them from.
"""

from __future__ import annotations

import codecs
import itertools
import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

import wasmtime

from .engine.limits import TurnLimits
from .engine.turn import Turn
from .errors import CapsuleError, LimitExceeded, ProgramError, ProgramTrapped, SessionEnded
from .metrics.figures import LIMIT_BREACHES

if TYPE_CHECKING:
    from .app import InstalledApp
    from .prompter import Prompter

#: How long a prompt may wait for the user before it counts as "no".
PROMPT_TIMEOUT_S = 120.0
#: Lines kept per session of the program's log and its stdout/stderr.
LOG_LINES = 500
#: Longest line kept; a longer one is cut (the per-turn log budget still counts it whole).
LOG_LINE_CHARS = 4_000
#: Output kept waiting for its newline at most; a longer run of text is logged as it stands.
PARTIAL_LINE_CHARS = 16 * 1024
#: Toasts kept per session until the host application takes them.
TOASTS_KEPT = 20


@dataclass(frozen=True)
class Event:
    """Something the user did on a view: a tap, a submitted form."""

    page: str
    handler: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LogLine:
    level: str
    message: str
    at: float


@dataclass(frozen=True)
class Mount:
    """A host directory a session's program may read, and never change unless `writable`.

    A source program sees its own package's files, its runtime's standard
    library and its compiled bytecode this way, and nothing else; a
    `component` package sees no file system at all. Only the Python
    runtime's own compile step (`languages/python/bytecode.py`), which runs
    no program code, is given a writable one.
    """

    host_path: str
    guest_path: str
    writable: bool = False


#: Told about every log line of a session (developer mode's log panel).
LogListener = Callable[["Session", LogLine], None]


class Session:
    """One live program for one user. Create through `Host.launch`."""

    _ids = itertools.count(1)

    def __init__(
        self,
        app: "InstalledApp",
        engine: wasmtime.Engine,
        *,
        user: str,
        prompter: "Prompter",
        limits: TurnLimits,
        on_end: Callable[["Session"], None] | None = None,
        mounts: Sequence[Mount] = (),
        on_log: LogListener | None = None,
    ) -> None:
        self.id = uuid.uuid4().hex[:16]
        self.app = app
        self.user = user
        self.prompter = prompter
        self.limits = limits
        self.state = "starting"
        self.view: dict[str, Any] | None = None
        self.views_rendered = 0
        #: The latest toasts, oldest first (a plain list, at most TOASTS_KEPT).
        self.toasts: list[tuple[str, str]] = []
        self.logs: deque[LogLine] = deque(maxlen=LOG_LINES)
        self.ended: SessionEnded | None = None
        self._on_end = on_end
        self._on_log = on_log
        self._lock = threading.Lock()
        self._turn: Turn | None = None
        #: Output of the running turn after its last newline, and the UTF-8 decoding state, by stream.
        self._partial: dict[str, str] = {}
        self._decoders: dict[str, codecs.IncrementalDecoder] = {}
        self._store = wasmtime.Store(engine)
        wasi = wasmtime.WasiConfig()  # no preopens, no env, no args: locked down
        for mount in mounts:  # not writable: no writes, no new files
            wasi.preopen_dir(mount.host_path, mount.guest_path, fs_mutable=mount.writable)
        wasi.stdout_custom = lambda data: self._output("stdout", data)
        wasi.stderr_custom = lambda data: self._output("stderr", data)
        self._store.set_wasi(wasi)
        self._store.set_limits(memory_size=limits.memory_bytes)
        self._instance: Any = None
        self._funcs: dict[str, Any] = {}

    # -- lifecycle -----------------------------------------------------------

    def prepare(self) -> None:
        """Everything a launch does before `on-launch`: instantiate, and load a source program.

        A host may prepare sessions ahead of their launch (`capsule.runtime.warm`),
        before it knows the user: nothing here can call a capability.
        """
        with self._lock:
            self._instantiate()
            if self.app.load_scene:
                self._call("on-launch", "", self.app.load_scene, [])
            self.state = "ready"

    def adopt(self, *, user: str, prompter: "Prompter", on_end: Callable[["Session"], None] | None) -> None:
        """Give a session made without one its user (before `start`)."""
        if self.state not in ("starting", "ready"):
            raise RuntimeError(f"only a session not yet started can be adopted (this one is {self.state})")
        self.user, self.prompter, self._on_end = user, prompter, on_end

    def start(self, page: str, scene: str, query: dict[str, str]) -> dict[str, Any] | None:
        """Instantiate the program (unless prepared) and deliver `on-launch`."""
        with self._lock:
            if self.state == "starting":
                self._instantiate()
            self.state = "active"
            self._call("on-launch", page, scene, sorted(query.items()))
            return self.view

    def dispatch(self, handler: str | Event, data: dict[str, Any] | None = None, *, page: str | None = None):
        """Deliver an event; returns the view afterwards.

        `page` defaults to the page of the current view.
        """
        if isinstance(handler, Event):
            page, data, handler = handler.page, handler.data, handler.handler
        # Most taps carry no data: skip encoding an empty object on the hot path.
        payload = json.dumps(data, separators=(",", ":")) if data else "{}"
        with self._lock:
            self._call("on-event", page or self.page, handler, payload)
            return self.view

    def show(self) -> None:
        with self._lock:
            self._call("on-show")
            self.state = "active"

    def hide(self) -> None:
        with self._lock:
            self._call("on-hide")
            self.state = "hidden"

    def close(self) -> None:
        """Deliver `on-unload` (best effort) and release the store."""
        with self._lock:
            if self.state == "ended":
                return
            try:
                self._call("on-unload")
            except CapsuleError:
                pass
            self._release()
            self.state = "ended"
            if self._on_end:
                self._on_end(self)

    @property
    def page(self) -> str:
        """The page the current view belongs to."""
        if self.view and self.view.get("name"):
            return str(self.view["name"])
        return self.app.manifest.entry_page

    @property
    def memory_bytes(self) -> int:
        """The most memory this session may take (its store's limit)."""
        return self.limits.memory_bytes

    @property
    def alive(self) -> bool:
        return self.state in {"active", "hidden"}

    # -- called by capabilities ----------------------------------------------

    def set_view(self, view: dict[str, Any]) -> None:
        self.view = view
        self.views_rendered += 1

    def add_toast(self, message: str, kind: str) -> None:
        self.toasts.append((kind, message))
        del self.toasts[:-TOASTS_KEPT]

    def add_log(self, level: str, message: str) -> None:
        if len(message) > LOG_LINE_CHARS:
            message = message[:LOG_LINE_CHARS] + f" [line cut at {LOG_LINE_CHARS} characters]"
        line = LogLine(level, message, time.time())
        self.logs.append(line)
        if self._on_log is not None:
            self._on_log(self, line)

    def ask(self, question: Callable[["Prompter", float], Any]) -> Any:
        """Ask the user through the prompter; the wait is not the program's time."""
        started = time.monotonic()
        try:
            return question(self.prompter, PROMPT_TIMEOUT_S)
        finally:
            if self._turn is not None:
                self._turn.waiting_for_user(time.monotonic() - started)

    # -- internals -------------------------------------------------------------

    def _instantiate(self) -> None:
        with Turn(self, self._store, self.limits, "instantiate") as turn:
            self._turn = turn
            try:
                self._instance = self.app.linker.instantiate(self._store, self.app.component)
            except BaseException as error:  # noqa: BLE001 - classified and re-raised
                raise self._end(self._classify(error, turn)) from error
            finally:
                self._turn = None
        for name, index in self.app.exports.items():
            self._funcs[name] = self._instance.get_func(self._store, index)

    def _output(self, stream: str, data: bytes) -> None:
        # A program's `print(a, b)` arrives as several writes: lines are put
        # together here, and what is left without a newline goes out when the
        # turn ends (`_end_output`) or when it outgrows PARTIAL_LINE_CHARS.
        turn = self._turn
        if turn is None:
            return  # no turn, no guest code running: nothing can be writing
        decoder = self._decoders.get(stream)
        if decoder is None:
            decoder = self._decoders[stream] = codecs.getincrementaldecoder("utf-8")("replace")
        text = self._partial.pop(stream, "") + decoder.decode(bytes(data))
        *lines, rest = text.split("\n")
        if len(rest) > PARTIAL_LINE_CHARS:
            lines.append(rest)
        elif rest:
            self._partial[stream] = rest
        for line in lines:
            self._admit_output(turn, stream, line)

    def _end_output(self, turn: Turn) -> None:
        """Log what the turn wrote after its last newline."""
        for stream in list(self._partial):
            self._admit_output(turn, stream, self._partial.pop(stream))
        self._decoders.clear()

    def _admit_output(self, turn: Turn, stream: str, line: str) -> None:
        # stdout and stderr spend the same per-turn budget as the program's log.
        text = turn.admit_log(line)
        if text:
            self.add_log(stream, text)

    def _call(self, export: str, *args: Any) -> None:
        if self.ended is not None:
            raise SessionEnded(f"session {self.id} has ended: {self.ended.message}", code=self.ended.code)
        if self._instance is None:
            raise SessionEnded(f"session {self.id} was never started")
        func = self._funcs[export]
        with Turn(self, self._store, self.limits, export) as turn:
            self._turn = turn
            try:
                failure = func(self._store, *args)
            except BaseException as error:  # noqa: BLE001 - classified and re-raised
                raise self._end(self._classify(error, turn)) from error
            finally:
                self._end_output(turn)
                self._turn = None
        if failure is not None:
            self._failed(failure)

    def _failed(self, failure: Any) -> None:
        kind = getattr(failure, "kind", "Error")
        message = getattr(failure, "message", "")
        traceback = getattr(failure, "traceback", "")
        if traceback:
            self.add_log("error", traceback)
        if kind == "MemoryError":
            raise self._end(
                LimitExceeded(
                    "memory_bytes",
                    f"the program ran out of its {self.limits.memory_bytes // (1024 * 1024)} MiB of memory",
                )
            )
        raise ProgramError(kind, message, traceback)

    def _classify(self, error: BaseException, turn: Turn) -> SessionEnded:
        if isinstance(error, SessionEnded):
            return error
        if isinstance(error, wasmtime.WasmtimeError) or isinstance(error, wasmtime.Trap):
            text = str(error)
            if "wasm trap: interrupt" in text:
                return turn.classify_interrupt()
            if "exceeds memory limits" in text or "memory limit" in text:
                return LimitExceeded("memory_bytes", f"the program needs more than {self.limits.memory_bytes} bytes of memory")
            cause = text.strip().splitlines()[-1] if text.strip() else "unknown trap"
            return ProgramTrapped(f"the program trapped during {turn.what}: {cause}")
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise error
        return ProgramTrapped(f"the host failed while serving the program ({turn.what}): {error!r}")

    def _end(self, reason: SessionEnded) -> SessionEnded:
        if isinstance(reason, LimitExceeded):
            LIMIT_BREACHES.labels(reason.limit).inc()
        self.ended = reason
        self.state = "ended"
        self.add_log("error", f"session ended: {reason.message}")
        self._release()
        if self._on_end:
            self._on_end(self)
        return reason

    def _release(self) -> None:
        self._funcs.clear()
        self._instance = None
        self._store = None  # type: ignore[assignment]
