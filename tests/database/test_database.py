"""The shared database: both kinds open, create tables, commit, roll back, and serialize writers."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from capsule.runtime.database import Database, DatabaseError
from capsule.runtime.home import Home

metadata = sa.MetaData()
counters = sa.Table("test_counters", metadata, sa.Column("name", sa.String(40), primary_key=True), sa.Column("value", sa.BigInteger, nullable=False))


def test_tables_are_created_once_and_data_commits(database):
    database.ensure(metadata)
    database.ensure(metadata)  # a second call changes nothing
    with database.transaction() as db:
        db.execute(counters.insert().values(name="a", value=1))
    with database.read() as db:
        assert db.execute(sa.select(counters.c.value)).scalar_one() == 1


def test_an_error_rolls_the_whole_transaction_back(database):
    database.ensure(metadata)
    with pytest.raises(RuntimeError):
        with database.transaction() as db:
            db.execute(counters.insert().values(name="a", value=1))
            raise RuntimeError("crash halfway")
    with database.read() as db:
        assert db.execute(sa.select(sa.func.count()).select_from(counters)).scalar_one() == 0


def test_concurrent_writers_lose_no_update(database):
    database.ensure(metadata)
    with database.transaction() as db:
        db.execute(counters.insert().values(name="n", value=0))

    def add(times: int) -> None:
        for _ in range(times):
            with database.transaction() as db:
                row = db.execute(sa.select(counters.c.value).where(counters.c.name == "n").with_for_update()).scalar_one()
                db.execute(counters.update().where(counters.c.name == "n").values(value=row + 1))

    threads = [threading.Thread(target=add, args=(25,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with database.read() as db:
        assert db.execute(sa.select(counters.c.value)).scalar_one() == 100


def test_default_is_sqlite_under_capsule_home(tmp_path, monkeypatch):
    monkeypatch.delenv("CAPSULE_DATABASE_URL", raising=False)
    db = Database.open(home=Home.resolve(tmp_path))
    try:
        assert db.dialect == "sqlite"
        db.ensure(metadata)
        assert (tmp_path / "data" / "capsule.db").exists()
    finally:
        db.close()


@pytest.mark.parametrize("url, words", [("mysql://x@y/z", "SQLite or PostgreSQL"), ("not a url", "not a database URL")])
def test_unsupported_urls_are_named(url, words):
    with pytest.raises(DatabaseError) as caught:
        Database.open(url)
    assert words in str(caught.value)


def test_hosts_starting_together_create_each_table_once(database_url) -> None:
    """Several processes on one database create the tables they need at once: none fails "already exists"."""
    import threading

    import sqlalchemy as sa

    from capsule.runtime.database import Database

    metadata = sa.MetaData()
    for number in range(8):
        sa.Table(f"together_{number}", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Index(f"together_{number}_id", "id"))
    databases = [Database.open(database_url) for _ in range(4)]
    start, failures = threading.Barrier(len(databases)), []

    def create(database: Database) -> None:
        start.wait()
        try:
            database.ensure(metadata)
        except Exception as error:  # noqa: BLE001 - collected, asserted below
            failures.append(repr(error))

    threads = [threading.Thread(target=create, args=(database,)) for database in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for database in databases:
        database.close()
    assert failures == []
