"""Events between hosts through PostgreSQL's LISTEN/NOTIFY.

One channel per database schema (hosts of another schema on the same server
hear nothing of these), one listening connection per process on a daemon
thread, and a publish is one `pg_notify` on a pooled connection. PostgreSQL
delivers a notification to every listening connection when the publishing
transaction commits, in commit order; a host that is disconnected at that
moment misses it, so events only say "look now" and the database stays the
record. The listener asks the database's clock every few seconds while it
listens; when it listens again after a break it hands that last time to the
`on_reconnect` subscribers, which read what changed since from the database
before any newer event is dispatched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

import sqlalchemy as sa

from .bus import CatchUp, Handler

if TYPE_CHECKING:
    from ..database import Database

#: NOTIFY refuses payloads of 8000 bytes or more; the envelope takes the rest.
MAX_PAYLOAD = 7600
#: How long the listener waits for a notification before it checks whether to stop.
POLL_SECONDS = 0.5
#: Waits between reconnection attempts, growing to the last.
RECONNECT_SECONDS = (0.1, 0.5, 1.0, 2.0)
#: How often the listener reads the database's clock: how far back a catch-up reads, at least.
HEARTBEAT_SECONDS = 5.0
#: The listening connection's `application_name`, then the process id (operators find it in pg_stat_activity).
APPLICATION_NAME = "capsule-events"
#: A test seam: while the file this names exists, a listener that lost its connection does not reconnect.
HOLD_VARIABLE = "CAPSULE_EVENTS_HOLD"

log = logging.getLogger("capsule.events")


class PostgresEvents:
    def __init__(self, database: "Database") -> None:
        self.database = database
        #: This process's id: its own notifications come back to it and are dropped.
        self.origin = secrets.token_hex(8)
        self._handlers: dict[str, list[Handler]] = {}
        self._reconnect_handlers: list[CatchUp] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        #: Set while the listening connection is up (tests wait on it before publishing elsewhere).
        self.listening = threading.Event()
        self._thread: threading.Thread | None = None
        self._channel: str | None = None
        #: The database clock (epoch seconds) when the listener was last known to be listening.
        self.alive_at: float | None = None

    @property
    def channel(self) -> str:
        """`capsule_<hash of database and schema>`: hosts of one schema share it."""
        if self._channel is None:
            with self.database.read() as connection:
                name, schema = connection.execute(sa.text("SELECT current_database(), current_schema()")).one()
            self._channel = "capsule_" + hashlib.sha256(f"{name}\0{schema}".encode()).hexdigest()[:24]
        return self._channel

    def publish(self, topic: str, payload: Any) -> None:
        body = json.dumps({"o": self.origin, "t": topic, "p": payload}, separators=(",", ":"))
        if len(body.encode()) > MAX_PAYLOAD:
            raise ValueError(f"an event is at most {MAX_PAYLOAD} bytes; send ids and let hosts read the rest")
        with self.database.transaction() as connection:
            connection.execute(sa.text("SELECT pg_notify(:channel, :body)"), {"channel": self.channel, "body": body})

    def publish_batches(self, topic: str, items: list[Any]) -> None:
        """Publish `items` as as few events as fit (each a list of items)."""
        batch: list[Any] = []
        size = 0
        for item in items:
            encoded = len(json.dumps(item, separators=(",", ":")).encode()) + 1
            if batch and size + encoded > MAX_PAYLOAD - 200:
                self.publish(topic, batch)
                batch, size = [], 0
            batch.append(item)
            size += encoded
        if batch:
            self.publish(topic, batch)

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        with self._lock:
            self._handlers.setdefault(topic, []).append(handler)
            self._start()

        def unsubscribe() -> None:
            with self._lock:
                if handler in self._handlers.get(topic, []):
                    self._handlers[topic].remove(handler)

        return unsubscribe

    def on_reconnect(self, catch_up: CatchUp) -> Callable[[], None]:
        """Call `catch_up(since)` when the listener listens again after a break, before it hands on
        any newer event; `since` is the database clock's time it was last known to be listening."""
        with self._lock:
            self._reconnect_handlers.append(catch_up)

        def unsubscribe() -> None:
            with self._lock:
                if catch_up in self._reconnect_handlers:
                    self._reconnect_handlers.remove(catch_up)

        return unsubscribe

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    # -- the listener -----------------------------------------------------------

    def _start(self) -> None:
        if self._thread is None:
            self.channel  # noqa: B018 - resolved here, on the caller's thread, so a bad database fails loudly
            self._thread = threading.Thread(target=self._listen, name="capsule-events", daemon=True)
            self._thread.start()

    def _listen(self) -> None:
        import psycopg

        url = self.database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        failures = 0
        while not self._stop.is_set():
            try:
                self._wait_while_held()
                with psycopg.connect(
                    url, autocommit=True, application_name=f"{APPLICATION_NAME} {os.getpid()}",
                    # A silently dropped network path is noticed in seconds, not at the kernel's TCP timeout.
                    keepalives=1, keepalives_idle=10, keepalives_interval=5, keepalives_count=3, tcp_user_timeout=30_000,
                ) as connection:
                    connection.execute(f'LISTEN "{self.channel}"')
                    # Listening from here on: what committed after `missed_since` and before now is read
                    # from the database by the catch-ups; what commits later arrives as notifications.
                    missed_since, self.alive_at = self.alive_at, _database_clock(connection)
                    failures = 0
                    self.listening.set()
                    if missed_since is not None:
                        self._reconnected(missed_since)
                    beat = time.monotonic()
                    while not self._stop.is_set():
                        for notification in connection.notifies(timeout=POLL_SECONDS):
                            self._dispatch(notification.payload)
                        if time.monotonic() - beat >= HEARTBEAT_SECONDS:
                            self.alive_at = _database_clock(connection)
                            beat = time.monotonic()
            except Exception as error:  # noqa: BLE001 - any failure: reconnect, never die
                self.listening.clear()
                log.warning("listening for other hosts' events failed (%s); reconnecting", error)
                self._stop.wait(RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)])
                failures += 1
        self.listening.clear()

    def _wait_while_held(self) -> None:
        hold = os.environ.get(HOLD_VARIABLE)
        while hold and os.path.exists(hold) and not self._stop.is_set():
            self._stop.wait(0.05)

    def _dispatch(self, body: str) -> None:
        try:
            event = json.loads(body)
            origin, topic, payload = event["o"], event["t"], event["p"]
        except (ValueError, KeyError, TypeError):
            return
        if origin == self.origin:
            return
        with self._lock:
            handlers = list(self._handlers.get(topic, ()))
        for handler in handlers:
            try:
                handler(payload)
            except Exception:  # noqa: BLE001 - one broken subscriber must not stop the others
                log.exception("a subscriber of %s events failed", topic)

    def _reconnected(self, since: float) -> None:
        with self._lock:
            handlers = list(self._reconnect_handlers)
        log.info("listening again for other hosts' events; catching up from %.3f", since)
        for handler in handlers:
            try:
                handler(since)
            except Exception:  # noqa: BLE001 - one broken catch-up must not stop the others
                log.exception("a catch-up after reconnecting failed")


def _database_clock(connection: Any) -> float:
    """The database server's time now, in epoch seconds (hosts' clocks may disagree with it)."""
    return float(connection.execute("SELECT extract(epoch FROM clock_timestamp())").fetchone()[0])
