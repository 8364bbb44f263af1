"""Accounts, roles and API tokens.

Roles: `developer` publishes and manages the apps it owns, `reviewer` works the
review queue, `admin` creates accounts and may manage any app, `host` reports
launches (a host application's credential, see `launches.py`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..package.keys import key_id
from . import tables
from .errors import RegistryError, conflict, forbidden, invalid, unauthorized
from .proof import CHALLENGE_SECONDS, MAX_OPEN_CHALLENGES, proof_holds

ROLES = ("developer", "reviewer", "admin", "host")
_AGAIN = "ask for a new one (POST /account/keys/challenge) and sign that"
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


def create_account(connection: Connection, name: str, roles: list[str], *, token: str | None = None) -> tuple[Account, str]:
    """A new account and its API token (shown once; only its hash is kept).

    `token` is for the local dev account alone, whose token the platform keeps (`setup_dev`).
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise invalid(f"account name {name!r} must be 1-64 of a-z 0-9 . _ - and start with a letter or digit")
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise invalid(f"roles must be a non-empty list of {', '.join(ROLES)}; got {roles!r}")
    if connection.execute(sa.select(tables.accounts.c.id).where(tables.accounts.c.name == name)).first():
        raise conflict(f"an account named {name!r} exists already; pick another name")
    token = token or new_token()
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


def issue_challenge(connection: Connection, account: Account, now: float | None = None) -> dict[str, object]:
    """A fresh challenge for `account` to sign with the key it registers next."""
    now = time.time() if now is None else now
    challenges = tables.key_challenges
    connection.execute(challenges.delete().where(challenges.c.expires_at < now))
    # Bounded per account: asking again and again drops the oldest instead of filling the table.
    kept = connection.execute(
        sa.select(challenges.c.challenge)
        .where(challenges.c.account_id == account.id)
        .order_by(challenges.c.expires_at.desc())
        .limit(MAX_OPEN_CHALLENGES - 1)
    ).scalars().all()
    connection.execute(challenges.delete().where(challenges.c.account_id == account.id, challenges.c.challenge.not_in(kept)))
    challenge = secrets.token_urlsafe(32)
    expires_at = now + CHALLENGE_SECONDS
    connection.execute(challenges.insert().values(challenge=challenge, account_id=account.id, expires_at=expires_at))
    return {"challenge": challenge, "account": account.name, "expires_at": expires_at}


def take_challenge(connection: Connection, account: Account, challenge: object) -> float:
    """Use up `account`'s challenge and return when it expires (checked by `register_key`).

    Run in a transaction of its own, before the proof is checked: a challenge
    is good for one answer whatever that answer is.
    """
    if not isinstance(challenge, str) or not 1 <= len(challenge) <= 64:
        raise invalid(f"challenge must be the string the registry handed out; {_AGAIN}", code="invalid-challenge")
    challenges = tables.key_challenges
    row = connection.execute(sa.select(challenges).where(challenges.c.challenge == challenge)).first()
    if row is not None and row.account_id != account.id:
        # Left in place: it is its owner's to answer.
        raise forbidden(f"this challenge was handed to another account, not {account.name!r}; {_AGAIN}")
    # The row count, not the read above, decides: of two answers racing, one wins.
    if row is None or connection.execute(challenges.delete().where(challenges.c.challenge == challenge)).rowcount != 1:
        raise invalid(f"this challenge is unknown or was used already (each is good for one answer); {_AGAIN}", code="unknown-challenge")
    return float(row.expires_at)


def register_key(
    connection: Connection,
    account: Account,
    public_key: object,
    *,
    registry: str,
    challenge: str,
    expires_at: float,
    signature: object,
    now: float | None = None,
) -> str:
    """Register an Ed25519 public key (base64 of 32 raw bytes) to sign this account's packages,
    once `signature` over the (taken) `challenge` proves the caller holds its private half."""
    try:
        raw = base64.b64decode(public_key, validate=True) if isinstance(public_key, str) else b""
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise invalid("public_key must be the base64 of a raw 32-byte Ed25519 public key (see `capsule keygen`)")
    if expires_at < (time.time() if now is None else now):
        raise invalid(f"this challenge expired ({CHALLENGE_SECONDS} s after it was handed out); {_AGAIN}", code="expired-challenge")
    if not proof_holds(str(public_key), registry, account.name, challenge, signature):
        raise RegistryError(
            400,
            "invalid-proof",
            f"the signature is not this key's signature over the challenge for registry {registry} and account "
            f"{account.name!r}; sign it with the private half of the key you register (`capsule registry add-key` does)",
        )
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


def set_token(connection: Connection, name: str, token: str) -> None:
    """Make `token` account `name`'s only token."""
    connection.execute(tables.accounts.update().where(tables.accounts.c.name == name).values(token_hash=hash_token(token)))
