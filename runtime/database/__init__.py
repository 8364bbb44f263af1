"""The runtime's database: SQLite under `CAPSULE_HOME` by default, PostgreSQL by URL.

Every embedded default that keeps state (the ledger, consent grants, the
audit trail, program storage, the registry) shares one `Database`. Each owner
declares its own tables on its own `sqlalchemy.MetaData` and calls
`Database.ensure` with it, so a module's tables live beside its code.

SQLAlchemy Core (not the ORM) is the layer: one dialect-neutral table
definition and query language over both databases, with connection pooling,
instead of two hand-written SQL flavours.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Iterator

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from ..errors import CapsuleError
from ..home import Home

if TYPE_CHECKING:
    from ..events import PeerEvents

#: The file the default SQLite database lives in, under `CAPSULE_HOME/data/`.
DEFAULT_FILE = "capsule.db"
#: Set it to use another database without passing a URL everywhere.
URL_VARIABLE = "CAPSULE_DATABASE_URL"


class DatabaseError(CapsuleError):
    code = "database"


class Database:
    """A pool of connections to one database, and its transactions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None, *, home: Home | None = None) -> "Database":
        """The database at `url`, else `$CAPSULE_DATABASE_URL`, else SQLite in `home`.

        URLs: `sqlite:///path/to/file.db` or `postgresql://user@host:port/name`.
        """
        url = url or os.environ.get(URL_VARIABLE)
        if not url:
            url = f"sqlite:///{(home or Home.resolve()).data / DEFAULT_FILE}"
        return cls(_engine(url))

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql": for the few queries that must differ."""
        return self.engine.dialect.name

    def ensure(self, metadata: sqlalchemy.MetaData) -> None:
        """Create the tables of `metadata` that do not exist yet."""
        with self.schema_change() as connection:
            metadata.create_all(connection, checkfirst=True)

    @contextmanager
    def schema_change(self) -> Iterator[Connection]:
        """A transaction for creating or changing tables, one process at a time.

        Several hosts start on one PostgreSQL at once, and each creates the
        tables it needs on first use: two `CREATE TABLE IF NOT EXISTS` of the
        same table in concurrent transactions make one fail ("already
        exists"). A transaction-level advisory lock queues them; the second
        then finds the tables the first committed. (SQLite's write lock does
        the same already.)
        """
        with self.engine.begin() as connection:
            if self.dialect == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
            yield connection

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A read-write transaction: committed when the block ends, rolled back on error.

        On SQLite the write lock is taken at the start (`BEGIN IMMEDIATE`), so
        two writers wait for each other instead of one failing halfway.
        """
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (a consistent snapshot; takes no write lock)."""
        with self.engine.connect().execution_options(capsule_read_only=True) as connection:
            with connection.begin():
                yield connection

    @cached_property
    def events(self) -> "PeerEvents":
        """Events to and from the other hosts on this database (none on SQLite; see `runtime.events`)."""
        from ..events import peer_events

        return peer_events(self)

    def close(self) -> None:
        if "events" in self.__dict__:
            self.events.close()
        self.engine.dispose()


#: The advisory lock key schema changes take on PostgreSQL ("caps" in ASCII).
_SCHEMA_LOCK = 0x63617073


def _engine(url: str) -> Engine:
    try:
        parsed = sqlalchemy.make_url(url)
    except sqlalchemy.exc.ArgumentError:
        raise DatabaseError(
            f"{url!r} is not a database URL; use sqlite:///path/to/file.db or postgresql://user@host:port/name"
        ) from None
    if parsed.get_backend_name() == "postgresql":
        # psycopg 3 is the driver we install; a bare postgresql:// would ask for psycopg2.
        return sqlalchemy.create_engine(parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    raise DatabaseError(f"Capsule runs on SQLite or PostgreSQL, not {parsed.get_backend_name()!r} ({url})")


def _sqlite_engine(url: sqlalchemy.URL) -> Engine:
    engine = sqlalchemy.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def configure(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
        # Let SQLAlchemy's "begin" event, not the driver, decide how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL: readers never block the writer; FULL: a committed transaction
        # survives a power cut, which money and consent records need.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Reads straight from the OS page cache instead of copying each page
        # into SQLite's own: ~10-15 % less CPU per search over 100,000
        # programs (docs/performance.md). Up to 1 GiB of address space (the
        # registry's database is ~280 MB at 100,000 programs), shared between
        # connections; writes still go through the WAL.
        cursor.execute("PRAGMA mmap_size=1073741824")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get("capsule_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine
