"""The JavaScript part of `capsule bench`: the same source-package figures as
Python's (bench/runtime.py), for the hello-js sample on the shared JS runtime.

- js_package_kb_hello: the hello-js package's size;
- js_first_launch_ms_p50: verify, install and launch to the first view a
  package this host has never seen (the runtime already compiled: it is
  compiled once per machine, never on a launch);
- js_launch_cached_ms_p50: launch to the first view of an installed program
  whose next session the host prepared in the background (the warm pool), as
  people open programs, seconds apart;
- js_event_roundtrip_us_p50: one event from `dispatch` to the new view;
- js_rss_per_session_mb: proportional memory (PSS) of one more idle session.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from capsule.runtime import Host
from capsule.runtime.home import Home
from capsule.sdk.toolchain.build import build_program

from .launches import first_launch_seconds
from .programs import HELLO_JS
from .runtime import _memory, _per_session, _time
from .stats import p50 as _p50, p95 as _p95

TARGETS = {
    "js_package_kb_hello": ("<=", 20.0),
    "js_first_launch_ms_p50": ("<=", 300.0),
    "js_launch_cached_ms_p50": ("<=", 10.0),
    "js_rss_per_session_mb": ("<=", 5.0),
}


def missing_tools() -> str | None:
    """Why the JS part cannot run here, or None."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node and npm are needed once, to build the JS runtime (Debian: apt-get install nodejs npm)"
    if not (HELLO_JS / "app.js").is_file():
        return f"the hello-js sample is missing from {HELLO_JS}: reinstall Capsule"
    return None


def js_figures(home: Home, *, quick: bool, progress: Callable[[str], None] = lambda message: None) -> dict[str, Any]:
    from capsule.sdk.toolchain import source
    from capsule.sdk.toolchain.build import signing_key

    n_first, n_launch, n_event, n_sessions = (10, 30, 200, 20) if quick else (30, 200, 2000, 100)
    with tempfile.TemporaryDirectory(prefix="capsule-bench-js-") as scratch:
        progress("js: building hello-js (the JS runtime is built and compiled once per machine)")
        built = build_program(HELLO_JS, home=home, out_dir=Path(scratch) / "dist", progress=progress)
        size_kb = built.package.stat().st_size / 1024

        progress("js: first launch of packages this host has never seen")
        key = signing_key(home, "default", progress)
        files = source.package_members(source.collect(HELLO_JS, "js"), "js")
        first_launch = first_launch_seconds(home, Path(scratch), files, key, n_first, kind="js")

        progress("js: launch to first view, event round trip, memory per session")
        host = Host(home)
        try:
            app = host.install(built.package, rebuilt=True)
            host.engine.ensure_ticking()
            for _ in range(5):
                host.launch(app.id, user="bench").close()
            launch: list[float] = []
            for _ in range(n_launch):
                host.warm.wait_ready(app)
                started = time.perf_counter()
                host.launch(app.id, user="bench").close()
                launch.append(time.perf_counter() - started)
            session = host.launch(app.id, user="bench")
            event = _time(lambda: session.dispatch("increment"), n_event)
            session.close()
            gc.collect()
            before = _memory()
            live = [host.launch(app.id, user=f"user{i}") for i in range(n_sessions)]
            gc.collect()
            memory = _per_session(before, _memory(), n_sessions)
            for s in live:
                s.close()
        finally:
            host.close()
    figures: dict[str, Any] = {
        "js_package_kb_hello": round(size_kb, 2),
        "js_first_launch_ms_p50": round(_p50(first_launch) * 1e3, 2),
        "js_first_launch_ms_p95": round(_p95(first_launch) * 1e3, 2),
        "js_launch_cached_ms_p50": round(_p50(launch) * 1e3, 3),
        "js_launch_cached_ms_p95": round(_p95(launch) * 1e3, 3),
        "js_event_roundtrip_us_p50": round(_p50(event) * 1e6, 1),
        "js_event_roundtrip_us_p95": round(_p95(event) * 1e6, 1),
        "js_rss_per_session_mb": round(memory["pss"] / 1e6, 3),
        "js_rss_plain_per_session_mb": round(memory["rss"] / 1e6, 3),
    }
    figures["js_targets_met"] = all(figures[key] <= bound for key, (_, bound) in TARGETS.items())
    return figures
