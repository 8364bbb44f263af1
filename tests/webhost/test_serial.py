"""A session's worker: its calls in order, one at a time, on threads it does not keep (`webhost/serial.py`)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from capsule.runtime.webhost.serial import SerialWorker


def test_calls_run_in_submission_order_and_never_two_at_once():
    pool = ThreadPoolExecutor(max_workers=4)
    worker = SerialWorker(pool)
    seen: list[int] = []
    inside = threading.Semaphore(1)

    def call(n: int) -> int:
        assert inside.acquire(blocking=False), "two calls of one session ran at once"
        time.sleep(0.001)
        seen.append(n)
        inside.release()
        return n * n

    futures = [worker.submit(lambda n=n: call(n)) for n in range(40)]
    assert [f.result(timeout=10) for f in futures] == [n * n for n in range(40)]
    assert seen == list(range(40))
    pool.shutdown()


def test_idle_sessions_hold_no_thread():
    """Two hundred sessions, each served once, on a pool of two threads."""
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="serial-test")
    workers = [SerialWorker(pool) for _ in range(200)]
    for future in [w.submit(lambda i=i: i) for i, w in enumerate(workers)]:
        future.result(timeout=10)
    assert len([t for t in threading.enumerate() if t.name.startswith("serial-test")]) <= 2
    pool.shutdown()


def test_a_blocked_session_does_not_hold_up_another():
    pool = ThreadPoolExecutor(max_workers=4)
    waiting, other = SerialWorker(pool), SerialWorker(pool)
    answer = threading.Event()
    blocked = waiting.submit(lambda: answer.wait(10))  # a prompt waiting for its person
    assert other.submit(lambda: "served").result(timeout=5) == "served"
    assert not blocked.done()
    answer.set()
    assert blocked.result(timeout=5) is True
    pool.shutdown()


def test_a_failure_reaches_the_future_and_later_calls_still_run():
    pool = ThreadPoolExecutor(max_workers=1)
    worker = SerialWorker(pool)
    failed = worker.submit(lambda: 1 / 0)
    after = worker.submit(lambda: "after")
    with pytest.raises(ZeroDivisionError):
        failed.result(timeout=5)
    assert after.result(timeout=5) == "after"
    pool.shutdown()


def test_after_shutdown_queued_calls_finish_and_new_ones_are_refused():
    pool = ThreadPoolExecutor(max_workers=1)
    worker = SerialWorker(pool)
    gate = threading.Event()
    first = worker.submit(lambda: gate.wait(5))
    queued = worker.submit(lambda: "queued")
    worker.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        worker.submit(lambda: "late")
    gate.set()
    assert first.result(timeout=5) is True and queued.result(timeout=5) == "queued"
    pool.shutdown()
