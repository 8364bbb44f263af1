"""Events between hosts over PostgreSQL LISTEN/NOTIFY, on two real connections pools."""

from __future__ import annotations

import os
import queue
import threading
import time

import pytest
import sqlalchemy as sa

from capsule.runtime.database import Database
from capsule.runtime.events import NoPeers, PostgresEvents
from capsule.runtime.events.postgres import APPLICATION_NAME, HOLD_VARIABLE

PATIENCE = 30.0


def test_sqlite_has_no_peers(tmp_path) -> None:
    database = Database.open(f"sqlite:///{tmp_path / 'one.db'}")
    assert isinstance(database.events, NoPeers)
    database.events.publish("messages", ["alice", "m_1"])  # nobody to tell: no error either
    database.close()


def test_another_host_hears_an_event_and_the_publisher_does_not(database_url) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("events cross hosts on PostgreSQL")
    one, two = Database.open(database_url), Database.open(database_url)
    try:
        heard_by_two: queue.Queue = queue.Queue()
        heard_by_one: list = []
        done = threading.Event()
        assert isinstance(two.events, PostgresEvents)
        two.events.subscribe("registry", heard_by_two.put)
        one.events.subscribe("registry", heard_by_one.append)
        one.events.subscribe("registry", lambda payload: done.set())
        assert two.events.listening.wait(PATIENCE) and one.events.listening.wait(PATIENCE)
        one.events.publish("registry", "com.example.tea")
        assert heard_by_two.get(timeout=PATIENCE) == "com.example.tea"
        two.events.publish("other-topic", "ignored")
        two.events.publish("registry", "com.example.coffee")
        # Events arrive in commit order: by the time two's event is here, one's own came back and was dropped.
        assert done.wait(PATIENCE) and heard_by_one == ["com.example.coffee"]
        assert heard_by_two.empty()  # two does not hear itself
    finally:
        one.close()
        two.close()


def test_batches_stay_under_the_payload_limit(database_url) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("events cross hosts on PostgreSQL")
    one, two = Database.open(database_url), Database.open(database_url)
    try:
        heard: queue.Queue = queue.Queue()
        two.events.subscribe("messages", heard.put)
        assert two.events.listening.wait(PATIENCE)
        pairs = [[f"user{n}", f"m_{n:024x}:user{n}"] for n in range(1000)]
        one.events.publish_batches("messages", pairs)
        got: list = []
        while len(got) < len(pairs):
            got.extend(heard.get(timeout=PATIENCE))
        assert got == pairs
        with pytest.raises(ValueError, match="at most"):
            one.events.publish("messages", "x" * 8000)
    finally:
        one.close()
        two.close()


def test_a_listener_that_lost_its_connection_catches_up_from_when_it_last_listened(database_url, tmp_path, monkeypatch) -> None:
    """Killed by the server (as `pg_terminate_backend` or a restart would), the listener misses what is
    published meanwhile; listening again, it hands its catch-ups a time before that publish."""
    if not database_url.startswith("postgresql"):
        pytest.skip("events cross hosts on PostgreSQL")
    hold = tmp_path / "hold"
    monkeypatch.setenv(HOLD_VARIABLE, str(hold))
    one, two = Database.open(database_url), Database.open(database_url)
    try:
        heard: queue.Queue = queue.Queue()
        caught: queue.Queue = queue.Queue()
        two.events.subscribe("registry", heard.put)
        two.events.on_reconnect(caught.put)
        assert two.events.listening.wait(PATIENCE)
        assert caught.empty()  # the first connection has nothing to catch up on

        hold.touch()  # the listener will not come back until the file is gone
        with one.transaction() as connection:
            # Every listener of this process (this test's, and any other test's on this worker): they come back.
            killed = connection.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": f"{APPLICATION_NAME} {os.getpid()}"},
            ).scalars().all()
        assert killed and all(killed)
        deadline = time.monotonic() + PATIENCE
        while two.events.listening.is_set():
            assert time.monotonic() < deadline, "the listener did not notice its connection was gone"
            time.sleep(0.02)
        with one.read() as connection:
            published_at = connection.execute(sa.text("SELECT extract(epoch FROM clock_timestamp())")).scalar_one()
        one.events.publish("registry", "com.example.missed")

        hold.unlink()
        since = caught.get(timeout=PATIENCE)
        assert since <= float(published_at)  # a catch-up from `since` reads what was published
        assert heard.empty()  # ... which the listener did miss
        one.events.publish("registry", "com.example.live")
        assert heard.get(timeout=PATIENCE) == "com.example.live"
        assert caught.empty()  # one catch-up per break
    finally:
        one.close()
        two.close()
