"""A registry process whose events listener was cut off hears, once it listens again, of every app:
a release or a yank made meanwhile by another process may be among them."""

from __future__ import annotations

import os
import queue

import pytest
import sqlalchemy as sa

from capsule.runtime.events.postgres import APPLICATION_NAME

from .conftest import publish

PATIENCE = 30.0


def test_change_listeners_hear_every_app_after_the_listener_was_cut_off(registry, client, actors, make_package) -> None:
    if registry.database.dialect != "postgresql":
        pytest.skip("only PostgreSQL carries events between processes")
    assert publish(client, actors["alice"], make_package(actors["alice"].key, "com.example.coffee")).status_code == 201
    assert publish(client, actors["bob"], make_package(actors["bob"].key, "com.example.tea")).status_code == 201
    heard: queue.Queue = queue.Queue()
    registry.on_change(heard.put)
    assert registry.database.events.listening.wait(PATIENCE)
    assert heard.empty()

    with registry.database.transaction() as connection:
        # This worker's listeners (other tests' too): each comes back by itself.
        connection.execute(
            sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": f"{APPLICATION_NAME} {os.getpid()}"},
        )
    assert sorted(heard.get(timeout=PATIENCE) for _ in range(2)) == ["com.example.coffee", "com.example.tea"]
