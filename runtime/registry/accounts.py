"""Accounts, roles and API tokens.

Roles: `developer` publishes and manages the apps it owns, `reviewer` works the
review queue, `admin` creates accounts and may manage any app.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..package.keys import key_id
from . import tables
from .errors import conflict, forbidden, invalid, unauthorized

ROLES = ("developer", "reviewer", "admin")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    roles: frozenset[str]

    def require(self, role: str) -> None:
        """Raise 403 unless the account has `role`."""
        if role not in self.roles:
            raise forbidden(f"account {self.name!r} is not a {role}; ask a registry admin for the {role} role")

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "roles": sorted(self.roles)}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "cap_" + secrets.token_urlsafe(32)


def create_account(connection: Connection, name: str, roles: list[str]) -> tuple[Account, str]:
    """A new account and its API token (shown once; only its hash is kept)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise invalid(f"account name {name!r} must be 1-64 of a-z 0-9 . _ - and start with a letter or digit")
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise invalid(f"roles must be a non-empty list of {', '.join(ROLES)}; got {roles!r}")
    if connection.execute(sa.select(tables.accounts.c.id).where(tables.accounts.c.name == name)).first():
        raise conflict(f"an account named {name!r} exists already; pick another name")
    token = new_token()
    result = connection.execute(
        tables.accounts.insert().values(name=name, roles=" ".join(sorted(set(roles))), token_hash=hash_token(token))
    )
    return Account(result.inserted_primary_key[0], name, frozenset(roles)), token


def authenticate(connection: Connection, authorization: str | None) -> Account:
    """The account of a `Bearer` token; 401 when there is none or it is unknown."""
    if not authorization:
        raise unauthorized()
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("the Authorization header must be `Bearer <token>`")
    row = connection.execute(
        sa.select(tables.accounts).where(tables.accounts.c.token_hash == hash_token(token.strip()))
    ).first()
    if row is None:
        raise unauthorized("this API token is unknown or was revoked; get a new one from a registry admin")
    return Account(row.id, row.name, frozenset(row.roles.split()))


def register_key(connection: Connection, account: Account, public_key: object) -> str:
    """Register an Ed25519 public key (base64 of 32 raw bytes) to sign this account's packages."""
    try:
        raw = base64.b64decode(public_key, validate=True) if isinstance(public_key, str) else b""
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise invalid("public_key must be the base64 of a raw 32-byte Ed25519 public key (see `capsule keygen`)")
    kid = key_id(raw)
    row = connection.execute(sa.select(tables.keys).where(tables.keys.c.key_id == kid)).first()
    if row is not None:
        if row.account_id != account.id:
            raise conflict(f"key {kid} is registered to another account; each key signs for one account")
        return kid
    connection.execute(tables.keys.insert().values(key_id=kid, account_id=account.id, public_key=public_key))
    return kid


def account_keys(connection: Connection, account: Account) -> set[str]:
    rows = connection.execute(sa.select(tables.keys.c.key_id).where(tables.keys.c.account_id == account.id))
    return {kid for (kid,) in rows}


def rotate_token(connection: Connection, name: str) -> str:
    """A fresh token for account `name`; the old one stops working."""
    token = new_token()
    connection.execute(tables.accounts.update().where(tables.accounts.c.name == name).values(token_hash=hash_token(token)))
    return token
