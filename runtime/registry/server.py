"""Running a registry: open it, set up the local developer account, serve it."""

from __future__ import annotations

import base64

import sqlalchemy as sa

from ..database import Database
from ..home import Home
from ..package import generate_key, load_signing_key
from ..package.keys import raw_public_key
from . import accounts, tables
from .client import Credentials
from .service import Registry

DEV_ACCOUNT = "dev"


def open_registry(home: Home, database_url: str | None = None) -> Registry:
    """The registry in `home`: SQLite under CAPSULE_HOME/data unless a URL is given."""
    return Registry(home, Database.open(database_url, home=home))


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
    with registry.database.transaction() as connection:
        exists = connection.execute(sa.select(tables.accounts.c.id).where(tables.accounts.c.name == DEV_ACCOUNT)).first()
        if exists is None:
            account, token = accounts.create_account(connection, DEV_ACCOUNT, list(accounts.ROLES))
        else:
            token = accounts.rotate_token(connection, DEV_ACCOUNT)
            account = accounts.authenticate(connection, f"Bearer {token}")
        accounts.register_key(connection, account, public_key)
    credentials = Credentials(url=url, token=token, registry_key=registry.key.public_key)
    credentials.save(home)
    return credentials


def serve(registry: Registry, host: str, port: int) -> None:
    import uvicorn

    from .app import create_app

    uvicorn.run(create_app(registry), host=host, port=port, log_level="warning")
