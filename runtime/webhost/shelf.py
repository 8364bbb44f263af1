"""Home's shelf: each account's recent programs and the favourites it pins and orders.

Both live in the host's database (SQLite by default, PostgreSQL by URL), keyed
by account name, so they follow the person to every device and browser they
sign in from. The web host records a recent on every launch; favourites
change only through the signed-in account's own requests (app.py).
"""

from __future__ import annotations

import re
import time
from typing import Callable

import sqlalchemy as sa

from ..database import Database
from ..errors import CapsuleError

metadata = sa.MetaData()

recents = sa.Table(
    "web_recents",
    metadata,
    sa.Column("user", sa.String(32), primary_key=True),
    sa.Column("app_id", sa.String(255), primary_key=True),
    sa.Column("opened_at", sa.Float, nullable=False),
)

favourites = sa.Table(
    "web_favourites",
    metadata,
    sa.Column("user", sa.String(32), primary_key=True),
    sa.Column("app_id", sa.String(255), primary_key=True),
    #: 0 is first; rewritten as a whole when the user reorders.
    sa.Column("position", sa.Integer, nullable=False),
)

#: Recents kept per account (older ones are forgotten as new ones come).
MAX_RECENTS = 20
#: Favourites one account may pin: Home is a shortlist, not a second catalogue.
MAX_FAVOURITES = 30
#: The shape of a program id (reverse DNS); anything else is refused before the database sees it.
APP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")


class ShelfError(CapsuleError):
    """A favourites change that cannot go ahead; the message says what to send instead."""

    code = "shelf"


class Shelf:
    """Recents and favourites of every account on one host."""

    def __init__(self, database: Database, clock: Callable[[], float] = time.time) -> None:
        self.database = database
        self.clock = clock
        database.ensure(metadata)

    # -- recents ----------------------------------------------------------------

    def opened(self, user: str, app_id: str) -> None:
        """`user` opened `app_id` now: it goes to the front of their recents."""
        now = self.clock()
        with self.database.transaction() as db:
            updated = db.execute(
                recents.update().where(recents.c.user == user, recents.c.app_id == app_id).values(opened_at=now)
            ).rowcount
            if not updated:
                db.execute(recents.insert().values(user=user, app_id=app_id, opened_at=now))
            # Forget beyond the bound: the rows older than the newest MAX_RECENTS.
            stale = db.execute(
                sa.select(recents.c.app_id)
                .where(recents.c.user == user)
                .order_by(recents.c.opened_at.desc(), recents.c.app_id)
                .offset(MAX_RECENTS)
            ).scalars().all()
            if stale:
                db.execute(recents.delete().where(recents.c.user == user, recents.c.app_id.in_(stale)))

    def recents(self, user: str) -> list[tuple[str, float]]:
        """(app id, opened at) for `user`, most recent first."""
        with self.database.read() as db:
            rows = db.execute(
                sa.select(recents.c.app_id, recents.c.opened_at)
                .where(recents.c.user == user)
                .order_by(recents.c.opened_at.desc(), recents.c.app_id)
                .limit(MAX_RECENTS)
            ).all()
        return [(row.app_id, row.opened_at) for row in rows]

    def forget_recent(self, user: str, app_id: str) -> bool:
        with self.database.transaction() as db:
            return bool(db.execute(recents.delete().where(recents.c.user == user, recents.c.app_id == app_id)).rowcount)

    # -- favourites -------------------------------------------------------------

    def favourites(self, user: str) -> list[str]:
        """`user`'s favourites in the order they chose."""
        with self.database.read() as db:
            return list(
                db.execute(
                    sa.select(favourites.c.app_id)
                    .where(favourites.c.user == user)
                    .order_by(favourites.c.position, favourites.c.app_id)
                ).scalars()
            )

    def pin(self, user: str, app_id: object) -> list[str]:
        """Add `app_id` at the end of `user`'s favourites (already there: unchanged)."""
        app_id = check_app_id(app_id)
        with self.database.transaction() as db:
            present = db.execute(
                sa.select(favourites.c.app_id, favourites.c.position).where(favourites.c.user == user)
            ).all()
            if app_id not in {row.app_id for row in present}:
                if len(present) >= MAX_FAVOURITES:
                    raise ShelfError(f"you have {MAX_FAVOURITES} favourites already; remove one first")
                last = max((row.position for row in present), default=-1)
                db.execute(favourites.insert().values(user=user, app_id=app_id, position=last + 1))
        return self.favourites(user)

    def unpin(self, user: str, app_id: object) -> list[str]:
        app_id = check_app_id(app_id)
        with self.database.transaction() as db:
            db.execute(favourites.delete().where(favourites.c.user == user, favourites.c.app_id == app_id))
        return self.favourites(user)

    def order(self, user: str, order: object) -> list[str]:
        """Put `user`'s favourites in `order`: the same programs, each once, in a new order."""
        if not isinstance(order, list) or len(order) > MAX_FAVOURITES:
            raise ShelfError(f"send `order` as a list of at most {MAX_FAVOURITES} program ids")
        wanted = [check_app_id(app_id) for app_id in order]
        with self.database.transaction() as db:
            present = set(db.execute(sa.select(favourites.c.app_id).where(favourites.c.user == user)).scalars())
            if len(set(wanted)) != len(wanted) or set(wanted) != present:
                # Another device changed them meanwhile, or the list is wrong: lose nothing, say so.
                raise ShelfError(
                    "`order` must list each of your favourites exactly once; reload Home and reorder again"
                )
            for position, app_id in enumerate(wanted):
                db.execute(
                    favourites.update()
                    .where(favourites.c.user == user, favourites.c.app_id == app_id)
                    .values(position=position)
                )
        return self.favourites(user)


def check_app_id(app_id: object) -> str:
    if not isinstance(app_id, str) or not APP_ID.fullmatch(app_id):
        raise ShelfError("send `app_id` as a program id such as dev.capsule.samples.coffee")
    return app_id
