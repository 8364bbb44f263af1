"""The grants a user gave or refused, per (user, program, scope), in the database.

Each decision is one row. There is no cache in front of it: every consented
call reads the row, so a revocation made in settings (this process or another
one) takes effect on the very next call, in sessions that are already open too.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..capabilities.deferred import DeferredDatabase
from . import tables
from .stamp import Stamp

if TYPE_CHECKING:
    from ..capabilities.deferred import DatabaseSource
    from ..database import Database


class GrantState(str, Enum):
    """Where one (user, program, scope) stands."""

    NOT_ASKED = "not-asked"
    GRANTED = "granted"
    DENIED = "denied"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Grant:
    user: str
    app_id: str
    scope: str
    state: GrantState
    decided_at: float | None = None
    expires_at: float | None = None

    def effective(self, now: float | None = None) -> GrantState:
        """The state as of `now`: an expired grant counts as never asked."""
        if self.state is GrantState.GRANTED and self.expires_at is not None:
            if (now if now is not None else time.time()) >= self.expires_at:
                return GrantState.NOT_ASKED
        return self.state

    def as_dict(self) -> dict[str, object]:
        return {
            "user": self.user,
            "app_id": self.app_id,
            "scope": self.scope,
            "state": self.effective().value,
            "decided_at": self.decided_at,
            "expires_at": self.expires_at,
        }


class ConsentStore:
    """Reads and changes grants. The settings API of a host is these methods."""

    def __init__(self, database: "DatabaseSource", *, stamp: Path | None = None) -> None:
        """`stamp`: a file beside a SQLite database that signals changes (see `stamp.py`);
        with it, grants are cached in memory; without it, every check reads the database."""
        self._database = DeferredDatabase(database, tables.metadata)
        self._stamp = Stamp(stamp) if stamp is not None else None
        self._cache: dict[tuple[str, str, str], Grant] = {}
        self._lock = threading.Lock()

    @property
    def database(self) -> "Database":
        return self._database.get()

    def get(self, user: str, app_id: str, scope: str) -> Grant:
        if self._stamp is None:
            return self._load(user, app_id, scope)
        key = (user, app_id, scope)
        with self._lock:
            if self._stamp.changed():
                self._cache.clear()
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        grant = self._load(user, app_id, scope)
        with self._lock:
            self._cache[key] = grant
        return grant

    def _load(self, user: str, app_id: str, scope: str) -> Grant:
        t = tables.grants
        with self.database.read() as db:
            row = db.execute(
                sa.select(t.c.state, t.c.decided_at, t.c.expires_at).where(
                    t.c.user == user, t.c.app_id == app_id, t.c.scope == scope
                )
            ).first()
        if row is None:
            return Grant(user, app_id, scope, GrantState.NOT_ASKED)
        return Grant(user, app_id, scope, GrantState(row.state), row.decided_at, row.expires_at)

    def list(self, user: str | None = None, app_id: str | None = None) -> list[Grant]:
        """Every decision, optionally for one user and/or one program."""
        t = tables.grants
        query = sa.select(t).order_by(t.c.user, t.c.app_id, t.c.scope)
        if user is not None:
            query = query.where(t.c.user == user)
        if app_id is not None:
            query = query.where(t.c.app_id == app_id)
        with self.database.read() as db:
            rows = db.execute(query).all()
        return [Grant(r.user, r.app_id, r.scope, GrantState(r.state), r.decided_at, r.expires_at) for r in rows]

    def grant(self, user: str, app_id: str, scope: str, *, ttl_seconds: float | None = None) -> Grant:
        now = time.time()
        return self._set(user, app_id, scope, GrantState.GRANTED, now, now + ttl_seconds if ttl_seconds else None)

    def deny(self, user: str, app_id: str, scope: str) -> Grant:
        return self._set(user, app_id, scope, GrantState.DENIED, time.time(), None)

    def revoke(self, user: str, app_id: str, scope: str | None = None) -> list[Grant]:
        """Take back granted scopes (one, or every scope of the program when `scope` is None).

        A revoked scope is refused without asking until the user grants it
        again or resets it in settings. Returns the grants that changed.
        """
        changed = [g for g in self.list(user, app_id) if g.state is GrantState.GRANTED and scope in (None, g.scope)]
        return [self._set(user, app_id, g.scope, GrantState.REVOKED, time.time(), None) for g in changed]

    def reset(self, user: str, app_id: str, scope: str | None = None) -> int:
        """Forget decisions, so the program asks again; returns how many were forgotten."""
        t = tables.grants
        condition = sa.and_(t.c.user == user, t.c.app_id == app_id)
        if scope is not None:
            condition = sa.and_(condition, t.c.scope == scope)
        with self.database.transaction() as db:
            count = db.execute(t.delete().where(condition)).rowcount
        self._changed()
        return count

    def _set(
        self, user: str, app_id: str, scope: str, state: GrantState, at: float, expires_at: float | None
    ) -> Grant:
        t = tables.grants
        key = sa.and_(t.c.user == user, t.c.app_id == app_id, t.c.scope == scope)
        values = {"state": state.value, "decided_at": at, "expires_at": expires_at}
        try:
            with self.database.transaction() as db:
                # Update first, insert when absent: portable across SQLite and PostgreSQL.
                if db.execute(t.update().where(key).values(**values)).rowcount == 0:
                    db.execute(t.insert().values(user=user, app_id=app_id, scope=scope, **values))
        except sa.exc.IntegrityError:
            # Another writer inserted the same row first (PostgreSQL): the row exists now.
            with self.database.transaction() as db:
                db.execute(t.update().where(key).values(**values))
        self._changed()
        return Grant(user, app_id, scope, state, at, expires_at)

    def _changed(self) -> None:
        # After the commit: a reader that reloads now sees the new row.
        with self._lock:
            self._cache.clear()
        if self._stamp is not None:
            self._stamp.touch()
