"""Blocking waits that the host can end: `time.sleep` and `select` without sockets.

Inside a component, `time.sleep` is a WASI sleep: the thread blocks in
wasmtime's host code, where the turn's wall-clock limit cannot reach it (epoch
interruption only stops wasm code). Routed through `ui.sleep` instead, the
wait happens in Capsule's host, which wakes it at the limit and ends the turn.
Installed when `capsule_sdk` is imported, so `from time import sleep` in a
program's modules gets this one too.
"""

from __future__ import annotations

import math
import select
import time

from ._bindings import interface

_MAX_MS = 2**64 - 1


def sleep(seconds: float, /) -> None:
    """`time.sleep`, waiting in the host."""
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        raise TypeError(f"'{type(seconds).__name__}' object cannot be interpreted as an integer or float")
    if not seconds >= 0:  # also refuses NaN
        raise ValueError("sleep length must be non-negative")
    milliseconds = _MAX_MS if math.isinf(seconds) else min(math.ceil(seconds * 1000), _MAX_MS)
    interface("ui").sleep(milliseconds)


def _wait_then(check, timeout_s: float | None):
    """Ask `check` without blocking; if nothing is ready, wait in the host and ask again."""
    ready = check()
    if ready or timeout_s is not None and timeout_s <= 0:
        return ready
    sleep(float("inf") if timeout_s is None else timeout_s)
    return check()


_original_select = getattr(select, "select", None)
_original_poll = getattr(select, "poll", None)


def _select(rlist, wlist, xlist, timeout=None):
    """`select.select`: a program has no sockets, so this only ever waits on stdio."""

    def check():
        found = _original_select(rlist, wlist, xlist, 0)
        return found if any(found) else None

    return _wait_then(check, timeout) or ([], [], [])


class _Poll:
    """`select.poll()`, with its waits in the host."""

    def __init__(self) -> None:
        self._poll = _original_poll()

    def register(self, fd, eventmask=None):
        if eventmask is None:
            self._poll.register(fd)
        else:
            self._poll.register(fd, eventmask)

    def modify(self, fd, eventmask):
        self._poll.modify(fd, eventmask)

    def unregister(self, fd):
        self._poll.unregister(fd)

    def poll(self, timeout=None):
        seconds = None if timeout is None or timeout < 0 else timeout / 1000
        return _wait_then(lambda: self._poll.poll(0), seconds) or []


def install() -> None:
    time.sleep = sleep
    if _original_select is not None:
        select.select = _select
    if _original_poll is not None:
        select.poll = _Poll
