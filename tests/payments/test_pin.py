"""The payment PIN store on both databases: set, verify, lockout, persistence, the no-PIN amount."""

from __future__ import annotations

import threading

import pytest

from capsule.runtime.capabilities import InvalidArgument
from capsule.runtime.capabilities.payments import PinLocked, PinStore, WrongPin
from capsule.runtime.capabilities.payments.pin import LOCK_SECONDS, MAX_FAILURES, PinNotSet, pins
from capsule.runtime.database import Database

SECRET = b"s" * 32


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def store(database: Database, clock: Clock, secret: bytes = SECRET) -> PinStore:
    return PinStore(lambda: database, lambda: secret, clock=clock)


def test_set_then_verify_and_the_hash_is_argon2id_of_a_keyed_pin(database, clock):
    pins_ = store(database, clock)
    assert not pins_.status("alice").is_set
    with pytest.raises(PinNotSet):
        pins_.verify("alice", "123456")
    pins_.set("alice", "123456")
    pins_.verify("alice", "123456")
    with database.read() as db:
        stored = db.execute(pins.select()).one().hash
    assert stored.startswith("$argon2id$") and "123456" not in stored
    # The same PIN under another host secret does not verify: the database alone is not enough.
    with pytest.raises(WrongPin):
        store(database, clock, b"t" * 32).verify("alice", "123456")


@pytest.mark.parametrize("bad", ["12345", "1234567", "12345a", "١٢٣٤٥٦", " 123456", "", None, 123456, "1" * 10_000])
def test_a_pin_is_exactly_six_ascii_digits(database, clock, bad):
    with pytest.raises(InvalidArgument, match="exactly 6 digits"):
        store(database, clock).set("alice", bad)


def test_changing_needs_the_old_pin(database, clock):
    pins_ = store(database, clock)
    pins_.set("alice", "123456")
    with pytest.raises(InvalidArgument, match="current PIN"):
        pins_.set("alice", "654321")
    with pytest.raises(WrongPin):
        pins_.set("alice", "654321", old_pin="000000")
    pins_.set("alice", "654321", old_pin="123456")
    pins_.verify("alice", "654321")
    with pytest.raises(WrongPin):
        pins_.verify("alice", "123456")


def test_five_wrong_pins_lock_for_fifteen_minutes_even_the_right_pin(database, clock):
    pins_ = store(database, clock)
    pins_.set("alice", "123456")
    left = []
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(WrongPin) as wrong:
            pins_.verify("alice", "000000")
        left.append(wrong.value.tries_left)
    assert left == [4, 3, 2, 1]
    with pytest.raises(PinLocked) as locked:
        pins_.verify("alice", "000000")
    assert locked.value.until_ms == int(clock.now * 1000) + LOCK_SECONDS * 1000
    assert "until 2027-01-15 08:15 UTC" in str(locked.value)
    with pytest.raises(PinLocked):
        pins_.verify("alice", "123456")
    assert store(database, clock).status("bob").is_set is False  # other users are not locked
    clock.now += LOCK_SECONDS - 1
    with pytest.raises(PinLocked):
        pins_.check_unlocked("alice")
    clock.now += 2
    pins_.check_unlocked("alice")
    pins_.verify("alice", "123456")


def test_a_right_pin_resets_the_count(database, clock):
    pins_ = store(database, clock)
    pins_.set("alice", "123456")
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(WrongPin):
            pins_.verify("alice", "000000")
    pins_.verify("alice", "123456")
    with pytest.raises(WrongPin) as wrong:
        pins_.verify("alice", "000000")
    assert wrong.value.tries_left == MAX_FAILURES - 1


def test_the_lock_and_the_count_survive_reopening_the_database(database_url, clock):
    first = Database.open(database_url)
    pins_ = store(first, clock)
    pins_.set("alice", "123456")
    with pytest.raises(WrongPin):
        pins_.verify("alice", "000000")
    first.close()
    second = Database.open(database_url)
    try:
        again = store(second, clock)
        with pytest.raises(WrongPin) as wrong:
            again.verify("alice", "000000")
        assert wrong.value.tries_left == MAX_FAILURES - 2  # the count went on
        for _ in range(3):
            with pytest.raises((WrongPin, PinLocked)):
                again.verify("alice", "000000")
    finally:
        second.close()
    third = Database.open(database_url)
    try:
        assert store(third, clock).status("alice").locked_until is not None  # a restart does not unlock
        with pytest.raises(PinLocked):
            store(third, clock).verify("alice", "123456")
    finally:
        third.close()


def test_parallel_guesses_cannot_beat_the_count(database, clock):
    pins_ = store(database, clock)
    pins_.set("alice", "123456")
    outcomes: list[str] = []
    guesses = [f"{n:06d}" for n in range(20)]

    def guess(pin: str) -> None:
        try:
            pins_.verify("alice", pin)
            outcomes.append("ok")
        except WrongPin:
            outcomes.append("wrong")
        except PinLocked:
            outcomes.append("locked")

    threads = [threading.Thread(target=guess, args=(pin,)) for pin in guesses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # At most five guesses were compared with the hash; the rest met the lock.
    assert outcomes.count("wrong") + outcomes.count("ok") <= MAX_FAILURES
    assert outcomes.count("locked") >= len(guesses) - MAX_FAILURES
    with pytest.raises(PinLocked):
        pins_.verify("alice", "123456")


def test_the_no_pin_amount_is_per_currency_needs_the_pin_and_zero_removes_it(database, clock):
    pins_ = store(database, clock)
    pins_.set("alice", "123456")
    assert pins_.needs_pin("alice", 1, "CNY")  # default: always ask
    with pytest.raises(WrongPin):
        pins_.set_threshold("alice", "CNY", 5000, "000000")
    assert pins_.needs_pin("alice", 1, "CNY")
    pins_.set_threshold("alice", "CNY", 5000, "123456")
    assert not pins_.needs_pin("alice", 4999, "CNY")
    assert pins_.needs_pin("alice", 5000, "CNY")  # below, not up to
    assert pins_.needs_pin("alice", 100, "EUR")
    assert pins_.needs_pin("bob", 100, "CNY")
    assert pins_.status("alice").no_pin_below == {"CNY": 5000}
    pins_.set_threshold("alice", "CNY", 0, "123456")
    assert pins_.needs_pin("alice", 1, "CNY")
    for currency, amount in (("XYZ", 100), ("CNY", -1), ("CNY", 1.5), ("CNY", True)):
        with pytest.raises(InvalidArgument):
            pins_.set_threshold("alice", currency, amount, "123456")
