"""Accounts and sign-in sessions on each database the host runs on (SQLite and PostgreSQL),
and the sign-in throttle's arithmetic."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from capsule.runtime.webhost.accounts import AccountError, Accounts
from capsule.runtime.webhost.signins import SessionPolicy, SignIns
from capsule.runtime.webhost.throttle import Limit, Throttle, failures, say_wait

#: The cheapest argon2id parameters: these tests are about storage, not hashing cost.
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_accounts_are_created_once_and_checked_by_password(database) -> None:
    store = Accounts(database, FAST)
    created = store.create("dana", "a long enough password", "Dana D.")
    assert created.name == "dana" and created.display == "Dana D." and not created.demo
    with pytest.raises(AccountError) as taken:
        store.create("dana", "another long password")
    assert taken.value.status == 409
    assert store.verify("dana", "a long enough password") == created
    assert store.verify("dana", "wrong password!") is None
    assert store.verify("nobody", "a long enough password") is None
    assert store.verify("Robert'); DROP TABLE web_accounts;--", "x") is None
    demo = store.ensure_demo("alice", "Alice")
    assert demo.demo and store.ensure_demo("alice", "Alice") == demo
    assert store.verify("alice", "") is None  # a demo account has no password to guess
    assert [account.name for account in store.demo_accounts()] == ["alice"]


def test_a_stronger_hasher_rehashes_the_password_at_the_next_sign_in(database) -> None:
    Accounts(database, FAST).create("erin", "a long enough password")
    stronger = Accounts(database, PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert stronger.verify("erin", "a long enough password") is not None
    assert "m=16,t=2" in stronger.get_row("erin").password_hash


def test_sign_ins_rotate_expire_and_end(database) -> None:
    now = [1_000_000.0]
    signins = SignIns(database, SessionPolicy(idle_seconds=600, absolute_seconds=3600), clock=lambda: now[0])
    first = signins.start("dana")
    assert signins.find(first.token) == first and first.csrf != first.token
    second = signins.start("dana", replacing=first.token)
    assert signins.find(first.token) is None and signins.find(second.token) is not None
    now[0] += 601
    assert signins.find(second.token) is None  # idle
    third = signins.start("dana")
    while signins.find(third.token) is not None:  # used every 500 s: never idle
        assert now[0] - third.created_at <= 3600
        now[0] += 500
    assert now[0] - third.created_at > 3600  # ended by its absolute lifetime
    fourth = signins.start("dana")
    assert signins.end(fourth.token) and signins.find(fourth.token) is None
    assert signins.find("x" * 1000) is None and signins.find("") is None


def test_the_throttle_counts_failures_in_a_window_and_keeps_only_what_can_count(database) -> None:
    now = [0.0]
    throttle = Throttle(database, clock=lambda: now[0])
    limit = Limit(3, 60)
    for _ in range(3):
        assert throttle.wait("a", limit) == 0
        throttle.fail("a", limit)
        now[0] += 10
    assert throttle.wait("a", limit) == pytest.approx(30)
    # Another host on the same database sees the same count: guesses cannot be spread over hosts.
    assert Throttle(database, clock=lambda: now[0]).wait("a", limit) == pytest.approx(30)
    now[0] += 31
    assert throttle.wait("a", limit) == 0
    throttle.fail("a", limit)
    with database.read() as db:
        stored = db.execute(sa.select(failures.c.key_hash)).scalars().all()
    assert len(stored) == 3 and "a" not in stored  # the newest `attempts`, under a hash
    now[0] += 3600 * 2
    throttle.fail("b", limit)
    with database.read() as db:
        assert db.execute(sa.select(sa.func.count()).select_from(failures)).scalar() == 1  # old rows pruned
    throttle.clear("b")
    assert throttle.wait("b", Limit(1, 60)) == 0
    assert say_wait(899.2) == "15 minutes" and say_wait(61) == "1 minute 1 second" and say_wait(0.2) == "1 second"


def test_at_most_four_passwords_are_hashed_at_once(database) -> None:
    """Each argon2id hash takes 64 MiB: a burst of sign-ins waits its turn instead of taking the memory."""
    import threading
    import time

    running, most = [0], [0]
    lock = threading.Lock()

    class Counting(PasswordHasher):
        def verify(self, hash, password):  # noqa: A002 - argon2's name
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.05)
            with lock:
                running[0] -= 1
            return super().verify(hash, password)

    store = Accounts(database, Counting(time_cost=1, memory_cost=8, parallelism=1))
    store.create("fay", "a long enough password")
    threads = [threading.Thread(target=store.verify, args=("fay", "wrong password!")) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 4
