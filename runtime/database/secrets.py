"""Platform secrets every host shares, kept in the database.

The registry's countersigning key, the host's receipt key, the secret behind
pseudonymous user ids and the launch-pseudonym secret belong to the platform,
not to one machine: two hosts on one database must sign with the same keys
and compute the same ids, or a user's program storage, receipts and
countersignatures would depend on which host served them. Each secret is one
row, made once by whichever host needs it first; every other host reads it.

A host that kept one of these under `CAPSULE_HOME/keys/` before (a
single-machine install) adopts that file's value the first time it meets a
database without the secret, so upgrading keeps its identity.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import sqlalchemy as sa

from . import Database

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

metadata = sa.MetaData()

platform_secrets = sa.Table(
    "platform_secrets",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)


def shared_secret(database: Database, name: str, make: Callable[[], bytes], *, legacy: Path | None = None) -> bytes:
    """The secret `name`: the stored one, else `legacy`'s bytes (an older host's file), else `make()`.

    Two hosts asking at the same moment both get the value the first insert stored.
    """
    database.ensure(metadata)
    query = sa.select(platform_secrets.c.value).where(platform_secrets.c.name == name)
    with database.read() as connection:
        found = connection.execute(query).scalar()
    if found is not None:
        return bytes(found)
    value = legacy.read_bytes() if legacy is not None and legacy.is_file() else make()
    try:
        with database.transaction() as connection:
            connection.execute(platform_secrets.insert().values(name=name, value=value, created_at=time.time()))
    except sa.exc.IntegrityError:
        pass  # another host stored it first: everyone uses that one
    with database.read() as connection:
        return bytes(connection.execute(query).scalar_one())


def shared_signing_key(database: Database, name: str, *, legacy: Path | None = None) -> "Ed25519PrivateKey":
    """The Ed25519 key stored as the secret `name` (made on first use; see `shared_secret`)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ..package.keys import private_pem, signing_key_from_pem

    pem = shared_secret(database, name, lambda: private_pem(Ed25519PrivateKey.generate()), legacy=legacy)
    return signing_key_from_pem(pem, f"the database's platform secret {name!r}")


def shared_random(database: Database, name: str, *, legacy: Path | None = None) -> bytes:
    """32 random bytes stored as the secret `name` (made on first use; see `shared_secret`)."""
    return shared_secret(database, name, lambda: secrets.token_bytes(32), legacy=legacy)
