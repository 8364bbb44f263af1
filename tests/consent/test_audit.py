"""The audit trail: buffered, flushed, nothing lost on close, pruned by age."""

from __future__ import annotations

import time

import sqlalchemy as sa

from capsule.runtime.capabilities.binding import CallRecord
from capsule.runtime.consent import AuditTrail, tables
from capsule.runtime.database import Database


def call(capability="location", decision="ok", at=None, user="alice", bytes_out=64):
    return CallRecord(
        "s1", "dev.example.taxi", "1.2.0", user, capability, "get-position", decision, 12,
        at if at is not None else time.time(), f"{capability}.fuzzy", bytes_out,
    )


def test_every_call_is_kept_with_version_scope_decision_and_bytes(database):
    trail = AuditTrail(database)
    trail.record(call())
    trail.record(call(decision="refused", bytes_out=0))
    entries = trail.entries(user="alice")
    assert [(e.app_version, e.scope, e.decision, e.bytes_out) for e in entries] == [
        ("1.2.0", "location.fuzzy", "ok", 64),
        ("1.2.0", "location.fuzzy", "refused", 0),
    ]
    trail.close()


def test_ui_and_log_are_not_recorded(database):
    trail = AuditTrail(database)
    trail.record(call(capability="ui"))
    trail.record(call(capability="log"))
    assert trail.entries() == []
    trail.close()


def test_a_clean_shutdown_loses_nothing(database_url):
    db = Database.open(database_url)
    trail = AuditTrail(db, flush_interval=3600)  # the writer would not flush on its own
    for i in range(500):
        trail.record(call(user=f"user{i % 7}"))
    trail.close()
    db.close()
    reopened = Database.open(database_url)
    assert len(AuditTrail(reopened).entries(limit=10_000)) == 500
    reopened.close()


def test_the_writer_flushes_within_its_interval(database):
    database.ensure(tables.metadata)
    trail = AuditTrail(database, flush_interval=0.01)
    trail.record(call())
    deadline = time.time() + 5

    while time.time() < deadline:
        with database.read() as db:
            if db.execute(sa.select(sa.func.count()).select_from(tables.audit)).scalar():
                break
        time.sleep(0.01)
    else:
        raise AssertionError("the entry was not written within 5 s")
    trail.close()


def test_entries_older_than_the_retention_are_pruned(database):
    trail = AuditTrail(database, retention_days=30)
    trail.record(call(at=time.time() - 31 * 86400))
    trail.record(call())
    trail.flush()  # the first flush prunes, and then once an hour
    assert len(trail.entries()) == 1
    assert trail.prune(now=time.time() + 31 * 86400) == 1
    assert trail.entries() == []
    trail.close()


CRASHING_HOST = """
import os, signal, sys, time
from capsule.runtime.capabilities.binding import CallRecord
from capsule.runtime.consent import AuditTrail
from capsule.runtime.database import Database

trail = AuditTrail(Database.open(sys.argv[1]), flush_interval=0.05)
for i in range(200):
    trail.record(CallRecord("s", "app", "1", "alice", "storage", "get", "ok", 1, time.time(), None, i))
time.sleep(0.5)  # ten flush intervals
for i in range(5):  # recorded in the last instant: these may be lost
    trail.record(CallRecord("s", "app", "1", "alice", "storage", "get", "ok", 1, time.time(), None, 1000 + i))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_crash_loses_at_most_the_last_flush_interval(tmp_path):
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'crash.db'}"
    done = subprocess.run([sys.executable, "-c", CRASHING_HOST, url], timeout=60)
    assert done.returncode == -9
    db = Database.open(url)
    kept = AuditTrail(db).entries(limit=10_000)
    assert sum(1 for e in kept if e.bytes_out < 1000) == 200  # everything older than one interval survived
    db.close()
