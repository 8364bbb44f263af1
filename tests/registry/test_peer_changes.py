"""A registry process whose events listener was cut off hears, once it listens again, what another
process may have changed meanwhile: every app (a release or a yank leaves no time to ask for) and
each merchant key revoked since it last listened."""

from __future__ import annotations

import os
import queue

import pytest
import sqlalchemy as sa

from capsule.runtime.events.postgres import APPLICATION_NAME
from capsule.runtime.registry import Registry, tables

from .conftest import publish

PATIENCE = 30.0
DONE = "<catch-up done>"


def cut_off(registry: Registry) -> None:
    """End this worker's events listeners (other tests' too: each comes back by itself), as a
    PostgreSQL restart would."""
    with registry.database.transaction() as connection:
        killed = connection.execute(
            sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": f"{APPLICATION_NAME} {os.getpid()}"},
        ).scalars().all()
    assert killed and all(killed)


def caught_up(heard: queue.Queue) -> list[str]:
    """What was heard up to the end of the catch-up (its last subscriber puts DONE)."""
    found: list[str] = []
    while (item := heard.get(timeout=PATIENCE)) != DONE:
        found.append(item)
    return found


def test_change_listeners_hear_every_app_after_the_listener_was_cut_off(registry, client, actors, make_package) -> None:
    if registry.database.dialect != "postgresql":
        pytest.skip("only PostgreSQL carries events between processes")
    assert publish(client, actors["alice"], make_package(actors["alice"].key, "com.example.coffee")).status_code == 201
    assert publish(client, actors["bob"], make_package(actors["bob"].key, "com.example.tea")).status_code == 201
    heard: queue.Queue = queue.Queue()
    registry.on_change(heard.put)
    registry.database.events.on_reconnect(lambda since: heard.put(DONE))
    assert registry.database.events.listening.wait(PATIENCE)
    assert heard.empty()
    cut_off(registry)
    assert sorted(caught_up(heard)) == ["com.example.coffee", "com.example.tea"]


def test_key_listeners_hear_the_keys_revoked_since_the_listener_last_listened(registry, client, actors, make_package) -> None:
    if registry.database.dialect != "postgresql":
        pytest.skip("only PostgreSQL carries events between processes")
    alice = actors["alice"]
    assert publish(client, alice, make_package(alice.key, "com.example.coffee")).status_code == 201
    keys = "/apps/com.example.coffee/merchant-keys"
    recent, old, live = (client.post(keys, json={}, headers=alice.headers).json()["key_id"] for _ in range(3))
    for key_id in (recent, old):
        assert client.post(f"{keys}/{key_id}/revoke", headers=alice.headers).status_code == 200
    with registry.database.transaction() as connection:
        connection.execute(
            tables.merchant_keys.update().where(tables.merchant_keys.c.key_id == old)
            .values(revoked_at=tables.merchant_keys.c.revoked_at - 3600)
        )
    heard: queue.Queue = queue.Queue()
    registry.on_key_revoked(heard.put)
    registry.database.events.on_reconnect(lambda since: heard.put(DONE))
    assert registry.database.events.listening.wait(PATIENCE)
    cut_off(registry)
    # Revoked just before the break (another process's event may not have come): heard. An hour
    # before it: heard then, not again. Never revoked: not heard.
    assert caught_up(heard) == [recent]
