"""Limits that hold (issue 10) on the real hostile component: sleeping past the
wall clock, output floods, hostile text, out-of-range amounts, bad headers,
malformed addresses, and the session caps."""

from __future__ import annotations

import base64
import time

import pytest

from capsule.runtime import Host, LimitExceeded, PolicyPrompter, SessionCaps, TooManySessions, TurnLimits
from capsule.runtime.capabilities.qr import codes
from capsule.runtime.metrics.figures import REGISTRY
from capsule.runtime.session import LOG_LINE_CHARS, TOASTS_KEPT

from ..conftest import texts

HOSTILE = "dev.capsule.tests.hostile"
HELLO = "dev.capsule.samples.hello"


def outcome(session) -> str:
    return texts(session.view)[0]


@pytest.fixture
def short_host(home, packages):
    """A host whose turns may take 2 s of wall clock."""
    host = Host(home, prompter=PolicyPrompter(), limits=TurnLimits(wall_ms=2000))
    host.install(packages["hostile"].package, rebuilt=True)
    host.install(packages["hello"].package)
    yield host
    host.close()


@pytest.mark.parametrize("handler", ["sleep", "select_sleep"])
def test_sleeping_past_the_wall_clock_ends_the_turn_at_the_limit(short_host, handler):
    session = short_host.launch(HOSTILE, user="mallory")
    breaches = REGISTRY.get_sample_value("capsule_limit_breaches_total", {"limit": "wall_ms"}) or 0
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as caught:
        session.dispatch(handler, {"seconds": 45})
    took = time.monotonic() - started
    assert caught.value.limit == "wall_ms" and "wall-clock" in str(caught.value)
    assert took < 2.0 + 1.0, f"the turn took {took:.1f} s against a 2 s limit"
    assert not session.alive
    # The operator's /metrics counts it, by limit.
    assert REGISTRY.get_sample_value("capsule_limit_breaches_total", {"limit": "wall_ms"}) == breaches + 1
    # The thread is free again: the same thread serves another session at once.
    other = short_host.launch(HELLO, user="alice")
    other.dispatch("increment")


def test_a_short_sleep_is_wall_time_not_cpu_time(home, packages):
    # 1.5 s asleep against a 300 ms CPU budget: sleeping does not compute.
    host = Host(home, prompter=PolicyPrompter(), limits=TurnLimits(cpu_ms=300, wall_ms=5000))
    host.install(packages["hostile"].package, rebuilt=True)
    try:
        session = host.launch(HOSTILE, user="mallory")
        session.dispatch("sleep", {"seconds": 1.5})
        assert outcome(session) == "slept"
    finally:
        host.close()


def test_stdout_and_stderr_count_against_the_log_limit(host):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("print_flood", {"lines": 2000})  # 4 MB of output
    assert outcome(session) == "printed"
    kept = sum(len(line.message) for line in session.logs if line.level in ("stdout", "stderr"))
    budget = host.limits.log_bytes
    assert kept <= budget + 200, f"{kept} characters of output kept against a {budget} byte budget"
    assert any("log limit" in line.message for line in session.logs)


def test_printed_output_is_logged_a_line_at_a_time(host):
    session = host.launch(HOSTILE, user="mallory")
    session.logs.clear()
    session.dispatch("print_parts")
    assert outcome(session) == "printed"
    out = [line.message for line in session.logs if line.level == "stdout"]
    assert out == ["one two 3", "caf\u00e9 without a newline"]  # the rest of the turn's output comes out at its end
    (err,) = [line.message for line in session.logs if line.level == "stderr"]
    assert err.startswith("x" * 3_000) and "line cut" in err  # logged as it stands, cut as any long line


def test_toasts_are_bounded_per_turn_and_per_session(host):
    session = host.launch(HOSTILE, user="mallory")
    with pytest.raises(Exception) as caught:
        session.dispatch("toast_flood", {"count": 500})
    assert "toasts per event" in str(caught.value)
    assert session.alive and len(session.toasts) <= TOASTS_KEPT
    for _ in range(10):
        session.dispatch("say", {"what": "toast", "text": "hi"})
    assert len(session.toasts) <= TOASTS_KEPT


@pytest.mark.parametrize(
    "what, words",
    [("toast", "toast message must be 1 to 200"), ("modal_label", "confirm-label must be at most 40")],
)
def test_long_program_text_is_an_invalid_argument(host, what, words):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("say", {"what": what, "text": "x", "times": 100_000})
    assert outcome(session).startswith("blocked: InvalidArgument"), outcome(session)
    assert session.alive


def test_a_long_log_line_is_cut(host):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("say", {"what": "log", "text": "y", "times": 50_000})
    assert max(len(line.message) for line in session.logs) <= LOG_LINE_CHARS + 100


@pytest.mark.parametrize("amount", [-1, 2**64, 2**64 + 5, -(2**70)])
def test_an_out_of_range_amount_is_an_invalid_argument_in_the_program(host, amount):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("pay", {"amount": amount})
    assert outcome(session).startswith("pay blocked: InvalidArgument"), outcome(session)
    assert session.alive


def test_a_non_ascii_header_is_an_invalid_argument_in_the_program(host):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("fetch_header", {"name": "X-Name", "value": "Zoë ☕"})
    assert outcome(session).startswith("fetch blocked: InvalidArgument"), outcome(session)
    assert session.alive


@pytest.mark.parametrize(
    "text", ["capsule://com.example.food/menu?table", "capsule://com.example.food/menu?%zz", "capsule://x?&&"]
)
def test_a_program_that_decodes_a_malformed_address_keeps_running(host, text):
    image = base64.b64encode(codes.qr_png(text, 256)).decode()
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("decode", {"image": image})
    assert outcome(session) == f"decode allowed: ({text!r}, 0)"
    assert session.alive


def test_sessions_are_capped_per_user(home, packages):
    host = Host(home, caps=SessionCaps(per_user=2, per_host=10))
    host.install(packages["hello"].package)
    try:
        first = host.launch(HELLO, user="alice")
        host.launch(HELLO, user="alice")
        with pytest.raises(TooManySessions, match="per_user = 2") as caught:
            host.launch(HELLO, user="alice")
        assert caught.value.cap == "per_user"
        host.launch(HELLO, user="bob")  # another user is not affected
        first.close()
        host.launch(HELLO, user="alice")  # a closed session frees its place
    finally:
        host.close()


def test_sessions_are_capped_per_host_and_by_memory(home, packages):
    host = Host(home, caps=SessionCaps(per_user=10, per_host=2))
    host.install(packages["hello"].package)
    try:
        host.launch(HELLO, user="a")
        host.launch(HELLO, user="b")
        with pytest.raises(TooManySessions, match="per_host = 2"):
            host.launch(HELLO, user="c")
    finally:
        host.close()
    limits = TurnLimits(memory_bytes=64 * 2**20)
    host = Host(home, limits=limits, caps=SessionCaps(memory_bytes=150 * 2**20))
    host.install(packages["hello"].package)
    try:
        host.launch(HELLO, user="a")
        host.launch(HELLO, user="b")
        with pytest.raises(TooManySessions, match="memory_bytes = 150 MiB") as caught:
            host.launch(HELLO, user="c")
        assert caught.value.cap == "memory_bytes"
        assert len(host.sessions()) == 2
    finally:
        host.close()


def test_a_host_sized_to_n_sessions_admits_n_and_refuses_the_next(home, packages, tmp_path):
    from capsule.runtime.admission import caps_for

    caps = caps_for(3, memory_limit_bytes=TurnLimits().memory_bytes)
    assert caps.per_host == 3 and caps.memory_bytes == 3 * TurnLimits().memory_bytes
    with pytest.raises(ValueError, match="at least one session"):
        caps_for(0, memory_limit_bytes=1)
    host = Host(home.sharing_caches(tmp_path / "home"), caps=caps)
    host.install(packages["hello"].package)
    try:
        for user in ("a", "b", "c"):
            host.launch(HELLO, user=user)
        with pytest.raises(TooManySessions) as caught:
            host.launch(HELLO, user="d")
        assert caught.value.cap in ("per_host", "memory_bytes")
    finally:
        host.close()
