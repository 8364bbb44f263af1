"""Host services: pseudonymous ids, the host key and the secret survive restarts."""

from __future__ import annotations

from capsule.runtime.home import Home
from capsule.runtime.services import HostServices


def test_user_ids_are_stable_per_scope_and_unlinkable_across(tmp_path, database_url):
    services = HostServices(Home.resolve(tmp_path), database_url=database_url)
    ids = services.identities
    a = ids.user_id("com.example.shop", "alice")
    assert a == ids.user_id("com.example.shop", "alice")
    assert a != ids.user_id("com.example.taxi", "alice")
    assert a != ids.user_id("com.example.shop", "bob")
    assert ids.user_for("com.example.shop", a) == "alice"
    assert ids.user_for("com.example.taxi", a) is None
    services.close()

    again = HostServices(Home.resolve(tmp_path), database_url=database_url)
    assert again.identities.user_id("com.example.shop", "alice") == a  # same secret after a restart
    again.close()


def test_another_host_secret_gives_other_ids(tmp_path):
    one = HostServices(Home.resolve(tmp_path / "one")).identities.user_id("app", "alice")
    two = HostServices(Home.resolve(tmp_path / "two")).identities.user_id("app", "alice")
    assert one != two


def test_host_key_is_made_once(tmp_path):
    first = HostServices(Home.resolve(tmp_path)).host_key.public_key().public_bytes_raw()
    second = HostServices(Home.resolve(tmp_path)).host_key.public_key().public_bytes_raw()
    assert first == second


def test_hosts_on_one_database_share_the_platform_secrets(tmp_path, database_url):
    """Two machines (two homes) on one database: the same user ids and the same receipt key."""
    one = HostServices(Home.resolve(tmp_path / "one"), database_url=database_url)
    two = HostServices(Home.resolve(tmp_path / "two"), database_url=database_url)
    assert one.identities.user_id("app", "alice") == two.identities.user_id("app", "alice")
    assert one.host_key.public_key().public_bytes_raw() == two.host_key.public_key().public_bytes_raw()
    assert not list((tmp_path / "two").rglob("*.key")) and not list((tmp_path / "two").rglob("*.secret"))
    one.close()
    two.close()


def test_a_key_file_from_before_is_adopted(tmp_path):
    """A single-machine host upgraded keeps its receipt key: the file's key becomes the platform's."""
    from capsule.runtime.package.keys import generate_key, load_signing_key

    home = Home.resolve(tmp_path)
    generate_key(home, "host")
    before = load_signing_key(home, "host").public_key().public_bytes_raw()
    services = HostServices(home)
    assert services.host_key.public_key().public_bytes_raw() == before
    services.close()
