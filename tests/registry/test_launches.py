"""Launch counts move search ranking only when an authenticated host reports
them, at most once per (user, program, day), under an opaque per-host pseudonym."""

from __future__ import annotations

import time

import sqlalchemy as sa

from capsule.runtime import Host
from capsule.runtime.registry import tables
from capsule.runtime.registry.launches import DAY_SECONDS, pseudonym
from capsule.runtime.webhost.catalog import Catalog

from .conftest import Actor, fixed_key, publish

SECRET = b"k" * 32
COFFEE, TEA = "com.example.coffee", "com.example.tea"


def order(client) -> list[str]:
    return [hit["id"] for hit in client.get("/search", params={"q": "hello"}).json()["results"]]


def host_actor(registry, name: str = "superapp") -> Actor:
    _, token = registry.create_account(None, name, ["host"])
    return Actor(name, token, fixed_key(name))


def launch(client, actor: Actor | None, app_id: str, user: str):
    headers = actor.headers if actor else {}
    return client.post(f"/apps/{app_id}/launches", json={"user": pseudonym(SECRET, app_id, user)}, headers=headers)


def release_two(client, actors, make_package) -> None:
    """Two programs that match "hello" equally (the same manifest text)."""
    for app_id in (COFFEE, TEA):
        review = publish(client, actors["alice"], make_package(actors["alice"].key, app_id=app_id)).json()["review_id"]
        assert client.post(f"/reviews/{review}/approve", json={}, headers=actors["reviewer"].headers).status_code == 200


def test_only_authenticated_hosts_count_and_only_once_per_user_and_day(client, actors, registry, make_package) -> None:
    release_two(client, actors, make_package)
    host = host_actor(registry)
    for user in ("u1", "u2"):
        assert launch(client, host, TEA, user).json() == {"counted": True}
    assert order(client) == [TEA, COFFEE]

    # The hole: anyone could push a program up with unauthenticated counts.
    for _ in range(20):
        assert launch(client, None, COFFEE, "u1").status_code == 401
    # A token without the host role counts nothing either.
    assert launch(client, actors["alice"], COFFEE, "u1").status_code == 403
    assert order(client) == [TEA, COFFEE]

    # One user launching again and again is one launch a day.
    assert launch(client, host, COFFEE, "u1").json() == {"counted": True}
    for _ in range(20):
        assert launch(client, host, COFFEE, "u1").json() == {"counted": False}
    assert order(client) == [TEA, COFFEE]  # coffee 1, tea 2

    # Two more people do move it.
    for user in ("u2", "u3"):
        assert launch(client, host, COFFEE, user).json() == {"counted": True}
    assert order(client) == [COFFEE, TEA]


def test_the_same_user_counts_again_the_next_day_and_old_days_are_forgotten(actors, client, registry, make_package) -> None:
    release_two(client, actors, make_package)
    host = registry.authenticate(host_actor(registry).headers["Authorization"])
    user, now = pseudonym(SECRET, TEA, "u1"), time.time()
    assert registry.record_launch(host, TEA, user, now=now)
    assert not registry.record_launch(host, TEA, user, now=now + 60)
    assert registry.record_launch(host, TEA, user, now=now + DAY_SECONDS)
    assert registry.record_launch(host, TEA, user, now=now + 3 * DAY_SECONDS)
    with registry.database.read() as connection:
        days = connection.execute(sa.select(tables.launch_counts.c.day)).scalars().all()
    assert days == [int((now + 3 * DAY_SECONDS) // DAY_SECONDS)]  # rows older than yesterday are gone


def test_a_raw_user_id_is_refused(client, actors, registry, make_package) -> None:
    release_two(client, actors, make_package)
    host = host_actor(registry)
    for user in ("alice", "user:alice", "12345", "x" * 200, 7, None):
        refused = client.post(f"/apps/{TEA}/launches", json={"user": user}, headers=host.headers)
        assert refused.status_code == 400, user
    assert refused.json()["error"] == "invalid-pseudonym" and "never a user id" in refused.json()["message"]
    assert client.post(f"/apps/{TEA}/launches", json={}, headers=host.headers).status_code == 400
    assert launch(client, host, "com.example.unknown", "u1").status_code == 404


def test_pseudonyms_differ_per_host_and_per_program() -> None:
    assert pseudonym(SECRET, TEA, "alice") != pseudonym(b"h" * 32, TEA, "alice")
    assert pseudonym(SECRET, TEA, "alice") != pseudonym(SECRET, COFFEE, "alice")
    assert pseudonym(SECRET, TEA, "alice") == pseudonym(SECRET, TEA, "alice")
    assert "alice" not in pseudonym(SECRET, TEA, "alice")


def test_the_web_host_reports_launches_as_a_host_under_pseudonyms(client, actors, registry, make_package, home, tmp_path) -> None:
    release_two(client, actors, make_package)
    own = home.sharing_caches(tmp_path / "web")
    host = Host(own)
    try:
        catalog = Catalog(host, registry)
        for _ in range(3):
            catalog.record_launch(TEA, "alice")
        catalog.record_launch(TEA, "bob")
    finally:
        host.close()
    with registry.database.read() as connection:
        rows = connection.execute(
            sa.select(tables.launch_counts.c.user, tables.accounts.c.name, tables.accounts.c.roles).join(
                tables.accounts, tables.accounts.c.id == tables.launch_counts.c.host_id
            )
        ).all()
    assert len(rows) == 2  # alice once, bob once
    assert {(name, roles) for _, name, roles in rows} == {("local-host", "host")}
    assert all(user not in ("alice", "bob") and len(user) == 43 for user, _, _ in rows)
    assert order(client) == [TEA, COFFEE]
