"""Developer linking: one pseudonymous id across a developer's own programs.

By default a user's id is a keyed hash of (user, program), so two programs
cannot join what they know about a person. A developer who runs several
programs may link them into a group; programs in one group see the same id.
Only programs signed with the same developer key can share a group, so nobody
can link their program to someone else's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..deferred import DeferredDatabase

if TYPE_CHECKING:
    from ...database import Database
    from ..deferred import DatabaseSource

_metadata = sa.MetaData()

links = sa.Table(
    "developer_links",
    _metadata,
    sa.Column("app_id", sa.String(200), primary_key=True),
    sa.Column("link_group", sa.String(200), nullable=False, index=True),
    sa.Column("key_id", sa.String(200), nullable=False),
)


class LinkRefused(Exception):
    pass


class DeveloperLinks:
    def __init__(self, database: "DatabaseSource") -> None:
        self._database = DeferredDatabase(database, _metadata)

    @property
    def database(self) -> "Database":
        return self._database.get()

    def link(self, group: str, app_id: str, key_id: str) -> None:
        """Put `app_id` (signed with `key_id`) into `group`."""
        with self.database.transaction() as db:
            keys = set(db.execute(sa.select(links.c.key_id).where(links.c.link_group == group)).scalars())
            if keys and keys != {key_id}:
                raise LinkRefused(
                    f"link group {group!r} belongs to another developer key; "
                    f"only programs signed with the same key can be linked"
                )
            db.execute(links.delete().where(links.c.app_id == app_id))
            db.execute(links.insert().values(app_id=app_id, link_group=group, key_id=key_id))

    def unlink(self, app_id: str) -> bool:
        with self.database.transaction() as db:
            return db.execute(links.delete().where(links.c.app_id == app_id)).rowcount > 0

    def scope(self, app_id: str, key_id: str) -> str:
        """The scope user ids are computed in: the link group, else the program itself."""
        with self.database.read() as db:
            row = db.execute(sa.select(links.c.link_group, links.c.key_id).where(links.c.app_id == app_id)).first()
        # A link made for another key (the program changed hands) no longer counts.
        if row is None or row.key_id != key_id:
            return app_id
        return f"link:{row.link_group}"
