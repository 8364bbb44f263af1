"""One session's calls, in order and one at a time, on threads shared by every session.

A call into a program blocks its thread (a turn, or a prompt waiting for the
person), so sessions must not share one; but a thread of its own for every
live session is thousands of idle threads on a busy host, each holding the
stack pages its launch touched. `SerialWorker` holds no thread while its
session is idle: its calls queue, and one task on the web host's shared pool
runs them in order, then lets the thread go.
"""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable


class SerialWorker:
    """Runs what is submitted in submission order, never two at once. Thread-safe."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool = pool
        self._queue: deque[tuple[Callable[[], Any], Future[Any]]] = deque()
        self._lock = threading.Lock()
        self._running = False
        self._stopped = False

    def submit(self, call: Callable[[], Any]) -> Future[Any]:
        """Queue `call`; the future has its result. After `shutdown` the call is refused."""
        future: Future[Any] = Future()
        with self._lock:
            if self._stopped:
                raise RuntimeError("this session's worker was shut down: the session has ended")
            self._queue.append((call, future))
            if self._running:
                return future
            self._running = True
        self._pool.submit(self._drain)
        return future

    def shutdown(self) -> None:
        """Take no more calls; those queued still run."""
        with self._lock:
            self._stopped = True

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._running = False
                    return
                call, future = self._queue.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = call()
            except BaseException as error:  # noqa: BLE001 - handed to whoever waits on the future
                future.set_exception(error)
            else:
                future.set_result(result)
