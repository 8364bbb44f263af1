"""Group commit on SQLite: movements share a transaction and its fsync, yet each one
fails alone, and none is reported before the commit that makes it durable."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from capsule.runtime.capabilities import InvalidArgument
from capsule.runtime.capabilities.payments import Charge, EmbeddedProvider, PaymentConflict, PaymentDeclined
from capsule.runtime.capabilities.payments.tables import orders
from capsule.runtime.database import Database

from .invariants import assert_books_hold

APP = "dev.example.batch"


def charge(order_id: str, amount: int, user: str = "alice") -> Charge:
    return Charge(APP, user, f"u_{user}", order_id, amount, "CNY", "tea")


@pytest.fixture
def sqlite_provider(tmp_path, signer):
    database = Database.open(f"sqlite:///{tmp_path / 'batch.db'}")
    yield EmbeddedProvider(database, signer)
    database.close()


class Commits:
    """Watches the engine's COMMITs; can make the next ones fail as a full disk would."""

    def __init__(self, database: Database) -> None:
        self.seen = 0
        self.fail = 0
        self.returned_at_commit: list[int] = []
        self.returned: list[str] = []  # filled by the writers as they hear back
        event.listen(database.engine, "commit", self._on_commit)
        self._engine = database.engine

    def _on_commit(self, _conn: Any) -> None:
        self.seen += 1
        self.returned_at_commit.append(len(self.returned))
        if self.fail:
            self.fail -= 1
            raise OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error"))

    def close(self) -> None:
        event.remove(self._engine, "commit", self._on_commit)


def in_one_batch(provider: EmbeddedProvider, commits: Commits, calls: dict[str, Callable[[], Any]]) -> dict[str, Future]:
    """Run `calls` on threads so that they all land in one batch: a movement that
    blocks holds the leader until every call is queued behind it."""
    holding, release = threading.Event(), threading.Event()

    def hold(_conn: Any) -> None:
        holding.set()
        assert release.wait(30)

    def noted(name: str, call: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            try:
                return call()
            finally:
                commits.returned.append(name)
        return run

    group = provider._group
    assert group is not None
    with ThreadPoolExecutor(len(calls) + 1) as pool:
        leader = pool.submit(provider._write, hold)
        assert holding.wait(30)
        futures = {name: pool.submit(noted(name, call)) for name, call in calls.items()}
        deadline = time.monotonic() + 30
        while group.waiting < len(calls):
            assert time.monotonic() < deadline, "the calls did not queue behind the leader"
            time.sleep(0.001)
        commits.seen = 0
        commits.returned_at_commit.clear()
        release.set()
        for future in [leader, *futures.values()]:
            future.exception(30)
    return futures


def test_a_failing_movement_in_a_batch_leaves_the_others_alone(sqlite_provider, signer):
    provider = sqlite_provider
    provider.topup("alice", 10_000, "CNY")
    provider.topup("bob", 100, "CNY")
    provider.charge(charge("old", 500))
    commits = Commits(provider.database)
    try:
        futures = in_one_batch(provider, commits, {
            "pay": lambda: provider.charge(charge("o1", 1_000)),
            "declined": lambda: provider.charge(charge("o2", 5_000, user="bob")),
            "conflict": lambda: provider.charge(charge("old", 999)),
            "same order again": lambda: provider.charge(charge("o1", 1_000)),
            "refund too much": lambda: provider.refund(APP, "old", "r1", 10_000, ""),
            "refund": lambda: provider.refund(APP, "old", "r2", 200, ""),
            "transfer": lambda: provider.transfer(APP, "alice", "u_a", "bob", "u_b", 300, "CNY", "", None),
            "topup": lambda: provider.topup("carol", 50, "CNY"),
        })
    finally:
        commits.close()
    # One COMMIT for all of them (the batch the held leader ran), and at that moment
    # nobody had been told anything.
    assert commits.seen == 1 and commits.returned_at_commit == [0]
    assert isinstance(futures["declined"].exception(), PaymentDeclined)
    assert isinstance(futures["conflict"].exception(), PaymentConflict)
    assert isinstance(futures["refund too much"].exception(), InvalidArgument)
    paid = futures["pay"].result()
    assert futures["same order again"].result() == paid  # the replay saw the payment earlier in its batch
    assert futures["refund"].result().amount == 200
    assert futures["transfer"].result().amount == 300
    assert futures["topup"].result().startswith("tx_")
    assert provider.balance("alice", "CNY") == 10_000 - 500 - 1_000 + 200 - 300
    assert provider.balance("bob", "CNY") == 100 + 300
    assert provider.balance("carol", "CNY") == 50
    assert provider.find_order(APP, "o2") is None
    assert provider.find_order(APP, "old").refunded == 200
    assert_books_hold(provider, signer.public_key_b64)


def test_when_the_commit_fails_no_movement_of_the_batch_is_reported_or_kept(sqlite_provider, signer):
    provider = sqlite_provider
    provider.topup("alice", 10_000, "CNY")
    commits = Commits(provider.database)
    commits.fail = 1
    try:
        futures = in_one_batch(provider, commits, {
            **{f"pay {n}": (lambda n=n: provider.charge(charge(f"o{n}", 100 + n))) for n in range(5)},
            "declined": lambda: provider.charge(charge("big", 50_000)),
            "transfer": lambda: provider.transfer(APP, "alice", "u_a", "bob", "u_b", 300, "CNY", "", None),
        })
    finally:
        commits.close()
    assert commits.seen == 1 and commits.returned_at_commit == [0]
    for name, future in futures.items():
        assert isinstance(future.exception(), OperationalError), name  # a decline too: nothing of the batch exists
    assert provider.balance("alice", "CNY") == 10_000 and provider.balance("bob", "CNY") == 0
    with provider.database.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(orders)).scalar_one() == 0
    assert_books_hold(provider, signer.public_key_b64)
    # The next commit works: the same payments go through, once each.
    for n in range(5):
        provider.charge(charge(f"o{n}", 100 + n))
    assert provider.balance("alice", "CNY") == 10_000 - sum(100 + n for n in range(5))


def test_a_payment_whose_commit_fails_is_not_reported_and_can_be_paid_again(provider, signer):
    """Both databases: a failed COMMIT is an error to the payer and leaves nothing."""
    provider.topup("alice", 1_000, "CNY")
    commits = Commits(provider.database)
    commits.fail = 1
    try:
        with pytest.raises(OperationalError, match="disk I/O error"):
            provider.charge(charge("o1", 400))
    finally:
        commits.close()
    assert provider.find_order(APP, "o1") is None and provider.balance("alice", "CNY") == 1_000
    provider.charge(charge("o1", 400))
    assert provider.balance("alice", "CNY") == 600
    assert_books_hold(provider, signer.public_key_b64)


def test_when_begin_fails_the_writer_hears_it(provider):
    """Both databases: a transaction that cannot even start (SQLite: another process
    holding the write lock too long) is an error to the payer, never a silent None."""
    provider.topup("alice", 1_000, "CNY")
    failures = [OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))]

    def begin(_conn: Any) -> None:
        if failures:
            raise failures.pop()

    event.listen(provider.database.engine, "begin", begin)
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            provider.charge(charge("o1", 400))
    finally:
        event.remove(provider.database.engine, "begin", begin)
    assert provider.find_order(APP, "o1") is None and provider.balance("alice", "CNY") == 1_000
