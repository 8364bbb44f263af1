"""Hostile programs: each attack is refused or stopped with its documented error,
the host stays up, and another live session is unaffected.

Every test runs twice: against the hostile program as source on the shared
Python runtime (kind `python`) and as its own component (kind `component`).
"""

from __future__ import annotations

import threading

import pytest

from capsule.runtime import Host, LimitExceeded, PolicyPrompter, ProgramError, SessionEnded, TurnLimits
from capsule.runtime.errors import AuditError, ProgramTrapped

from ..conftest import texts

HOSTILE = "dev.capsule.tests.hostile"
HELLO = "dev.capsule.samples.hello"


@pytest.fixture(params=["python", "component"])
def kind(request) -> str:
    return request.param


@pytest.fixture
def hostile_package(kind, packages):
    return packages["hostile_source" if kind == "python" else "hostile"].package


@pytest.fixture
def host(home, packages, hostile_package):
    h = Host(home, prompter=PolicyPrompter())
    h.install(packages["hello"].package)
    h.install(hostile_package, rebuilt=True)  # the two kinds of hostile share an id and a version
    yield h
    h.close()


@pytest.fixture
def bystander(host: Host):
    """A second live session that must not notice anything."""
    session = host.launch(HELLO, user="bystander")
    yield session
    session.dispatch("increment")
    assert "You pressed the button 1 time." in texts(session.view)


def outcome(session) -> str:
    return texts(session.view)[0]


def test_cannot_read_files(host, bystander, packages, kind):
    session = host.launch(HOSTILE, user="mallory")
    hello_dir = host.app(HELLO).path.name  # another installed program's files
    paths = ["/etc/passwd", "/proc/self/environ", "../../etc/hostname", f"/program/../{hello_dir}/app.py",
             f"../{hello_dir}/app.py", "/stdlib/../../etc/passwd", "/program/../installed.json"]  # fmt: skip
    if kind == "component":
        paths.append("app.py")  # a component sees no files at all
    for path in paths:
        session.dispatch("read_file", {"path": path})
        assert outcome(session).startswith("read_file blocked"), (path, outcome(session))


def test_a_source_program_reads_only_its_own_files(home, packages):
    # Only a source program has files to read; a component sees none (test_cannot_read_files).
    host = Host(home, prompter=PolicyPrompter())
    host.install(packages["hostile_source"].package, rebuilt=True)
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("read_file", {"path": "/program/app.py"})
    assert outcome(session).startswith("read_file allowed"), outcome(session)
    for path in ("/program/app.py", "/program/new.py", "/stdlib/os.py", "/stdlib/new.py"):
        session.dispatch("write_file", {"path": path})
        assert outcome(session).startswith("write_file blocked"), (path, outcome(session))
    host.close()


def test_raw_bindings_of_an_undeclared_capability_are_refused_by_the_host(host, bystander):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("raw_binding")
    through_bindings, through_internals = outcome(session).removeprefix("raw_binding ").split(" | ")
    for result in (through_bindings, through_internals):
        assert result.startswith("blocked"), outcome(session)


def test_cannot_list_the_filesystem(host, bystander):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("list_root")
    assert outcome(session).startswith("list_root blocked"), outcome(session)


def test_cannot_open_sockets(host, bystander):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("open_socket", {"port": 5432})
    assert outcome(session).startswith("open_socket blocked"), outcome(session)


def test_sees_no_environment_and_no_arguments(host, bystander, monkeypatch):
    monkeypatch.setenv("CAPSULE_TEST_SECRET", "hunter2")
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("read_env")
    assert outcome(session) == "read_env {} argv=[]" or "hunter2" not in outcome(session)
    assert "{}" in outcome(session)


def test_infinite_loop_is_stopped_by_the_cpu_limit(home, hostile_package, bystander):
    host = Host(home, limits=TurnLimits(cpu_ms=300))
    host.install(hostile_package, rebuilt=True)
    session = host.launch(HOSTILE, user="mallory")
    with pytest.raises(LimitExceeded) as caught:
        session.dispatch("spin")
    assert caught.value.limit == "cpu_ms"
    assert not session.alive
    with pytest.raises(SessionEnded):
        session.dispatch("read_env")


def test_unbounded_allocation_is_stopped_by_the_memory_cap(host, bystander):
    session = host.launch(HOSTILE, user="mallory")
    with pytest.raises(SessionEnded) as caught:
        session.dispatch("allocate")
    assert isinstance(caught.value, LimitExceeded) and caught.value.limit == "memory_bytes" or isinstance(
        caught.value, ProgramTrapped
    )
    assert not session.alive


def test_recursion_hits_python_limit_and_the_session_goes_on(host, bystander):
    session = host.launch(HOSTILE, user="mallory")
    with pytest.raises(ProgramError) as caught:
        session.dispatch("recurse")
    assert caught.value.kind == "RecursionError"
    assert session.alive


def test_recursion_past_the_wasm_stack_ends_the_session(host, bystander):
    session = host.launch(HOSTILE, user="mallory")
    with pytest.raises(SessionEnded):
        session.dispatch("recurse_deep")
    assert not session.alive


def test_oversized_view_ends_the_session(host, bystander):
    session = host.launch(HOSTILE, user="mallory")
    with pytest.raises(LimitExceeded) as caught:
        session.dispatch("huge_view")
    assert caught.value.limit == "view_bytes"
    assert "limit" in str(caught.value)


def test_host_call_flood_is_stopped(host, bystander):
    session = host.launch(HOSTILE, user="mallory")
    with pytest.raises(LimitExceeded) as caught:
        session.dispatch("call_flood")
    assert caught.value.limit == "host_calls"


def test_calling_an_undeclared_capability_is_refused_in_the_guest(host, bystander):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("undeclared")
    assert outcome(session).startswith("undeclared blocked: NotDeclared"), outcome(session)


def test_an_undeclared_import_is_refused_before_anything_runs(home, packages):
    host = Host(home)
    with pytest.raises(AuditError) as caught:
        host.install(packages["undeclared"].package)
    assert caught.value.undeclared == ["capsule:app/storage@0.1.0"]
    assert "capsule:app/storage@0.1.0" in str(caught.value)


def test_markup_stays_text(host, bystander):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("markup")
    assert outcome(session) == '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_a_runaway_session_does_not_block_others(home, packages, hostile_package):
    host = Host(home, limits=TurnLimits(cpu_ms=1500))
    host.install(hostile_package, rebuilt=True)
    host.install(packages["hello"].package)
    runaway = host.launch(HOSTILE, user="mallory")
    other = host.launch(HELLO, user="alice")
    ended: list[BaseException] = []
    thread = threading.Thread(target=lambda: _expect_end(runaway, ended))
    thread.start()
    for _ in range(10):  # served while the runaway spins on another thread
        other.dispatch("increment")
    assert thread.is_alive(), "the runaway should still be spinning while others are served"
    thread.join()
    assert "You pressed the button 10 times." in texts(other.view)
    assert ended and isinstance(ended[0], LimitExceeded)


def _expect_end(session, sink):
    try:
        session.dispatch("spin")
    except SessionEnded as error:
        sink.append(error)
