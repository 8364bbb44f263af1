"""Which user uploaded what, so a user can see their own uploads.

The store is content addressed and says nothing about who uploaded a file;
this log is the user's view of it, kept in the runtime's database and shown
only to that user (the host's "Me" page).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..deferred import DeferredDatabase

if TYPE_CHECKING:
    from ..deferred import DatabaseSource

_metadata = sa.MetaData()

uploads = sa.Table(
    "media_uploads",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user", sa.String(200), nullable=False, index=True),
    sa.Column("app_id", sa.String(200), nullable=False),
    sa.Column("url", sa.String(300), nullable=False),
    sa.Column("mime", sa.String(100), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class Upload:
    user: str
    app_id: str
    url: str
    mime: str
    size: int
    at: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class UploadLog:
    def __init__(self, database: "DatabaseSource") -> None:
        self._database = DeferredDatabase(database, _metadata)

    def add(self, user: str, app_id: str, url: str, mime: str, size: int) -> None:
        with self._database.get().transaction() as db:
            db.execute(uploads.insert().values(user=user, app_id=app_id, url=url, mime=mime, size=size, at=time.time()))

    def of(self, user: str, limit: int = 200) -> list[Upload]:
        """The user's uploads, newest first."""
        query = sa.select(uploads).where(uploads.c.user == user).order_by(uploads.c.id.desc()).limit(limit)
        with self._database.get().read() as db:
            return [Upload(r.user, r.app_id, r.url, r.mime, r.size, r.at) for r in db.execute(query)]
