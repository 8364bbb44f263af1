"""Merchant server keys: per program, created and revoked by the program's owner.

A key is shown once, as `capsule-mk.<key id>.<secret>`; the host keeps only a
SHA-256 of the secret (the secret is 32 random bytes, so a slow hash would add
nothing). A merchant server sends it as `Authorization: Bearer <key>`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..deferred import DeferredDatabase
from . import tables as t

if TYPE_CHECKING:
    from ...database import Database
    from ..deferred import DatabaseSource

PREFIX = "capsule-mk"
#: Live keys one program may hold at once.
MAX_KEYS = 10


class KeyRefused(Exception):
    """A missing, malformed, unknown or revoked key (the message says which, for the merchant)."""


@dataclass(frozen=True)
class ServerKey:
    key_id: str
    app_id: str
    label: str
    created_at: float
    revoked_at: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "key_id": self.key_id, "app_id": self.app_id, "label": self.label,
            "created_at": self.created_at, "revoked_at": self.revoked_at,
        }


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ServerKeys:
    def __init__(self, database: "DatabaseSource") -> None:
        self._database = DeferredDatabase(database, t.metadata)

    @property
    def database(self) -> "Database":
        return self._database.get()

    def create(self, app_id: str, label: str = "") -> tuple[ServerKey, str]:
        """A new key for `app_id`: (its record, the whole key text, shown only now)."""
        key_id = "k_" + secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        now = time.time()
        with self.database.transaction() as conn:
            live = conn.execute(
                sa.select(sa.func.count()).select_from(t.server_keys).where(
                    t.server_keys.c.app_id == app_id, t.server_keys.c.revoked_at.is_(None)
                )
            ).scalar_one()
            if live >= MAX_KEYS:
                raise KeyRefused(f"{app_id} already has {MAX_KEYS} live server keys; revoke one first")
            conn.execute(
                t.server_keys.insert().values(
                    key_id=key_id, app_id=app_id, secret_hash=_hash(secret), label=label[:80], created_at=now
                )
            )
        return ServerKey(key_id, app_id, label[:80], now, None), f"{PREFIX}.{key_id}.{secret}"

    def list(self, app_id: str) -> list[ServerKey]:
        with self.database.read() as db:
            rows = db.execute(
                sa.select(t.server_keys).where(t.server_keys.c.app_id == app_id).order_by(t.server_keys.c.created_at)
            ).all()
        return [ServerKey(r.key_id, r.app_id, r.label, r.created_at, r.revoked_at) for r in rows]

    def revoke(self, app_id: str, key_id: str) -> bool:
        """True when a live key of `app_id` was revoked now."""
        with self.database.transaction() as conn:
            return conn.execute(
                t.server_keys.update().where(
                    t.server_keys.c.app_id == app_id, t.server_keys.c.key_id == key_id, t.server_keys.c.revoked_at.is_(None)
                ).values(revoked_at=time.time())
            ).rowcount > 0

    def verify(self, token: str) -> ServerKey:
        """The live key `token` is, or `KeyRefused`."""
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != PREFIX or len(token) > 200:
            raise KeyRefused(f"the key is not a Capsule merchant key ({PREFIX}.<id>.<secret>); create one with "
                             "`capsule messages key create APP_ID`")
        _, key_id, secret = parts
        with self.database.read() as db:
            row = db.execute(sa.select(t.server_keys).where(t.server_keys.c.key_id == key_id)).first()
        if row is None or not hmac.compare_digest(row.secret_hash, _hash(secret)):
            raise KeyRefused("unknown merchant key; create one with `capsule messages key create APP_ID`")
        if row.revoked_at is not None:
            raise KeyRefused(f"merchant key {key_id} was revoked; create a new one")
        return ServerKey(row.key_id, row.app_id, row.label, row.created_at, row.revoked_at)
