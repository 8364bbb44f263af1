"""Sessions on real components: views, events, lifecycle, concurrency."""

from __future__ import annotations

import threading

import pytest

from capsule.runtime import Event, Host, ProgramError
from capsule.runtime.errors import NotInstalled

from ..conftest import texts

HELLO = "dev.capsule.samples.hello"


def test_launch_renders_first_view(host: Host):
    session = host.launch(HELLO, user="alice", query={"name": "Ada"})
    assert session.view["type"] == "page"
    assert session.page == "index"
    assert "Hello, Ada!" in texts(session.view)


def test_events_update_the_view(host: Host):
    session = host.launch(HELLO, user="alice")
    session.dispatch("increment")
    session.dispatch(Event("index", "increment", {}))
    assert "You pressed the button 2 times." in texts(session.view)


def test_each_session_has_its_own_state(host: Host):
    a = host.launch(HELLO, user="alice")
    b = host.launch(HELLO, user="bob")
    a.dispatch("increment")
    assert "You pressed the button 1 time." in texts(a.view)
    assert "You pressed the button 0 times." in texts(b.view)


def test_lifecycle_show_hide_close(host: Host):
    session = host.launch(HELLO, user="alice")
    session.hide()
    assert session.state == "hidden"
    session.show()
    assert session.state == "active"
    session.close()
    assert session.state == "ended"
    assert session not in host.sessions()


def test_unknown_handler_is_a_program_error_and_the_session_goes_on(host: Host):
    session = host.launch(HELLO, user="alice")
    with pytest.raises(ProgramError) as caught:
        session.dispatch("no_such_handler")
    assert caught.value.kind == "LookupError"
    assert "no_such_handler" in str(caught.value)
    session.dispatch("increment")
    assert "You pressed the button 1 time." in texts(session.view)


def test_program_exception_keeps_traceback_in_the_log(host: Host):
    session = host.launch("dev.capsule.tests.hostile", user="mallory")
    with pytest.raises(ProgramError) as caught:
        session.dispatch("crash")
    assert caught.value.kind == "ValueError"
    assert "app.py" in caught.value.traceback
    assert any("ValueError" in line.message for line in session.logs)
    assert session.alive


def test_sessions_run_concurrently_on_threads(host: Host):
    sessions = [host.launch(HELLO, user=f"user{i}") for i in range(4)]
    errors: list[BaseException] = []

    def tap(session):
        try:
            for _ in range(20):
                session.dispatch("increment")
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=tap, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for s in sessions:
        assert "You pressed the button 20 times." in texts(s.view)


def test_installed_programs_survive_a_restart_without_compiling(home, packages):
    first = Host(home)
    first.install(packages["hello"].package)
    first.close()
    second = Host(home)
    session = second.launch(HELLO, user="alice")
    assert "Hello, world!" in texts(session.view)
    assert second.engine.cache.compiles == 0
    second.close()


def test_launching_an_unknown_program_says_what_to_do(home):
    host = Host(home)
    with pytest.raises(NotInstalled, match="install"):
        host.launch("com.example.nothing", user="alice")
