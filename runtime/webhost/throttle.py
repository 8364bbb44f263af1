"""Sign-in throttling: recent failures per key, counted in the host's database.

Keys are "account:NAME" and "address:IP" (and "signup:IP" for new accounts):
guessing one person's password and spraying one password over many accounts
from one address both stop. A key over its limit is refused before any
password is checked, with the wait until its oldest counted failure leaves
the window.

The counts live in the database every host shares, so an attacker gains
nothing by spreading guesses over the hosts behind a load balancer, nor by a
host's restart. Keys are kept as SHA-256 (an account name or an address is
nobody's business in a table of failures), at most `attempts` rows per key,
and rows older than the longest window are deleted as new failures come in.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa

from ..database import Database

metadata = sa.MetaData()

failures = sa.Table(
    "web_signin_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key_hash", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
)


@dataclass(frozen=True)
class Limit:
    attempts: int
    window_seconds: float


#: Five wrong passwords for one account per 15 minutes; twenty per address.
ACCOUNT_LIMIT = Limit(5, 15 * 60)
ADDRESS_LIMIT = Limit(20, 15 * 60)
#: New accounts from one address: each costs an argon2 hash and a row.
SIGNUP_LIMIT = Limit(10, 60 * 60)
#: Failures older than this are deleted: no limit looks further back.
LONGEST_WINDOW = max(limit.window_seconds for limit in (ACCOUNT_LIMIT, ADDRESS_LIMIT, SIGNUP_LIMIT))


class Throttle:
    def __init__(self, database: Database, clock: Callable[[], float] = time.time) -> None:
        self.database = database
        self.clock = clock
        database.ensure(metadata)

    def wait(self, key: str, limit: Limit) -> float:
        """Seconds until `key` may try again; 0 when it may now."""
        now = self.clock()
        with self.database.read() as db:
            recent = db.execute(
                sa.select(failures.c.at)
                .where(failures.c.key_hash == _hash(key), failures.c.at > now - limit.window_seconds)
                .order_by(failures.c.at.desc())
                .limit(limit.attempts)
            ).scalars().all()
        if len(recent) < limit.attempts:
            return 0.0
        return max(0.0, recent[-1] + limit.window_seconds - now)

    def fail(self, key: str, limit: Limit) -> None:
        now = self.clock()
        key_hash = _hash(key)
        with self.database.transaction() as db:
            db.execute(failures.insert().values(key_hash=key_hash, at=now))
            kept = (
                sa.select(failures.c.id)
                .where(failures.c.key_hash == key_hash)
                .order_by(failures.c.at.desc(), failures.c.id.desc())
                .limit(limit.attempts)
                .scalar_subquery()
            )
            # Only the newest `attempts` of a key can ever count; nothing older than any window.
            db.execute(failures.delete().where(failures.c.key_hash == key_hash, failures.c.id.not_in(kept)))
            db.execute(failures.delete().where(failures.c.at < now - LONGEST_WINDOW))

    def clear(self, key: str) -> None:
        with self.database.transaction() as db:
            db.execute(failures.delete().where(failures.c.key_hash == _hash(key)))


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def say_wait(seconds: float) -> str:
    """"14 minutes 5 seconds", "40 seconds": how long, for a person."""
    whole = max(1, math.ceil(seconds))
    minutes, rest = divmod(whole, 60)
    if minutes == 0:
        return f"{rest} second{'s' if rest != 1 else ''}"
    text = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{text} {rest} second{'s' if rest != 1 else ''}" if rest else text
