"""The developer inspector: capability calls, log lines and builds, as they happen.

It is an observer of capability calls (see `capabilities.binding`) that asks
for the arguments, and a log listener of the program's sessions. Entries go
into a ring buffer a page can poll (`entries(since=...)`) and to subscribers,
who are called on the session's own thread while the program waits: they must
be quick and thread-safe (an asyncio server hands the entry to its loop with
`loop.call_soon_threadsafe`).
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

if TYPE_CHECKING:
    from ..capabilities.binding import CallRecord
    from ..session import LogLine, Session
    from .program import DevBuild

#: Entries kept; older ones are dropped first.
CAPACITY = 2_000
#: Characters of one text argument shown before it is cut.
ARG_CHARS = 160
#: Items of one list argument shown.
ARG_ITEMS = 10
#: JSON text up to this long is parsed for the inspector (a view is at most 256 KiB).
JSON_ARG_CHARS = 256 * 1024

_BASE64 = re.compile(r"[A-Za-z0-9+/=\r\n_-]+")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DevEntry:
    """One thing the inspector saw. `data` holds the fields of its kind."""

    seq: int
    kind: str  # "call", "log" or "build"
    session: str | None
    at: float
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form the web shell shows, e.g. {"kind": "call", "capability": ..., "args": ...}."""
        return {"seq": self.seq, "kind": self.kind, "session": self.session, "at": self.at, **self.data}


Subscriber = Callable[[DevEntry], None]


class Inspector:
    """Every capability call (arguments, decision, timing), log line and build of one program."""

    #: Read by the binding wrapper: this observer's records carry the arguments.
    wants_args = True
    #: Read by the binding wrapper: nothing is skipped, ui and log included.
    ignores: frozenset[str] = frozenset()

    def __init__(self, parameters: Mapping[str, Sequence[str]] | None = None, *, capacity: int = CAPACITY) -> None:
        #: "storage.set" -> ("key", "value"): names the arguments in entries.
        self.parameters = dict(parameters or {})
        self._entries: deque[DevEntry] = deque(maxlen=capacity)
        self._seq = itertools.count(1)
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    # -- feeding it ------------------------------------------------------------

    def __call__(self, record: "CallRecord") -> None:
        """An observer of capability calls."""
        qualified = f"{record.capability}.{record.function}"
        names = self.parameters.get(qualified, ())
        args = {
            (names[i] if i < len(names) else f"arg{i}"): summarize(value) for i, value in enumerate(record.args)
        }
        self._add(
            "call",
            record.session_id,
            record.at,
            {
                "capability": record.capability,
                "function": record.function,
                "args": args,
                "decision": record.decision,
                "duration_us": record.duration_us,
                "scope": record.scope,
                "bytes_out": record.bytes_out,
            },
        )

    def log(self, session: "Session", line: "LogLine") -> None:
        """A log listener of sessions (program log, stdout, stderr, tracebacks)."""
        self._add("log", session.id, line.at, {"level": line.level, "message": line.message})

    def build(self, result: "DevBuild") -> None:
        """A reload's outcome."""
        self._add("build", None, result.at, result.as_entry())

    # -- reading it ------------------------------------------------------------

    def entries(self, *, since: int = 0, session: str | None = None, kinds: set[str] | None = None) -> list[DevEntry]:
        """Entries after sequence number `since`, oldest first; builds belong to every session."""
        with self._lock:
            found = [entry for entry in self._entries if entry.seq > since]
        return [
            entry
            for entry in found
            if (session is None or entry.session in (None, session)) and (kinds is None or entry.kind in kinds)
        ]

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback` with every new entry; returns the function that stops it."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    # -- internals -------------------------------------------------------------

    def _add(self, kind: str, session: str | None, at: float, data: dict[str, Any]) -> None:
        with self._lock:
            entry = DevEntry(next(self._seq), kind, session, at or time.time(), data)
            self._entries.append(entry)
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(entry)
            except Exception:  # noqa: BLE001 - a broken page must not break the program's call
                _log.exception("an inspector subscriber failed")


def _json_text(value: str) -> dict | list | None:
    """The object or array a JSON text holds (views and event data cross as JSON), else None."""
    text = value.strip()
    if len(text) > JSON_ARG_CHARS or not ((text[:1], text[-1:]) in (("{", "}"), ("[", "]"))):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def summarize(value: Any, *, chars: int = ARG_CHARS, depth: int = 0) -> Any:
    """A short, JSON-ready picture of a WIT value: long text cut, base64 and bytes only measured."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        if len(value) > 64 and " " not in value[:256] and _BASE64.fullmatch(value[:256]):
            return f"<base64, {len(value)} chars>"
        parsed = _json_text(value) if depth < 4 else None
        if parsed is not None:  # a view or event data: shown as the structure it is, not escaped text
            return summarize(parsed, chars=chars, depth=depth + 1)
        return value if len(value) <= chars else f"{value[:chars]}… ({len(value)} chars)"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if depth >= 4:
        return "…"
    if isinstance(value, (list, tuple)):
        items = [summarize(item, chars=chars, depth=depth + 1) for item in value[:ARG_ITEMS]]
        if len(value) > ARG_ITEMS:
            items.append(f"… {len(value) - ARG_ITEMS} more")
        return items
    if isinstance(value, dict):
        return {str(k): summarize(v, chars=chars, depth=depth + 1) for k, v in list(value.items())[:ARG_ITEMS]}
    if hasattr(value, "__dict__"):  # a WIT record or variant: attributes carry the WIT names
        return {k: summarize(v, chars=chars, depth=depth + 1) for k, v in vars(value).items() if not k.startswith("_")}
    text = str(value)
    return text if len(text) <= chars else f"{text[:chars]}…"
