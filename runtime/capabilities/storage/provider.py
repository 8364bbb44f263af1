"""Where program storage lives: the protocol, and the embedded default in the runtime's database.

Keys and values are text. Usage counts the UTF-8 bytes of every key and value
a (program, user) keeps; a `set` that would go over the quota stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import sqlalchemy as sa

from ..deferred import DeferredDatabase

if TYPE_CHECKING:
    from ...database import Database
    from ..deferred import DatabaseSource

_metadata = sa.MetaData()

items = sa.Table(
    "storage_items",
    _metadata,
    sa.Column("app_id", sa.String(200), primary_key=True),
    sa.Column("user", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
)

#: One row per (program, user): the running total, and the row writers lock.
usage = sa.Table(
    "storage_usage",
    _metadata,
    sa.Column("app_id", sa.String(200), primary_key=True),
    sa.Column("user", sa.String(200), primary_key=True),
    sa.Column("used_bytes", sa.BigInteger, nullable=False),
    sa.Column("key_count", sa.Integer, nullable=False),
)


class QuotaExceeded(Exception):
    def __init__(self, needed: int, quota: int) -> None:
        super().__init__(f"storing this would use {needed} bytes; the quota is {quota} bytes")
        self.needed = needed
        self.quota = quota


@dataclass(frozen=True)
class Usage:
    used_bytes: int
    keys: int


class StorageProvider(Protocol):
    def get(self, app_id: str, user: str, key: str) -> str | None: ...

    def set(self, app_id: str, user: str, key: str, value: str, quota: int) -> None:
        """Store atomically, or raise `QuotaExceeded` and store nothing."""

    def delete(self, app_id: str, user: str, key: str) -> bool: ...

    def keys(self, app_id: str, user: str, prefix: str, limit: int) -> list[str]: ...

    def usage(self, app_id: str, user: str) -> Usage: ...


def entry_size(key: str, value: str) -> int:
    return len(key.encode()) + len(value.encode())


class DatabaseStorage:
    """The default: two tables in the runtime's database (SQLite or PostgreSQL)."""

    def __init__(self, database: "DatabaseSource") -> None:
        self._database = DeferredDatabase(database, _metadata)

    @property
    def database(self) -> "Database":
        return self._database.get()

    def get(self, app_id: str, user: str, key: str) -> str | None:
        with self.database.read() as db:
            return db.execute(
                sa.select(items.c.value).where(items.c.app_id == app_id, items.c.user == user, items.c.key == key)
            ).scalar_one_or_none()

    def set(self, app_id: str, user: str, key: str, value: str, quota: int) -> None:
        size = entry_size(key, value)
        where = sa.and_(items.c.app_id == app_id, items.c.user == user, items.c.key == key)
        with self.database.transaction() as db:
            total = self._lock_usage(db, app_id, user)
            old = db.execute(sa.select(items.c.size).where(where)).scalar_one_or_none()
            needed = total.used_bytes - (old or 0) + size
            if needed > quota:
                raise QuotaExceeded(needed, quota)
            if old is None:
                db.execute(items.insert().values(app_id=app_id, user=user, key=key, value=value, size=size))
            else:
                db.execute(items.update().where(where).values(value=value, size=size))
            self._save_usage(db, app_id, user, needed, total.keys + (old is None))

    def delete(self, app_id: str, user: str, key: str) -> bool:
        where = sa.and_(items.c.app_id == app_id, items.c.user == user, items.c.key == key)
        with self.database.transaction() as db:
            total = self._lock_usage(db, app_id, user)
            old = db.execute(sa.select(items.c.size).where(where)).scalar_one_or_none()
            if old is None:
                return False
            db.execute(items.delete().where(where))
            self._save_usage(db, app_id, user, total.used_bytes - old, total.keys - 1)
            return True

    def keys(self, app_id: str, user: str, prefix: str, limit: int) -> list[str]:
        query = sa.select(items.c.key).where(items.c.app_id == app_id, items.c.user == user)
        if prefix:
            # autoescape: a prefix may contain % or _; SQLite's LIKE ignores case, hence the filter below.
            query = query.where(items.c.key.startswith(prefix, autoescape=True))
        with self.database.read() as db:
            found = db.execute(query.order_by(items.c.key).limit(limit)).scalars().all()
        return sorted(k for k in found if k.startswith(prefix))

    def usage(self, app_id: str, user: str) -> Usage:
        with self.database.read() as db:
            row = db.execute(
                sa.select(usage.c.used_bytes, usage.c.key_count).where(usage.c.app_id == app_id, usage.c.user == user)
            ).first()
        return Usage(row.used_bytes, row.key_count) if row else Usage(0, 0)

    # The usage row serializes writers of one (program, user) on PostgreSQL
    # (SELECT ... FOR UPDATE); SQLite's BEGIN IMMEDIATE already serializes them.
    def _lock_usage(self, db: sa.Connection, app_id: str, user: str) -> Usage:
        where = sa.and_(usage.c.app_id == app_id, usage.c.user == user)
        row = db.execute(sa.select(usage.c.used_bytes, usage.c.key_count).where(where).with_for_update()).first()
        if row is None:
            db.execute(usage.insert().values(app_id=app_id, user=user, used_bytes=0, key_count=0))
            return Usage(0, 0)
        return Usage(row.used_bytes, row.key_count)

    def _save_usage(self, db: sa.Connection, app_id: str, user: str, used: int, keys: int) -> None:
        db.execute(
            usage.update().where(usage.c.app_id == app_id, usage.c.user == user).values(used_bytes=used, key_count=keys)
        )
