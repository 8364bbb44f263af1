"""The audit trail: every capability call, for the user to read.

Recording must not slow the call it records, so `record` only appends to a
buffer; a writer thread flushes the buffer to the database every
`flush_interval` seconds (50 ms by default) and `close` flushes what is left.
A clean shutdown loses nothing; a crash (power cut, SIGKILL) loses at most the
calls of the last interval that were not yet written.
"""

from __future__ import annotations

import atexit
import threading
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..capabilities.deferred import DeferredDatabase
from . import tables

if TYPE_CHECKING:
    from ..capabilities.binding import CallRecord
    from ..capabilities.deferred import DatabaseSource
    from ..database import Database

#: Days an entry is kept before pruning; a host may choose otherwise.
DEFAULT_RETENTION_DAYS = 90.0
#: Capabilities that touch no user data and run on every turn: not worth a row each.
UNRECORDED = frozenset({"ui", "log"})


@dataclass(frozen=True)
class AuditEntry:
    """One call as the user reads it."""

    at: float
    user: str
    app_id: str
    app_version: str
    session_id: str
    capability: str
    function: str
    scope: str | None
    decision: str
    bytes_out: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class AuditTrail:
    """An observer of capability calls (see `capabilities.binding`) that keeps them."""

    def __init__(
        self,
        database: "DatabaseSource",
        *,
        retention_days: float = DEFAULT_RETENTION_DAYS,
        flush_interval: float = 0.05,
        unrecorded: frozenset[str] = UNRECORDED,
    ) -> None:
        self._database = DeferredDatabase(database, tables.metadata)
        self.retention_days = retention_days
        self.flush_interval = flush_interval
        self.unrecorded = unrecorded
        #: Read by the binding wrapper: calls of these capabilities are not even reported.
        self.ignores = unrecorded
        self._buffer: list[dict[str, object]] = []
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._writer: threading.Thread | None = None
        self._last_prune = 0.0

    # -- recording (the hot path) --------------------------------------------

    def __call__(self, record: "CallRecord") -> None:
        self.record(record)

    def record(self, record: "CallRecord") -> None:
        if record.capability in self.unrecorded:
            return
        row = {
            "at": record.at,
            "user": record.user,
            "app_id": record.app_id,
            "app_version": record.app_version,
            "session_id": record.session_id,
            "capability": record.capability,
            "function": record.function,
            "scope": record.scope,
            "decision": record.decision,
            "bytes_out": record.bytes_out,
        }
        with self._lock:
            self._buffer.append(row)
            if self._writer is None and not self._closed:
                self._writer = threading.Thread(target=self._run, name="capsule-audit", daemon=True)
                self._writer.start()
                # A host that exits without closing still writes what it recorded.
                atexit.register(self.close)

    # -- reading ---------------------------------------------------------------

    def entries(
        self, *, user: str | None = None, app_id: str | None = None, since: float | None = None, limit: int = 1000
    ) -> list[AuditEntry]:
        """Entries, oldest first; recorded calls not yet flushed are included."""
        self.flush()
        t = tables.audit
        query = sa.select(t).order_by(t.c.at, t.c.id).limit(limit)
        if user is not None:
            query = query.where(t.c.user == user)
        if app_id is not None:
            query = query.where(t.c.app_id == app_id)
        if since is not None:
            query = query.where(t.c.at >= since)
        with self.database.read() as db:
            rows = db.execute(query).all()
        return [
            AuditEntry(
                r.at, r.user, r.app_id, r.app_version, r.session_id, r.capability, r.function, r.scope,
                r.decision, r.bytes_out,
            )
            for r in rows
        ]

    # -- writing ---------------------------------------------------------------

    @property
    def database(self) -> "Database":
        return self._database.get()

    def flush(self) -> None:
        """Write every buffered entry now."""
        # One flush at a time (the writer thread, a reader, close): otherwise a
        # prune could run while an older batch is still being committed, and miss it.
        with self._flushing:
            with self._lock:
                rows, self._buffer = self._buffer, []
            if rows:
                try:
                    with self.database.transaction() as db:
                        db.execute(tables.audit.insert(), rows)
                except BaseException:
                    with self._lock:  # keep them for the next attempt
                        self._buffer[:0] = rows
                    raise
            if time.time() - self._last_prune > 3600:
                self.prune()

    def prune(self, now: float | None = None) -> int:
        """Delete entries older than the retention period; returns how many."""
        now = now if now is not None else time.time()
        self._last_prune = now
        cutoff = now - self.retention_days * 86400
        with self.database.transaction() as db:
            return db.execute(tables.audit.delete().where(tables.audit.c.at < cutoff)).rowcount

    def close(self) -> None:
        """Stop the writer and flush everything recorded. Safe to call twice."""
        with self._lock:
            self._closed = True
            writer, self._writer = self._writer, None
        self._wake.set()
        if writer is not None:
            writer.join()
            atexit.unregister(self.close)
        self.flush()

    def _run(self) -> None:
        while True:
            self._wake.wait(self.flush_interval)
            with self._lock:
                closed = self._closed
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - kept in the buffer; retried next interval
                pass
            if closed:
                return
