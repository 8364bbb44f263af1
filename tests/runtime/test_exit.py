"""A process whose sessions trapped exits cleanly: nothing from wasmtime on stderr (issue 10)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys
    from concurrent.futures import ThreadPoolExecutor
    from capsule.runtime import Home, Host, PolicyPrompter, TurnLimits

    host = Host(Home.resolve(sys.argv[1]), prompter=PolicyPrompter(), limits=TurnLimits(cpu_ms=300, wall_ms=1500))
    host.install(sys.argv[2], rebuilt=True)
    kept = []  # sessions and their errors outlive the turns, as in a host application

    def run(handler, data):
        session = host.launch("dev.capsule.tests.hostile", user="mallory")
        kept.append(session)
        try:
            session.dispatch(handler, data)
        except Exception as error:
            kept.append(error)
        return session.ended.code if session.ended else "alive"

    cases = [("spin", {}), ("recurse_deep", {}), ("allocate", {}), ("sleep", {"seconds": 9}),
             ("exit", {}), ("exit", {"hard": True}), ("crash", {})]
    with ThreadPoolExecutor(2) as pool:  # sessions on worker threads, as the web host runs them
        print(sorted(pool.map(lambda c: run(*c), cases)))
    kept.append(host.launch("dev.capsule.tests.hostile", user="bystander"))  # still live at exit
    """
)


def test_no_wasmtime_panic_at_exit_after_trapped_sessions(home, packages, tmp_path):
    script = tmp_path / "trap_then_exit.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), str(home.root), str(packages["hostile"].package)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    assert "limit-exceeded" in done.stdout and "trapped" in done.stdout and "alive" in done.stdout
