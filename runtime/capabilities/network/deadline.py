"""One deadline for a whole fetch: connecting, redirects and every byte of the answer.

httpx's timeouts bound each step (a connect, one read), so a server that sends
one byte a second never trips them. A `Deadline` is checked between reads, and
its watchdog shuts the connection's socket at the deadline, which wakes a read
that is blocked on a server that went quiet.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any, Iterator


class Deadline:
    """`total` seconds from now."""

    def __init__(self, total: float) -> None:
        self.total = total
        self._at = time.monotonic() + total

    def remaining(self) -> float:
        return max(0.0, self._at - time.monotonic())

    def passed(self) -> bool:
        return time.monotonic() >= self._at

    @contextlib.contextmanager
    def watch(self, response: Any) -> Iterator[None]:
        """While the body is read: shut the response's socket down at the deadline."""
        sock = _socket_of(response)
        if sock is None:  # an in-memory transport: nothing can block
            yield
            return
        timer = threading.Timer(self.remaining(), _shut, args=(sock,))
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()


def _socket_of(response: Any) -> socket.socket | None:
    stream = getattr(response, "extensions", {}).get("network_stream")
    if stream is None:
        return None
    try:
        return stream.get_extra_info("socket")
    except Exception:  # noqa: BLE001 - a stream without a socket cannot block on one
        return None


def _shut(sock: socket.socket) -> None:
    # shutdown (not close) wakes a thread blocked in recv on this socket; the
    # reader then sees the connection end and the fetch reports the deadline.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
