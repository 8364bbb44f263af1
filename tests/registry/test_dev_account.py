"""The local `dev` account keeps one token, whichever process sets it up (`setup_dev`)."""

from __future__ import annotations

from capsule.runtime.database import Database
from capsule.runtime.registry import Registry
from capsule.runtime.registry import accounts
from capsule.runtime.registry.client import Credentials
from capsule.runtime.registry.server import DEV_ACCOUNT, setup_dev


def test_every_start_on_one_database_saves_the_same_working_token(home, tmp_path, database_url):
    """Two hosts (two homes) on one database, each started twice: no start signs out another's CLI."""
    homes = [home.sharing_caches(tmp_path / name) for name in ("one", "two")]
    saved = []
    for _ in range(2):
        for each in homes:
            database = Database.open(database_url, home=each)
            try:
                registry = Registry(each, database, self_review=True)
                setup_dev(registry, "http://127.0.0.1:9/registry")
                saved.append(Credentials.load(each, "http://127.0.0.1:9/registry").token)
            finally:
                database.close()
    assert len(set(saved)) == 1 and saved[0]
    database = Database.open(database_url, home=homes[0])
    try:
        account = Registry(homes[0], database).authenticate(f"Bearer {saved[0]}")
        assert account.name == DEV_ACCOUNT and {"admin", "developer", "reviewer"} <= account.roles
    finally:
        database.close()


def test_a_dev_account_with_another_token_takes_the_shared_one(home, tmp_path, database_url):
    """An account made before the token was shared (or rotated by hand) is brought back in line."""
    mine = home.sharing_caches(tmp_path / "mine")
    database = Database.open(database_url, home=mine)
    try:
        registry = Registry(mine, database, self_review=True)
        with database.transaction() as connection:
            _, old = accounts.create_account(connection, DEV_ACCOUNT, ["admin", "developer", "reviewer"])
        credentials = setup_dev(registry, "http://127.0.0.1:9/registry")
        assert credentials.token != old
        assert registry.authenticate(f"Bearer {credentials.token}").name == DEV_ACCOUNT
    finally:
        database.close()
