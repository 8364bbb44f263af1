"""Which version of each program a host has installed: its installed index.

On one machine (SQLite) the index is `CAPSULE_HOME/packages/installed.json`
(`FileIndex`). When hosts share a PostgreSQL database it is a table
(`DatabaseIndex`): a program installed on one host is installed on all of
them, and the replacement rules (no downgrade, no change of developer key)
hold across the cluster, not per machine. Each entry names the package
digest; the unpacked folder under `CAPSULE_HOME/packages/<digest>/` is a
per-host cache that a host fills from the shared blob store when it first
needs it.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa

from .capabilities.deferred import DeferredDatabase

if TYPE_CHECKING:
    from .capabilities.deferred import DatabaseSource
    from .services import HostServices

INDEX_FILE = "installed.json"

metadata = sa.MetaData()

installed_programs = sa.Table(
    "installed_programs",
    metadata,
    sa.Column("app_id", sa.String(200), primary_key=True),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("digest", sa.String(80), nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),
    sa.Column("installed_at", sa.Float, nullable=False),
)


class InstalledIndex(Protocol):
    def read(self) -> dict[str, dict[str, str]]:
        """Every installed program: app id -> {"version", "digest", "key_id"}."""
        ...

    def get(self, app_id: str) -> dict[str, str] | None: ...

    def put(self, app_id: str, version: str, digest: str, key_id: str) -> None: ...


class FileIndex:
    """`installed.json` in one host's packages folder, replaced whole on each write."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, dict[str, str]]:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}

    def get(self, app_id: str) -> dict[str, str] | None:
        return self.read().get(app_id)

    def put(self, app_id: str, version: str, digest: str, key_id: str) -> None:
        index = self.read()
        index[app_id] = {"version": version, "digest": digest, "key_id": key_id}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".index-")
        with os.fdopen(fd, "w") as f:
            json.dump(index, f, indent=2, sort_keys=True)
        os.replace(tmp, self.path)


class DatabaseIndex:
    """The index in the shared database: one row per program."""

    def __init__(self, database: "DatabaseSource") -> None:
        self._database = DeferredDatabase(database, metadata)

    def read(self) -> dict[str, dict[str, str]]:
        with self._database.get().read() as db:
            rows = db.execute(sa.select(installed_programs)).all()
        return {row.app_id: _entry(row) for row in rows}

    def get(self, app_id: str) -> dict[str, str] | None:
        with self._database.get().read() as db:
            row = db.execute(sa.select(installed_programs).where(installed_programs.c.app_id == app_id)).first()
        return None if row is None else _entry(row)

    def put(self, app_id: str, version: str, digest: str, key_id: str) -> None:
        values: dict[str, Any] = {"version": version, "digest": digest, "key_id": key_id, "installed_at": time.time()}
        database = self._database.get()
        where = installed_programs.c.app_id == app_id
        try:
            with database.transaction() as db:
                if db.execute(installed_programs.update().where(where).values(**values)).rowcount == 0:
                    db.execute(installed_programs.insert().values(app_id=app_id, **values))
        except sa.exc.IntegrityError:
            with database.transaction() as db:  # another host inserted it at the same moment
                db.execute(installed_programs.update().where(where).values(**values))


def _entry(row: sa.Row) -> dict[str, str]:
    return {"version": row.version, "digest": row.digest, "key_id": row.key_id}


def installed_index(services: "HostServices") -> InstalledIndex:
    """The index of the host these services belong to: the table on PostgreSQL, the file otherwise."""
    if services.shared_database:
        return DatabaseIndex(lambda: services.database)
    return FileIndex(services.home.packages / INDEX_FILE)
