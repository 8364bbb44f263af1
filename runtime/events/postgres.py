"""Events between hosts through PostgreSQL's LISTEN/NOTIFY.

One channel per database schema (hosts of another schema on the same server
hear nothing of these), one listening connection per process on a daemon
thread, and a publish is one `pg_notify` on a pooled connection. PostgreSQL
delivers a notification to every listening connection when the publishing
transaction commits, in commit order; a host that is disconnected at that
moment misses it, so events only say "look now" and the database stays the
record (a reconnecting listener tells its subscribers through `on_reconnect`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
from typing import TYPE_CHECKING, Any, Callable

import sqlalchemy as sa

from .bus import Handler

if TYPE_CHECKING:
    from ..database import Database

#: NOTIFY refuses payloads of 8000 bytes or more; the envelope takes the rest.
MAX_PAYLOAD = 7600
#: How long the listener waits for a notification before it checks whether to stop.
POLL_SECONDS = 0.5
#: Waits between reconnection attempts, growing to the last.
RECONNECT_SECONDS = (0.1, 0.5, 1.0, 2.0)

log = logging.getLogger("capsule.events")


class PostgresEvents:
    def __init__(self, database: "Database") -> None:
        self.database = database
        #: This process's id: its own notifications come back to it and are dropped.
        self.origin = secrets.token_hex(8)
        self._handlers: dict[str, list[Handler]] = {}
        self._reconnect_handlers: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        #: Set while the listening connection is up (tests wait on it before publishing elsewhere).
        self.listening = threading.Event()
        self._thread: threading.Thread | None = None
        self._channel: str | None = None

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

    def on_reconnect(self, handler: Callable[[], None]) -> None:
        """Call `handler` after the listener reconnected (events may have been missed meanwhile)."""
        with self._lock:
            self._reconnect_handlers.append(handler)

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
                with psycopg.connect(url, autocommit=True) as connection:
                    connection.execute(f'LISTEN "{self.channel}"')
                    if failures:
                        self._reconnected()
                    failures = 0
                    self.listening.set()
                    while not self._stop.is_set():
                        for notification in connection.notifies(timeout=POLL_SECONDS):
                            self._dispatch(notification.payload)
            except Exception as error:  # noqa: BLE001 - any failure: reconnect, never die
                self.listening.clear()
                log.warning("listening for other hosts' events failed (%s); reconnecting", error)
                self._stop.wait(RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)])
                failures += 1
        self.listening.clear()

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

    def _reconnected(self) -> None:
        with self._lock:
            handlers = list(self._reconnect_handlers)
        for handler in handlers:
            try:
                handler()
            except Exception:  # noqa: BLE001
                log.exception("a reconnect handler failed")
