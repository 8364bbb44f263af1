"""Embedding hosts on one PostgreSQL: what one installs, uploads or is sent, every other reaches.

Two `Host`s with homes of their own (two machines, as far as either knows) on
one database schema. Nothing here may live only on the first host's disk.
"""

from __future__ import annotations

import shutil
import time

import pytest

from capsule.runtime import Host
from capsule.sdk.toolchain.build import build_program

from ..conftest import HELLO, texts


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("hosts share a database only on PostgreSQL (SQLite is one machine)")
    return database_url


def test_a_program_installed_on_one_host_launches_on_another(home, tmp_path, postgres_url) -> None:
    hello = build_program(HELLO, home=home, out_dir=tmp_path / "out")
    one = Host(home.sharing_caches(tmp_path / "one"), database_url=postgres_url)
    two = Host(home.sharing_caches(tmp_path / "two"), database_url=postgres_url)
    try:
        one.install(hello.package)
        hello.package.unlink()  # the file the operator installed from is gone too
        shutil.rmtree(tmp_path / "one" / "packages")  # and host one's unpacked copy: a cache
        assert [entry["id"] for entry in two.installed()] == ["dev.capsule.samples.hello"]
        session = two.launch("dev.capsule.samples.hello", user="alice")
        assert "Hello, world!" in texts(session.view)
        assert not (tmp_path / "two" / "installed.json").exists()
    finally:
        one.close()
        two.close()


def test_an_upload_on_one_host_is_served_by_another(home, tmp_path, postgres_url) -> None:
    one = Host(home.sharing_caches(tmp_path / "one"), database_url=postgres_url)
    two = Host(home.sharing_caches(tmp_path / "two"), database_url=postgres_url)
    try:
        stored = one.capabilities["media"].store.put(b"\x89PNG\r\n\x1a\n-photo-", "image/png")  # type: ignore[attr-defined]
        assert not (tmp_path / "one" / "media").exists()
        assert two.capabilities["media"].store.get(stored.digest) == (b"\x89PNG\r\n\x1a\n-photo-", "image/png")  # type: ignore[attr-defined]
    finally:
        one.close()
        two.close()


def test_hosts_configured_with_an_s3_bucket_share_packages_and_uploads_through_it(
    home, tmp_path, postgres_url, s3_bucket, monkeypatch
) -> None:
    """`CAPSULE_BLOBS` names the bucket: what one host installs or is uploaded, another reads from
    there (and nothing of it lands in the shared database's blob tables)."""
    import sqlalchemy as sa

    from capsule.runtime.blobs.database import blobs as blob_rows
    from capsule.runtime.blobs.s3 import S3Blobs, s3_client
    from capsule.runtime.registry import Registry

    monkeypatch.setenv("CAPSULE_BLOBS", s3_bucket.url("cluster"))
    hello = build_program(HELLO, home=home, out_dir=tmp_path / "out")
    one = Host(home.sharing_caches(tmp_path / "one"), database_url=postgres_url)
    two = Host(home.sharing_caches(tmp_path / "two"), database_url=postgres_url)
    try:
        one.install(hello.package)
        shutil.rmtree(tmp_path / "one" / "packages")
        session = two.launch("dev.capsule.samples.hello", user="alice")
        assert "Hello, world!" in texts(session.view)
        stored = one.capabilities["media"].store.put(b"GIF89a-photo", "image/gif")  # type: ignore[attr-defined]
        assert two.capabilities["media"].store.get(stored.digest) == (b"GIF89a-photo", "image/gif")  # type: ignore[attr-defined]

        listing = s3_client(s3_bucket.endpoint, "us-east-1").list_objects_v2(Bucket=s3_bucket.name)
        keys = {item["Key"] for item in listing["Contents"]}
        assert keys == {f"cluster/packages/{hello.digest.removeprefix('sha256:')}", f"cluster/media/{stored.digest}"}
        database = one.services.database
        database.ensure(blob_rows.metadata)
        with database.read() as connection:
            assert connection.execute(sa.select(sa.func.count()).select_from(blob_rows)).scalar() == 0
        registry = Registry(two.home, two.services.database, engine=two.engine)
        assert isinstance(registry.blobs.store, S3Blobs) and registry.blobs.exists(hello.digest)  # type: ignore[union-attr]
    finally:
        one.close()
        two.close()


@pytest.fixture
def hello_released_on_one(home, tmp_path, postgres_url):
    """Hosts one and two on one PostgreSQL; hello released through host one's registry by its
    dev account: (host one, host two, host one's registry, the dev account)."""
    from capsule.runtime.registry import Registry
    from capsule.runtime.registry.server import setup_dev
    from capsule.runtime.webhost.demo import release

    one = Host(home.sharing_caches(tmp_path / "one"), database_url=postgres_url)
    two = Host(home.sharing_caches(tmp_path / "two"), database_url=postgres_url)
    try:
        first = Registry(one.home, one.services.database, engine=one.engine, self_review=True)
        credentials = setup_dev(first, "http://127.0.0.1:9/registry")
        actor = first.authenticate(f"Bearer {credentials.token}")
        release(first, actor, build_program(HELLO, home=one.home, out_dir=tmp_path / "out").package, progress=lambda m: None)
        yield one, two, first, actor
    finally:
        one.close()
        two.close()


def test_a_yank_on_one_registry_process_lets_go_of_what_another_host_prepared(hello_released_on_one) -> None:
    """Host two keeps a session of hello loaded ahead; a yank made through host one's registry
    reaches it as an event, and the prepared session of the withdrawn version is released."""
    from capsule.runtime.registry import Registry
    from capsule.runtime.webhost.catalog import Catalog

    _, two, first, actor = hello_released_on_one
    catalog = Catalog(two, Registry(two.home, two.services.database, engine=two.engine))
    app = catalog.ensure_installed("dev.capsule.samples.hello", "alice")
    two.launch(app.id, user="alice").close()
    assert two.warm.wait_ready(app, timeout=60)
    assert two.services.database.events.listening.wait(60)

    first.yank(actor, app.id, "1.0.0", reason="withdrawn")
    deadline = time.monotonic() + 60
    while two.warm.holds(app):
        assert time.monotonic() < deadline, "host two never heard of the yank"
        time.sleep(0.05)
    catalog.close()


def test_a_merchant_key_revoked_through_one_registry_process_is_refused_by_another_host(hello_released_on_one) -> None:
    """Host two kept the key's record as live (for an hour, here); the revocation made through
    host one's registry reaches it as an event, and its next check refuses the key."""
    from capsule.runtime.capabilities.messages.keys import KeyRefused
    from capsule.runtime.capabilities.messages.registry_keys import RegistryServerKeys
    from capsule.runtime.registry import Registry

    _, two, first, actor = hello_released_on_one
    key = first.create_merchant_key(actor, "dev.capsule.samples.hello", "till")
    second = Registry(two.home, two.services.database, engine=two.engine)
    checked = RegistryServerKeys(second, second.key.public_key, fresh=3600, grace=3600)
    unsubscribe = second.on_key_revoked(checked.forget)
    assert checked.verify(key["key"]).app_id == "dev.capsule.samples.hello"
    assert two.services.database.events.listening.wait(60)

    first.revoke_merchant_key(actor, "dev.capsule.samples.hello", key["key_id"])
    deadline = time.monotonic() + 30
    while True:
        try:
            checked.verify(key["key"])
        except KeyRefused as refused:
            assert "revoked by the program's owner" in str(refused)
            break
        assert time.monotonic() < deadline, "host two never heard of the revocation"
        time.sleep(0.02)
    unsubscribe()
