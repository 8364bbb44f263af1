"""Developer-mode figures for `capsule bench`: from a saved edit to the new view.

`dev_reload_ms`: app.py of a copy of the hello sample is rewritten with a new
text, then `DevProgram.reload()` (snapshot, manifest, load probe) and
`relaunch` (a new session of the new version, first view rendered) run; the
clock stops when the view shows the new text. The developer component is
built and compiled before timing starts: that happens once per Capsule version.

`dev_save_to_view_ms` is the same through the file watcher (inotify, the
watcher's quiet period, then the same reload and relaunch), the delay a
developer sees between saving and the page.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from capsule.runtime import Host, PolicyPrompter
from capsule.runtime.devmode import DevProgram
from capsule.runtime.languages.python import ensure_component
from capsule.runtime.home import Home

from .programs import HELLO
from .stats import p95

TARGET_DEV_RELOAD_MS = 2000.0


def _shows(view: dict[str, Any] | None, text: str) -> bool:
    return text in str(view)


def _edit(folder: Path, original: str, marker: str) -> None:
    (folder / "app.py").write_text(original.replace('"Hello, {self.name}!"', f'"{marker}, {{self.name}}!"'))


def dev_figures(*, quick: bool = False, home: Home, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    ensure_component(home, progress=progress)
    edits = 8 if quick else 30
    with tempfile.TemporaryDirectory(prefix="capsule-bench-dev-") as scratch:
        folder = Path(scratch) / "hello"
        shutil.copytree(HELLO, folder, ignore=shutil.ignore_patterns("tests", "dist", "__pycache__"))
        original = (folder / "app.py").read_text()
        host = Host(home, prompter=PolicyPrompter(), database_url=f"sqlite:///{Path(scratch) / 'dev.db'}")
        try:
            with DevProgram(host, folder, progress=progress) as dev:
                session = dev.launch(user="bench")
                reload_ms: list[float] = []
                for n in range(edits + 2):  # the first two warm up
                    marker = f"Edit {n}"
                    started = time.perf_counter()
                    _edit(folder, original, marker)
                    if not dev.reload().ok:
                        raise RuntimeError(f"the bench edit did not load: {dev.last.problem}")
                    session = dev.relaunch(session)
                    if not _shows(session.view, marker):
                        raise RuntimeError("the relaunched session does not show the edit")
                    reload_ms.append((time.perf_counter() - started) * 1000)
                watched_ms = _through_watcher(dev, folder, original, session, max(4, edits // 3))
        finally:
            host.close()
    reload_ms = reload_ms[2:]
    return {
        "dev_reload_ms": round(statistics.median(reload_ms), 1),
        "dev_reload_ms_p95": round(p95(reload_ms), 1),
        "dev_save_to_view_ms": round(statistics.median(watched_ms), 1),
        "dev_edits": edits,
    }


def _through_watcher(dev: DevProgram, folder: Path, original: str, session, edits: int) -> list[float]:
    samples: list[float] = []
    state = {"session": session, "marker": "", "started": 0.0}
    done = threading.Event()

    def on_reload(result) -> None:
        if not result.ok:
            return
        state["session"] = dev.relaunch(state["session"])
        if _shows(state["session"].view, state["marker"]):
            samples.append((time.perf_counter() - state["started"]) * 1000)
            done.set()

    watcher = dev.watch(on_reload)
    try:
        for n in range(edits):
            done.clear()
            time.sleep(0.2)  # let the previous save settle: one save, one reload
            state["marker"], state["started"] = f"Saved {n}", time.perf_counter()
            _edit(folder, original, state["marker"])
            if not done.wait(10):
                raise RuntimeError("the watcher did not reload the program within 10 s")
    finally:
        watcher.stop()
    return samples
