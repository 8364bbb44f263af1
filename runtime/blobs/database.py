"""Blobs in the runtime's database: the default when hosts share PostgreSQL.

A blob is a row of metadata and its bytes in chunks of 1 MiB, so neither a
write nor a read needs one value the size of a whole video, and every host on
the database reads what any host wrote. Namespaces keep stores apart
("packages" for the registry, "media" for uploads).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..capabilities.deferred import DeferredDatabase
from .store import Blob, check_name

if TYPE_CHECKING:
    from ..capabilities.deferred import DatabaseSource
    from ..database import Database

CHUNK_BYTES = 1 << 20

metadata = sa.MetaData()

blobs = sa.Table(
    "blobs",
    metadata,
    sa.Column("namespace", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("mime", sa.String(100), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

blob_chunks = sa.Table(
    "blob_chunks",
    metadata,
    sa.Column("namespace", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)


class DatabaseBlobs:
    """A `BlobStore` in the database's `blobs` and `blob_chunks` tables."""

    def __init__(self, database: "DatabaseSource", namespace: str) -> None:
        self._database = DeferredDatabase(database, metadata)
        self.namespace = namespace

    @property
    def database(self) -> "Database":
        return self._database.get()

    def put(self, name: str, data: bytes, mime: str) -> bool:
        check_name(name)
        if self.exists(name):
            return False
        try:
            # One transaction: the row appears with all its chunks or not at all.
            with self.database.transaction() as connection:
                connection.execute(
                    blobs.insert().values(namespace=self.namespace, name=name, size=len(data), mime=mime[:100], created_at=time.time())
                )
                chunks = [data[at : at + CHUNK_BYTES] for at in range(0, len(data), CHUNK_BYTES)] or [b""]
                connection.execute(
                    blob_chunks.insert(),
                    [{"namespace": self.namespace, "name": name, "seq": seq, "data": chunk} for seq, chunk in enumerate(chunks)],
                )
        except sa.exc.IntegrityError:
            return False  # another host stored the same bytes at the same moment
        return True

    def get(self, name: str) -> Blob | None:
        if not _valid(name):
            return None
        with self.database.read() as connection:
            row = connection.execute(
                sa.select(blobs.c.size, blobs.c.mime).where(blobs.c.namespace == self.namespace, blobs.c.name == name)
            ).first()
            if row is None:
                return None
            chunks = connection.execute(
                sa.select(blob_chunks.c.data)
                .where(blob_chunks.c.namespace == self.namespace, blob_chunks.c.name == name)
                .order_by(blob_chunks.c.seq)
            ).scalars()
            data = b"".join(bytes(chunk) for chunk in chunks)
        return Blob(data, row.mime)

    def exists(self, name: str) -> bool:
        if not _valid(name):
            return False
        with self.database.read() as connection:
            return connection.execute(
                sa.select(blobs.c.name).where(blobs.c.namespace == self.namespace, blobs.c.name == name)
            ).first() is not None


def _valid(name: str) -> bool:
    try:
        check_name(name)
    except ValueError:
        return False
    return True
