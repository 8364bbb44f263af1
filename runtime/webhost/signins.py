"""Sign-in sessions: the cookie that says who a browser is, kept hashed on the server.

A sign-in gets a fresh random token (the cookie; never reused, so a token a
page planted before sign-in is worth nothing after it). The database keeps
only its SHA-256, so a copy of the database signs nobody in. A sign-in ends
after `idle_seconds` without a request, after `absolute_seconds` in any case,
and at sign-out. Its CSRF token is an HMAC of the cookie: bound to this
sign-in, readable only by pages of the host's own origin (`/api/config`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa

from ..database import Database

metadata = sa.MetaData()

signins = sa.Table(
    "web_signins",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user", sa.String(200), nullable=False, index=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("seen_at", sa.Float, nullable=False),
)

#: Longer cookie values are not ours: refused before any hashing or lookup.
MAX_TOKEN_CHARS = 100
#: `seen_at` is written at most this often, not on every request.
TOUCH_EVERY_SECONDS = 60.0


@dataclass(frozen=True)
class SessionPolicy:
    """How long a sign-in lasts: a bank's defaults."""

    idle_seconds: float = 30 * 60
    absolute_seconds: float = 12 * 3600


@dataclass(frozen=True)
class SignIn:
    token: str
    user: str
    created_at: float

    @property
    def id_hash(self) -> str:
        return hash_token(self.token)

    @property
    def csrf(self) -> str:
        return hmac.new(self.token.encode(), b"capsule/csrf/v1", hashlib.sha256).hexdigest()


class SignIns:
    def __init__(
        self, database: Database, policy: SessionPolicy | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.database = database
        self.policy = policy or SessionPolicy()
        self.clock = clock
        database.ensure(metadata)

    def start(self, user: str, *, replacing: str | None = None) -> SignIn:
        """A new sign-in for `user`; the browser's previous one (`replacing`) ends."""
        now = self.clock()
        token = secrets.token_urlsafe(32)
        with self.database.transaction() as db:
            if replacing:
                db.execute(signins.delete().where(signins.c.id_hash == hash_token(replacing[:MAX_TOKEN_CHARS])))
            self._prune(db, now)
            db.execute(signins.insert().values(id_hash=hash_token(token), user=user, created_at=now, seen_at=now))
        return SignIn(token, user, now)

    def find(self, token: str | None) -> SignIn | None:
        """The live sign-in behind a cookie value, or None (unknown, signed out or expired)."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        id_hash = hash_token(token)
        with self.database.read() as db:
            row = db.execute(sa.select(signins).where(signins.c.id_hash == id_hash)).first()
        if row is None:
            return None
        now = self.clock()
        if self._expired(row, now):
            self.end(token)
            return None
        if now - row.seen_at >= TOUCH_EVERY_SECONDS:
            with self.database.transaction() as db:
                db.execute(signins.update().where(signins.c.id_hash == id_hash).values(seen_at=now))
        return SignIn(token, row.user, row.created_at)

    def end(self, token: str) -> bool:
        """Sign out: the cookie stops working here and now, whoever holds a copy."""
        with self.database.transaction() as db:
            return db.execute(signins.delete().where(signins.c.id_hash == hash_token(token[:MAX_TOKEN_CHARS]))).rowcount > 0

    def switch_user(self, sign_in: SignIn, user: str) -> SignIn:
        """Developer mode: the developer's sign-in acts as another test persona."""
        with self.database.transaction() as db:
            db.execute(signins.update().where(signins.c.id_hash == sign_in.id_hash).values(user=user))
        return SignIn(sign_in.token, user, sign_in.created_at)

    def _expired(self, row: sa.Row, now: float) -> bool:
        return now - row.seen_at > self.policy.idle_seconds or now - row.created_at > self.policy.absolute_seconds

    def _prune(self, db: sa.Connection, now: float) -> None:
        db.execute(
            signins.delete().where(
                sa.or_(
                    signins.c.seen_at < now - self.policy.idle_seconds,
                    signins.c.created_at < now - self.policy.absolute_seconds,
                )
            )
        )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
