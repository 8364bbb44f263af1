"""Merchant server keys at the registry: the app's owner makes and revokes them, hosts check them.

A merchant key lets a program's server send messages to the program's users
through a host's merchant API (capabilities/messages). The registry knows who
owns an app id (its first publisher), so keys are made here: only the owner
creates them, and the owner or a registry admin (to stop abuse) revokes them.

A host never sees the key list. Shown a key, it asks for that key's record,
which the registry signs with its own key (the one hosts pin for
countersignatures): "at T, key K of app A has secret hash H and is live, or
revoked". The hash is a SHA-256 of 32 random bytes: the record gives nothing
to send with. `check_record` is the host's side of that.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..capabilities.messages.keys import MAX_KEYS, REGISTRY_ID_PREFIX, new_key, secret_hash
from . import tables
from .countersign import RegistryKey, signed_by
from .errors import conflict, invalid, not_found

_PREFIX = b"capsule-registry-merchant-key-v1\n"
LABEL_MAX = 80
#: How far ahead of the host's clock a record may claim to be made.
CLOCK_SKEW_SECONDS = 300


def record_message(key_id: str, app_id: str, hashed: str, status: str, at: int) -> bytes:
    # A distinct prefix: no other registry signature can pass for a key record.
    return _PREFIX + f"{key_id}\n{app_id}\n{hashed}\n{status}\n{at}".encode()


def create(connection: Connection, account_id: int, app_id: str, label: object, now: float) -> dict[str, Any]:
    """A new live key of `app_id` (the caller checked ownership); the whole key is in "key", shown once."""
    if not isinstance(label, str) or len(label) > LABEL_MAX:
        raise invalid(f"label must be text of at most {LABEL_MAX} characters")
    keys = tables.merchant_keys
    live = connection.execute(
        sa.select(sa.func.count()).select_from(keys).where(keys.c.app_id == app_id, keys.c.revoked_at.is_(None))
    ).scalar_one()
    if live >= MAX_KEYS:
        raise conflict(f"{app_id} already has {MAX_KEYS} live merchant keys; revoke one first")
    key_id, secret, text = new_key(REGISTRY_ID_PREFIX)
    connection.execute(
        keys.insert().values(
            key_id=key_id, app_id=app_id, secret_hash=secret_hash(secret), label=label, created_by=account_id,
            created_at=now,
        )
    )
    return {"key_id": key_id, "app_id": app_id, "label": label, "created_at": now, "revoked_at": None, "key": text}


def listing(connection: Connection, app_id: str) -> list[dict[str, Any]]:
    """The app's keys, live and revoked, never their secrets nor hashes."""
    keys = tables.merchant_keys
    rows = connection.execute(
        sa.select(keys.c.key_id, keys.c.app_id, keys.c.label, keys.c.created_at, keys.c.revoked_at)
        .where(keys.c.app_id == app_id).order_by(keys.c.created_at)
    ).all()
    return [dict(row._mapping) for row in rows]


def revoke(connection: Connection, app_id: str, key_id: str, now: float) -> dict[str, Any]:
    keys = tables.merchant_keys
    changed = connection.execute(
        keys.update().where(keys.c.app_id == app_id, keys.c.key_id == key_id, keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount
    if not changed:
        raise not_found(f"{app_id} has no live merchant key {key_id[:40]!r}; `capsule messages key list {app_id}` shows its keys")
    return {"app_id": app_id, "key_id": key_id, "revoked_at": now}


def signed_record(connection: Connection, key: RegistryKey, key_id: str, at: int | None = None) -> dict[str, Any]:
    """What `GET /merchant-keys/{key_id}` answers: the key's record, signed, with when it was made."""
    keys = tables.merchant_keys
    row = connection.execute(sa.select(keys).where(keys.c.key_id == key_id)).first()
    if row is None:
        raise not_found("no such merchant key at this registry; the program's owner creates keys with "
                        "`capsule messages key create APP_ID`")
    at = int(time.time()) if at is None else at
    status = "live" if row.revoked_at is None else "revoked"
    signature = key.sign(record_message(row.key_id, row.app_id, row.secret_hash, status, at))
    return {"key_id": row.key_id, "app_id": row.app_id, "secret_hash": row.secret_hash, "label": row.label,
            "status": status, "at": at, "signature": signature}


def check_record(registry_key: str, answer: object, key_id: str, now: float | None = None) -> dict[str, Any]:
    """`answer` if it is the record of `key_id` signed by `registry_key` and not from the future;
    ValueError naming what is wrong otherwise (the caller refuses the key)."""
    now = time.time() if now is None else now
    if not isinstance(answer, dict):
        raise ValueError("the registry sent no key record")
    fields = [answer.get(name) for name in ("key_id", "app_id", "secret_hash", "status")]
    at = answer.get("at")
    if not all(isinstance(value, str) for value in fields) or not isinstance(at, int) or isinstance(at, bool):
        raise ValueError("the registry's key record is malformed")
    if answer["key_id"] != key_id:
        raise ValueError("the registry sent the record of another key")
    message = record_message(answer["key_id"], answer["app_id"], answer["secret_hash"], answer["status"], at)
    if not signed_by(registry_key, message, answer.get("signature")):
        raise ValueError("the key record is not signed by the registry key this host trusts")
    if at > now + CLOCK_SKEW_SECONDS:
        raise ValueError("the key record claims to be made in the future; check this machine's clock")
    return answer
