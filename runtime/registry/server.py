"""Running a registry: open it, set up the local developer account, serve it."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..database import Database
from ..database.secrets import shared_secret
from ..home import Home
from ..package import generate_key, load_signing_key
from ..package.keys import raw_public_key
from . import accounts, tables
from .client import Credentials
from .errors import RegistryError
from .proof import sign_proof
from .service import Registry

if TYPE_CHECKING:
    from ..metrics.endpoint import MetricsAccess

DEV_ACCOUNT = "dev"
#: The platform secret holding the dev account's token: every host on the database saves the same one.
DEV_TOKEN_SECRET = "registry-dev-token"
#: The account a web host reports its own launches under, to its embedded registry.
LOCAL_HOST_ACCOUNT = "local-host"


def open_registry(home: Home, database_url: str | None = None, *, self_review: bool = False) -> Registry:
    """The registry in `home`: SQLite under CAPSULE_HOME/data unless a URL is given.
    `self_review` only for a one-person development registry (see `Registry`)."""
    return Registry(home, Database.open(database_url, home=home), self_review=self_review)


def setup_dev(registry: Registry, url: str) -> Credentials:
    """A local account that is developer, reviewer and admin, with this home's
    signing key registered and its token saved for the CLI (`--dev`)."""
    home = registry.home
    try:
        key = load_signing_key(home)
    except Exception:  # noqa: BLE001 - no key yet: make the default one, as `capsule keygen` would
        generate_key(home)
        key = load_signing_key(home)
    public_key = base64.b64encode(raw_public_key(key.public_key())).decode("ascii")
    roles = ["admin", "developer", "reviewer"]
    # One token for the account, kept with the platform's other secrets: a host starting
    # on a shared database must not sign out the CLI another host's start set up.
    token = shared_secret(registry.database, DEV_TOKEN_SECRET, lambda: accounts.new_token().encode()).decode()
    try:
        with registry.database.transaction() as connection:
            if not _account_exists(connection, DEV_ACCOUNT):
                accounts.create_account(connection, DEV_ACCOUNT, roles, token=token)
    except (RegistryError, sa.exc.IntegrityError):
        pass  # another host made it at the same moment, with the same token
    with registry.database.transaction() as connection:
        # An account from before the shared token (or one rotated since) takes it now.
        accounts.set_token(connection, DEV_ACCOUNT, token)
        account = accounts.authenticate(connection, f"Bearer {token}")
    # The same proof of possession as any developer's: the key is right here to sign with.
    challenge = registry.key_challenge(account)
    proof = sign_proof(key, str(challenge["registry"]), account.name, str(challenge["challenge"]))
    registry.register_key(account, public_key, challenge["challenge"], proof)
    credentials = Credentials(url=url, token=token, registry_key=registry.key.public_key)
    credentials.save(home)
    return credentials


def _account_exists(connection: sa.Connection, name: str) -> bool:
    return connection.execute(sa.select(tables.accounts.c.id).where(tables.accounts.c.name == name)).first() is not None


def local_host_account(registry: Registry) -> accounts.Account:
    """The `host` account a web host reports launches under to its own embedded registry
    (in process, so its token is never used and not kept)."""
    with registry.database.transaction() as connection:
        row = connection.execute(sa.select(tables.accounts).where(tables.accounts.c.name == LOCAL_HOST_ACCOUNT)).first()
        if row is None:
            return accounts.create_account(connection, LOCAL_HOST_ACCOUNT, ["host"])[0]
    return accounts.Account(row.id, row.name, frozenset(row.roles.split()))


def serve(registry: Registry, host: str, port: int, *, metrics: "MetricsAccess | None" = None) -> None:
    """Serve `registry` until interrupted; `GET /metrics` for whoever `metrics` lets in (none: no route)."""
    import uvicorn

    from .app import create_app

    uvicorn.run(create_app(registry, metrics=metrics), host=host, port=port, log_level="warning")
