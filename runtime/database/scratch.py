"""A throwaway PostgreSQL schema: benchmarks and tests run on a database of their own, then leave nothing."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterator

import sqlalchemy


@contextmanager
def scratch_schema(url: str, *, prefix: str = "scratch") -> Iterator[str]:
    """A new, empty schema on the PostgreSQL at `url`, dropped with everything in it afterwards.

    Yields the URL whose connections use that schema alone (`search_path`), so
    tables made there never meet another schema's, and a run that is cut short
    leaves at most one `<prefix>_<hex>` schema to drop by hand.
    """
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        try:
            yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
        finally:
            with admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    finally:
        admin.dispose()
