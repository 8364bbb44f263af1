"""Signed notifications to the merchant's backend: an outbox, retried with backoff.

A payment and its notification are written in the same database transaction
(see `EmbeddedProvider._notify`), so a notification exists exactly when the
payment does. This sender drains the outbox: it POSTs each event, marks it
delivered on a 2xx answer, and otherwise tries again later, doubling the wait
each time, until `max_attempts`. Delivery is "at least once": the receiver
deduplicates by event id (`capsule.sdk.merchant.NotificationInbox`).
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa

from ...database import Database
from .tables import metadata, outbox

#: (url, body, headers) -> HTTP status; raises OSError when the backend cannot be reached.
Transport = Callable[[str, bytes, dict[str, str]], int]

SIGNATURE_HEADER = "Capsule-Signature"
EVENT_HEADER = "Capsule-Event-Id"


def host_allowed(url: str, patterns: list[str]) -> bool:
    """Whether `url`'s host (and port) matches a manifest network pattern:
    "api.example.com", "api.example.com:8443" or "*.example.com" (subdomains only)."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or 443  # notify URLs are https
    for pattern in patterns:
        name, _, wanted = pattern.partition(":")
        if port != (int(wanted) if wanted else 443):
            continue
        if name.startswith("*."):
            if host.endswith(name[1:]) and host != name[2:]:
                return True
        elif host == name:
            return True
    return False


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float = 10.0) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - https from the manifest
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@dataclass(frozen=True)
class Backoff:
    """Wait `first` seconds after the first failure, doubling up to `longest`."""

    first: float = 5.0
    longest: float = 3600.0
    max_attempts: int = 12

    def delay(self, attempts: int) -> float:
        return min(self.first * 2 ** max(attempts - 1, 0), self.longest)


class NotificationSender:
    """Delivers due notifications; `deliver_due` once, or `start` a background thread."""

    def __init__(
        self,
        database: Database,
        *,
        transport: Transport = http_post,
        backoff: Backoff = Backoff(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.database = database
        self.transport = transport
        self.backoff = backoff
        self.clock = clock
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopped = False
        database.ensure(metadata)

    def deliver_due(self) -> int:
        """Try every notification whose time has come; returns how many were delivered."""
        now = self.clock()
        with self.database.read() as conn:
            due = conn.execute(
                sa.select(outbox.c.event_id, outbox.c.url, outbox.c.body, outbox.c.signature, outbox.c.attempts)
                .where(outbox.c.state == "pending", outbox.c.next_attempt_at <= now)
                .order_by(outbox.c.next_attempt_at)
                .limit(100)
            ).all()
        delivered = 0
        for event_id, url, body, signature, attempts in due:
            headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature, EVENT_HEADER: event_id}
            try:
                status = self.transport(url, body.encode("utf-8"), headers)
                error = None if 200 <= status < 300 else f"HTTP {status}"
            except OSError as failure:  # refused, timed out, DNS: try again later
                error = f"{type(failure).__name__}: {failure}"[:400]
            attempts += 1
            if error is None:
                values = {"state": "delivered", "attempts": attempts, "delivered_at": self.clock(), "last_error": None}
                delivered += 1
            elif attempts >= self.backoff.max_attempts:
                values = {"state": "failed", "attempts": attempts, "last_error": error}
            else:
                values = {"attempts": attempts, "last_error": error, "next_attempt_at": now + self.backoff.delay(attempts)}
            with self.database.transaction() as conn:
                conn.execute(outbox.update().where(outbox.c.event_id == event_id, outbox.c.state == "pending").values(**values))
        return delivered

    def next_due(self) -> float | None:
        with self.database.read() as conn:
            return conn.execute(
                sa.select(sa.func.min(outbox.c.next_attempt_at)).where(outbox.c.state == "pending")
            ).scalar_one_or_none()

    def kick(self) -> None:
        """Something was queued: deliver soon (starts the background thread on first use)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="capsule-payment-notifications", daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        """End the background thread (it finishes the delivery it is in)."""
        self._stopped = True
        self._wake.set()

    def _run(self) -> None:
        while not self._stopped:
            self._wake.clear()
            try:
                self.deliver_due()
                upcoming = self.next_due()
            except Exception:  # noqa: BLE001 - a database hiccup must not stop delivery for good
                upcoming = self.clock() + self.backoff.first
            wait = 60.0 if upcoming is None else max(0.05, min(upcoming - self.clock(), 60.0))
            self._wake.wait(wait)
