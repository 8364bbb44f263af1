"""Merchant server keys: the key format, the verifier protocol, and operator keys.

A key is shown once, as `capsule-mk.<key id>.<secret>`; whoever checks it keeps
only a SHA-256 of the secret (the secret is 32 random bytes, so a slow hash
would add nothing). A merchant server sends it as `Authorization: Bearer <key>`.

Keys normally come from the registry, made by the program's owner
(`capsule messages key create APP_ID`; registry/merchant_keys.py), and a host
checks them with `RegistryServerKeys` (registry_keys.py). `ServerKeys` below is
the secondary path: keys kept in one host's own database by its operator
(`--operator`), for a host that installs programs without a registry.
`KeyChain` asks each by the key id's prefix.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import sqlalchemy as sa

from ..deferred import DeferredDatabase
from . import tables as t

if TYPE_CHECKING:
    from ...database import Database
    from ..deferred import DatabaseSource

PREFIX = "capsule-mk"
#: Live keys one program may hold at once.
MAX_KEYS = 10
#: Key ids of operator keys start with this; the registry's start with `REGISTRY_ID_PREFIX`.
OPERATOR_ID_PREFIX = "k_"
REGISTRY_ID_PREFIX = "rk_"
_CREATE = "create one with `capsule messages key create APP_ID`"


class KeyRefused(Exception):
    """A missing, malformed, unknown or revoked key (the message says which, for the merchant)."""


class KeyCheckUnavailable(Exception):
    """The key's record could not be had from the registry (and no recent one is kept)."""


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


class KeyVerifier(Protocol):
    """What the merchant API asks: which live key is this token, or `KeyRefused`."""

    def verify(self, token: str) -> ServerKey: ...


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key(id_prefix: str) -> tuple[str, str, str]:
    """A fresh (key id, secret, whole key text)."""
    key_id = id_prefix + secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return key_id, secret, f"{PREFIX}.{key_id}.{secret}"


def parse_key(token: str) -> tuple[str, str]:
    """(key id, secret) of a key's text, or `KeyRefused` naming the format."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PREFIX or len(token) > 200 or not parts[1] or not parts[2]:
        raise KeyRefused(f"the key is not a Capsule merchant key ({PREFIX}.<id>.<secret>); {_CREATE}")
    return parts[1], parts[2]


def secret_matches(stored_hash: str, secret: str) -> bool:
    return hmac.compare_digest(stored_hash, secret_hash(secret))


class KeyChain:
    """Sends each key to the verifier its id's prefix names: registry keys, operator keys."""

    def __init__(self, verifiers: dict[str, KeyVerifier]) -> None:
        self._verifiers = verifiers

    def verify(self, token: str) -> ServerKey:
        key_id, _ = parse_key(token)
        for prefix, verifier in self._verifiers.items():
            if key_id.startswith(prefix):
                return verifier.verify(token)
        raise KeyRefused(f"unknown merchant key; {_CREATE}")


class ServerKeys:
    """Operator keys in this host's database (the secondary path; see the module's docstring)."""

    def __init__(self, database: "DatabaseSource") -> None:
        self._database = DeferredDatabase(database, t.metadata)

    @property
    def database(self) -> "Database":
        return self._database.get()

    def create(self, app_id: str, label: str = "") -> tuple[ServerKey, str]:
        """A new key for `app_id`: (its record, the whole key text, shown only now)."""
        key_id, secret, text = new_key(OPERATOR_ID_PREFIX)
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
                    key_id=key_id, app_id=app_id, secret_hash=secret_hash(secret), label=label[:80], created_at=now
                )
            )
        return ServerKey(key_id, app_id, label[:80], now, None), text

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
        key_id, secret = parse_key(token)
        with self.database.read() as db:
            row = db.execute(sa.select(t.server_keys).where(t.server_keys.c.key_id == key_id)).first()
        if row is None or not secret_matches(row.secret_hash, secret):
            raise KeyRefused(f"unknown merchant key; {_CREATE}")
        if row.revoked_at is not None:
            raise KeyRefused(f"merchant key {key_id} was revoked; create a new one")
        return ServerKey(row.key_id, row.app_id, row.label, row.created_at, row.revoked_at)
