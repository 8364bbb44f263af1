"""One bounded turn: a single call from the host into a program.

While a turn runs, its thread knows it (host functions find their session
through it), the guest's CPU time is bounded by an epoch deadline that host
calls do not consume, and host calls are counted.
"""

from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING

import wasmtime

from ..errors import LimitExceeded
from ..metrics.figures import TURNS
from .engine import EPOCH_TICK_MS
from .limits import TurnLimits

if TYPE_CHECKING:
    from ..session import Session

_local = threading.local()


def current_turn() -> "Turn":
    turn = getattr(_local, "turn", None)
    if turn is None:
        raise RuntimeError("a host function ran outside a turn")
    return turn


def remaining_wall_s() -> float | None:
    """Seconds the running turn has left on its wall clock; None outside a turn.

    Host functions that wait (a fetch, a sleep) wait at most this long.
    """
    turn = getattr(_local, "turn", None)
    return None if turn is None else turn.remaining_wall_s()


class Turn:
    """Counters and deadlines for one export call; a context manager."""

    def __init__(self, session: "Session", store: wasmtime.Store, limits: TurnLimits, what: str) -> None:
        self.session = session
        self.store = store
        self.limits = limits
        self.what = what
        self.host_calls = 0
        self.log_bytes = 0
        self.toasts = 0
        self._started = 0.0
        self._in_host = 0.0  # seconds spent in host functions
        self._waiting = 0.0  # seconds spent waiting for the user
        self._host_entered = 0.0
        self._unrefunded = 0.0  # host seconds not yet given back through the deadline

    def __enter__(self) -> "Turn":
        TURNS.inc()
        self._started = time.monotonic()
        self._set_deadline(self.limits.cpu_ms)
        _local.turn = self
        return self

    def __exit__(self, *exc: object) -> None:
        _local.turn = None
        # A turn outlives itself in tracebacks (a kept LimitExceeded): it must not keep
        # the store alive, or a trapped session's store is only dropped at interpreter exit.
        self.store = None  # type: ignore[assignment]

    # -- host calls --------------------------------------------------------

    def enter_host(self, name: str) -> None:
        self.host_calls += 1
        if self.host_calls > self.limits.host_calls:
            raise LimitExceeded(
                "host_calls",
                f"the program made more than {self.limits.host_calls} capability calls in one turn "
                f"(last: {name}); batch the work or spread it over several events",
            )
        self._host_entered = time.monotonic()
        self._check_wall(name)

    def leave_host(self) -> None:
        now = time.monotonic()
        spent = now - self._host_entered
        self._in_host += spent
        self._unrefunded += spent
        # Host time is given back to the guest's CPU budget by moving the epoch
        # deadline. Moving it costs a call into wasmtime, so it waits until the
        # time owed is worth a tick; a busy guest loses at most one tick.
        if self._unrefunded * 1000 < EPOCH_TICK_MS:
            return
        self._unrefunded = 0.0
        guest_ms = (now - self._started - self._in_host) * 1000
        wall_ms = (now - self._started - self._waiting) * 1000
        remaining = min(self.limits.cpu_ms - guest_ms, self.limits.wall_ms - wall_ms)
        self._set_deadline(remaining)

    def waiting_for_user(self, seconds: float) -> None:
        """Time a prompt took: it counts against neither CPU nor wall clock."""
        self._waiting += seconds

    def admit_log(self, message: str) -> str | None:
        """The part of `message` this turn's log budget still takes, or None once it is spent.

        The program's log, its stdout and its stderr share the one budget; the
        line that spends it ends with a notice.
        """
        budget = self.limits.log_bytes
        if self.log_bytes >= budget:
            return None
        size = len(message) if message.isascii() else len(message.encode())
        self.log_bytes += size
        if self.log_bytes < budget:
            return message
        keep = budget - (self.log_bytes - size)
        cut = message.encode()[:keep].decode("utf-8", "ignore")
        return cut + f" [log limit of {budget} bytes per turn reached; further lines dropped]"

    def remaining_wall_s(self) -> float:
        """Seconds left before this turn breaks its wall-clock limit (may be negative)."""
        return self.limits.wall_ms / 1000 - (time.monotonic() - self._started - self._waiting)

    def _check_wall(self, name: str) -> None:
        wall_ms = (time.monotonic() - self._started - self._waiting) * 1000
        if wall_ms > self.limits.wall_ms:
            raise LimitExceeded(
                "wall_ms",
                f"the turn ({self.what}) ran longer than {self.limits.wall_ms} ms in all (at {name})",
            )

    def _set_deadline(self, ms: float) -> None:
        self.store.set_epoch_deadline(max(1, math.ceil(ms / EPOCH_TICK_MS)))

    def classify_interrupt(self) -> LimitExceeded:
        """An epoch interrupt fired: say which budget ran out."""
        now = time.monotonic()
        wall_ms = (now - self._started - self._waiting) * 1000
        if wall_ms > self.limits.wall_ms:
            return LimitExceeded("wall_ms", f"the turn ({self.what}) ran longer than {self.limits.wall_ms} ms in all")
        return LimitExceeded(
            "cpu_ms",
            f"the program computed for more than {self.limits.cpu_ms} ms in one turn ({self.what}); "
            "it was stopped and its session ended",
        )
