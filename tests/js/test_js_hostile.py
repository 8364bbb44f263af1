"""The hostile-program suite for JavaScript: every attack is contained by the
host exactly as for Python (tests/runtime/test_sandbox.py): the session that
breaches a limit ends with a clear error, and the host serves everyone else."""

from __future__ import annotations

import pytest

from capsule.runtime import Host, LimitExceeded, PolicyPrompter, TurnLimits
from capsule.runtime.errors import CapsuleError, SessionEnded

from ..conftest import texts

HOSTILE = "dev.capsule.tests.jshostile"
HELLO_JS = "dev.capsule.samples.hellojs"


@pytest.fixture
def host(home, js_packages):
    host = Host(home, prompter=PolicyPrompter(), limits=TurnLimits(cpu_ms=1000, wall_ms=3000))
    host.install(js_packages["hostile"].package, rebuilt=True)
    host.install(js_packages["hello"].package, rebuilt=True)
    yield host
    host.close()


def outcome(session) -> str:
    return texts(session.view)[0]


def still_serving(host: Host) -> None:
    other = host.launch(HELLO_JS, user="alice")
    other.dispatch("increment")
    assert "1 time." in texts(other.view)[1]


@pytest.mark.parametrize("handler", ["spin", "asyncSpin", "timerSpin"])
def test_endless_loops_sync_async_and_timers_end_at_the_cpu_limit(host, handler):
    session = host.launch(HOSTILE, user="mallory")
    with pytest.raises(LimitExceeded) as caught:
        session.dispatch(handler)
    assert caught.value.limit in ("cpu_ms", "wall_ms")
    assert not session.alive
    still_serving(host)


def test_memory_growth_is_stopped(host):
    session = host.launch(HOSTILE, user="mallory")
    with pytest.raises(SessionEnded):
        session.dispatch("allocate")
    assert not session.alive
    still_serving(host)


def test_deep_recursion_is_an_error_the_program_can_catch(host):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("recurse")
    assert outcome(session) == "recurse blocked: InternalError: too much recursion"
    assert session.alive


def test_an_oversized_view_never_reaches_the_host_as_a_view(host):
    session = host.launch(HOSTILE, user="mallory")
    with pytest.raises(CapsuleError):
        session.dispatch("hugeView")
    assert session.view is None or outcome(session) == "ready"
    still_serving(host)


def test_a_flood_of_host_calls_is_cut_at_the_per_turn_cap(home, js_packages):
    # Time enough that the call cap, not the clock, ends the turn even on a busy machine.
    host = Host(home, prompter=PolicyPrompter(), limits=TurnLimits(cpu_ms=10_000, wall_ms=20_000))
    try:
        host.install(js_packages["hostile"].package, rebuilt=True)
        session = host.launch(HOSTILE, user="mallory")
        with pytest.raises(LimitExceeded) as caught:
            session.dispatch("callFlood")
        assert caught.value.limit == "host_calls"
        assert "capability calls" in str(caught.value)
    finally:
        host.close()


def test_an_undeclared_capability_answers_not_declared(host):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("undeclared")
    assert outcome(session).startswith("undeclared blocked: NotDeclared: true: this program does not declare the 'storage'")


def test_every_interface_of_the_contract_is_imported_and_answers_by_the_manifest(host):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("follow")
    assert outcome(session).startswith("follow blocked: NotDeclared: this program does not declare the 'messages' capability")


def test_eval_of_a_hostile_string_gets_nothing_the_program_lacks(host):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("evalHostile", {"code": "require('capsule').storage.get('secret')"})
    assert outcome(session) == "eval blocked: ReferenceError: require is not defined"
    session.dispatch("evalHostile", {"code": "typeof fetch + typeof process + typeof Deno"})
    assert outcome(session) == 'eval allowed: "undefinedundefinedundefined"'


def test_prototype_pollution_of_the_sdk_does_not_reach_another_interface(host):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("pollute")
    last = outcome(session).split(" | ")[-1]
    assert last.startswith("blocked: NotDeclared: this program does not declare the 'storage' capability")
    # Its handlers are still called as handlers after Function.prototype.call was replaced.
    session.dispatch("recurse")
    assert outcome(session).startswith("recurse blocked")


@pytest.mark.parametrize("path", ["../../../../etc/passwd", "/etc/passwd", "./signature.json"])
def test_modules_come_only_from_the_packages_own_files(host, path):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("readFile", {"path": path})
    assert outcome(session).startswith("readFile blocked: Error: cannot find module")


def test_no_filesystem_sockets_or_environment(host):
    session = host.launch(HOSTILE, user="mallory")
    session.dispatch("platform")
    assert outcome(session) == "platform fetch=undefined process=no process fs=undefined Deno=undefined"
    # The engine's stdio brings WASI's filesystem types with it, but a JS session has nothing preopened.
    assert not any(name.startswith(("wasi:sockets", "wasi:http")) for name in host.js_runtime._platform)
    assert host.app(HOSTILE).mounts == ()
