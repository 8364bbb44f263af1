"""Events between hosts over PostgreSQL LISTEN/NOTIFY, on two real connections pools."""

from __future__ import annotations

import queue
import threading

import pytest

from capsule.runtime.database import Database
from capsule.runtime.events import NoPeers, PostgresEvents

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
