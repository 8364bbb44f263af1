"""The database, opened when a capability first needs it.

A host builds every capability when it starts; a host whose programs never
touch storage, consent or profiles should not open (or create) the database.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Callable, Union

if TYPE_CHECKING:
    import sqlalchemy

    from ..database import Database

DatabaseSource = Union["Database", Callable[[], "Database"]]


class DeferredDatabase:
    """`Database` from a source (the database or a function returning it), tables ensured once."""

    def __init__(self, source: DatabaseSource, metadata: "sqlalchemy.MetaData") -> None:
        self._source = source
        self._metadata = metadata
        self._database: "Database | None" = None
        self._lock = threading.Lock()

    def get(self) -> "Database":
        if self._database is None:
            with self._lock:
                if self._database is None:
                    source = self._source
                    database = source() if callable(source) else source
                    database.ensure(self._metadata)
                    self._database = database
        return self._database
