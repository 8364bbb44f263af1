"""Sign-in throttling: a bounded count of recent failures per key, in memory.

Keys are "account:NAME" and "address:IP" (and "signup:IP" for new accounts):
guessing one person's password and spraying one password over many accounts
from one address both stop. A key over its limit is refused before any
password is checked, with the wait until its oldest failure leaves the window.
Counts live in this process: a host restarted starts counting afresh, which
costs an attacker a restart they cannot cause from outside.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Limit:
    attempts: int
    window_seconds: float


#: Five wrong passwords for one account per 15 minutes; twenty per address.
ACCOUNT_LIMIT = Limit(5, 15 * 60)
ADDRESS_LIMIT = Limit(20, 15 * 60)
#: New accounts from one address: each costs an argon2 hash and a row.
SIGNUP_LIMIT = Limit(10, 60 * 60)
#: Keys remembered at most; the least recently failed are forgotten first.
MAX_KEYS = 100_000


class Throttle:
    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS) -> None:
        self.clock = clock
        self.max_keys = max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, key: str, limit: Limit) -> float:
        """Seconds until `key` may try again; 0 when it may now."""
        now = self.clock()
        with self._lock:
            failures = self._recent(key, limit, now)
            if failures is None or len(failures) < limit.attempts:
                return 0.0
            return max(0.0, failures[-limit.attempts] + limit.window_seconds - now)

    def fail(self, key: str, limit: Limit) -> None:
        now = self.clock()
        with self._lock:
            failures = self._recent(key, limit, now)
            if failures is None:
                failures = self._failures[key] = deque(maxlen=limit.attempts)
            failures.append(now)
            self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, limit: Limit, now: float) -> deque[float] | None:
        failures = self._failures.get(key)
        if failures is not None:
            while failures and failures[0] <= now - limit.window_seconds:
                failures.popleft()
        return failures


def say_wait(seconds: float) -> str:
    """"14 minutes 5 seconds", "40 seconds": how long, for a person."""
    whole = max(1, math.ceil(seconds))
    minutes, rest = divmod(whole, 60)
    if minutes == 0:
        return f"{rest} second{'s' if rest != 1 else ''}"
    text = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{text} {rest} second{'s' if rest != 1 else ''}" if rest else text
