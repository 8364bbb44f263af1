"""The runtime part of `capsule bench`: Capsule's figures beside raw wasmtime-py on the same component.

The bench program is a source package on the shared Python runtime, so
"raw" is the least a host can do with wasmtime-py on that same runtime
component: a store with the same two read-only mounts, a linker whose
`ui.render` and `log.write` do nothing (every other import traps), and
direct export calls. The difference is what Capsule's sessions, limits,
validation and plumbing cost.

Source packages add their own figures: the hello package's size, a rebuild
after an edit, and the first launch of a package this host has never seen
(verify, install, launch to the first view; the runtime already compiled).
"""

from __future__ import annotations

import gc
import json
import time
from dataclasses import dataclass
from typing import Any, Callable

import wasmtime
from wasmtime.component import Linker

from capsule.runtime import Host
from capsule.runtime.app import EVENTS, LIFECYCLE
from capsule.runtime.engine.imports import DECLARABLE, interface_name
from capsule.runtime.home import Home
from capsule.sdk.toolchain.build import build_program

from .dev import TARGET_DEV_RELOAD_MS, dev_figures
from .launches import first_launch_seconds
from .mediation import mediation_us
from .programs import RUNTIME_PROGRAM
from .stats import p50 as _p50, p95 as _p95

HOSTCALLS_PER_EVENT = 100

TARGETS = {
    "package_kb_hello": ("<=", 50.0),
    "build_s_hello": ("<=", 1.0),
    "first_launch_ms_p50": ("<=", 300.0),
    "launch_cached_ms_p50": ("<=", 10.0),
    "event_roundtrip_ratio_vs_raw": ("<=", 1.3),
    "hostcall_overhead_us": ("<=", 20.0),
    "rss_per_session_mb": ("<=", 5.0),
    "capability_mediation_us": ("<=", 20.0),
    "dev_reload_ms": ("<=", TARGET_DEV_RELOAD_MS),
}


def _memory() -> dict[str, int]:
    """Resident memory of this process: plain RSS and proportional (PSS).

    Every instance maps the compiled artifact's memory image copy-on-write.
    Plain RSS counts those shared, clean pages once per instance; PSS splits
    them among the instances sharing them, so a difference in PSS is what one
    more session really costs the machine.
    """
    figures = {}
    with open("/proc/self/statm") as f:
        figures["rss"] = int(f.read().split()[1]) * 4096
    try:
        with open("/proc/self/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    figures["pss"] = int(line.split()[1]) * 1024
    except OSError:  # not Linux, or an old kernel: fall back to the plain count
        pass
    figures.setdefault("pss", figures["rss"])
    return figures


def _per_session(before: dict[str, int], after: dict[str, int], n: int) -> dict[str, float]:
    return {key: (after[key] - before[key]) / n for key in before}


@dataclass
class RawHost:
    """The baseline: wasmtime-py with nothing of Capsule's on top."""

    engine: wasmtime.Engine
    component: Any
    #: (host path, guest path) preopened read-only, as Capsule mounts them.
    mounts: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        self.linker = Linker(self.engine)
        self.linker.add_wasip2()
        self.views: list[str] = []
        with self.linker.root() as root:
            with root.add_instance(interface_name("ui")) as ui:
                ui.add_func("render", lambda store, view: self.views.append(view))
                ui.add_func("toast", lambda store, message, kind: None)
                ui.add_func("modal", lambda store, *args: True)
                ui.add_func("sleep", lambda store, milliseconds: None)
            with root.add_instance(interface_name("log")) as log:
                log.add_func("write", lambda store, level, message: None)
            # The runtime imports every capability; the bench program calls none but ui and log.
            imports = self.component.type.imports(self.engine)
            for capability in sorted(DECLARABLE):
                item = imports.get(interface_name(capability))
                if item is None:
                    continue
                with root.add_instance(interface_name(capability)) as instance:
                    for function in item.ty.exports(self.engine):
                        instance.add_func(function, _unavailable)
        lifecycle = self.component.get_export_index(LIFECYCLE)
        events = self.component.get_export_index(EVENTS)
        self.on_launch = self.component.get_export_index("on-launch", lifecycle)
        self.on_event = self.component.get_export_index("on-event", events)

    def launch(self) -> tuple[wasmtime.Store, Any]:
        store = wasmtime.Store(self.engine)
        wasi = wasmtime.WasiConfig()
        for host_path, guest_path in self.mounts:
            wasi.preopen_dir(host_path, guest_path, fs_mutable=False)
        store.set_wasi(wasi)
        store.set_epoch_deadline(1 << 40)
        instance = self.linker.instantiate(store, self.component)
        instance.get_func(store, self.on_launch)(store, "", "launch", [])
        return store, instance.get_func(store, self.on_event)


def _unavailable(store: Any, *args: Any) -> Any:
    raise RuntimeError("not provided by the raw baseline")


def _time(fn: Callable[[], Any], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return samples


def _time_pair(ours: Callable[[], Any], raw: Callable[[], Any], n: int, block: int = 50) -> tuple[list[float], list[float]]:
    """Both sides timed in alternating blocks, so a burst of load on this shared
    machine falls on both rather than on whichever happened to run then."""
    timed: tuple[list[float], list[float]] = ([], [])
    while len(timed[0]) < n:
        size = min(block, n - len(timed[0]))
        timed[0].extend(_time(ours, size))
        timed[1].extend(_time(raw, size))
    return timed


def runtime_figures(home: Home, *, quick: bool, progress: Callable[[str], None] = lambda message: None) -> dict[str, Any]:
    """The runtime beside raw wasmtime-py: launch, event, host call, memory, mediation; developer mode."""
    n_launch, n_event, n_sessions = (30, 200, 20) if quick else (200, 2000, 100)
    figures: dict[str, Any] = source_package_figures(home, quick=quick, progress=progress)
    progress("runtime: building the bench program")
    built = build_program(RUNTIME_PROGRAM, home=home)

    progress("runtime: installing (a source package compiles nothing; the runtime compiles once per machine)")
    host = Host(home)
    cold_host = Host(home, warm_sessions=0)
    app = host.install(built.package, rebuilt=True)
    cold_app = cold_host.install(built.package, rebuilt=True)
    raw = RawHost(host.engine.wasmtime, app.component, tuple((m.host_path, m.guest_path) for m in app.mounts))
    host.engine.ensure_ticking()

    progress("runtime: launch to first view")
    for _ in range(5):  # warm up both paths
        host.launch(app.id, user="bench").close()
        raw.launch()

    def launch_prepared() -> None:
        # A person does not open the same program twice in a millisecond: the
        # host prepares the next session in the background between launches.
        host.warm.wait_ready(app)
        started = time.perf_counter()
        host.launch(app.id, user="bench").close()
        launch.append(time.perf_counter() - started)

    launch: list[float] = []
    for _ in range(n_launch):
        launch_prepared()
    launch_cold = _time(lambda: cold_host.launch(cold_app.id, user="bench").close(), n_launch)
    launch_raw = _time(raw.launch, n_launch)
    cold_host.close()

    progress("runtime: event round trip")
    session = host.launch(app.id, user="bench")
    store, on_event = raw.launch()
    event, event_raw = _time_pair(lambda: session.dispatch("tick"), lambda: on_event(store, "index", "tick", "{}"), n_event)

    progress("runtime: guest-to-host calls")
    data = {"n": HOSTCALLS_PER_EVENT}
    payload = json.dumps(data)
    n_calls = max(20, n_event // 10)
    calls, calls_raw = _time_pair(
        lambda: session.dispatch("hostcalls", data), lambda: on_event(store, "index", "hostcalls", payload), n_calls
    )
    per_call = (_p50(calls) - _p50(event)) / HOSTCALLS_PER_EVENT
    per_call_raw = (_p50(calls_raw) - _p50(event_raw)) / HOSTCALLS_PER_EVENT
    session.close()

    progress("runtime: memory per idle session")
    gc.collect()
    before = _memory()
    live = [host.launch(app.id, user=f"user{i}") for i in range(n_sessions)]
    gc.collect()
    memory = _per_session(before, _memory(), n_sessions)
    for s in live:
        s.close()
    del live
    gc.collect()
    before = _memory()
    live_raw = [raw.launch() for _ in range(n_sessions)]
    gc.collect()
    memory_raw = _per_session(before, _memory(), n_sessions)
    del live_raw
    host.close()

    figures |= {
        "launch_cached_ms_p50": round(_p50(launch) * 1e3, 3),
        "launch_cached_ms_p95": round(_p95(launch) * 1e3, 3),
        "launch_unprepared_ms_p50": round(_p50(launch_cold) * 1e3, 3),
        "launch_raw_ms_p50": round(_p50(launch_raw) * 1e3, 3),
        "launch_ratio_vs_raw": round(_p50(launch) / _p50(launch_raw), 3),
        "launch_unprepared_ratio_vs_raw": round(_p50(launch_cold) / _p50(launch_raw), 3),
        "event_roundtrip_us_p50": round(_p50(event) * 1e6, 1),
        "event_roundtrip_us_p95": round(_p95(event) * 1e6, 1),
        "event_raw_us_p50": round(_p50(event_raw) * 1e6, 1),
        "event_roundtrip_ratio_vs_raw": round(_p50(event) / _p50(event_raw), 3),
        "hostcall_us": round(per_call * 1e6, 2),
        "hostcall_raw_us": round(per_call_raw * 1e6, 2),
        "hostcall_overhead_us": round((per_call - per_call_raw) * 1e6, 2),
        "rss_per_session_mb": round(memory["pss"] / 1e6, 3),
        "rss_per_raw_instance_mb": round(memory_raw["pss"] / 1e6, 3),
        "rss_plain_per_session_mb": round(memory["rss"] / 1e6, 3),
        "rss_plain_per_raw_instance_mb": round(memory_raw["rss"] / 1e6, 3),
        "iterations": {"launch": n_launch, "event": n_event, "sessions": n_sessions},
        "quick": quick,
    }
    figures["capability_mediation_us"] = round(mediation_us(2_000 if quick else 20_000), 2)
    progress("developer mode: edit to new view")
    figures.update(dev_figures(quick=quick, home=home, progress=progress))
    figures["targets_met"] = all(figures[key] <= bound for key, (_, bound) in TARGETS.items())
    return figures


def source_package_figures(home: Home, *, quick: bool, progress: Callable[[str], None]) -> dict[str, Any]:
    """Hello as a source package: its size, a rebuild after an edit, first launches of never-seen packages."""
    import shutil
    import tempfile
    from pathlib import Path

    from capsule.sdk.toolchain import source
    from capsule.sdk.toolchain.build import signing_key

    from .programs import HELLO

    n_builds, n_first = (5, 10) if quick else (15, 30)
    with tempfile.TemporaryDirectory(prefix="capsule-bench-source-") as scratch:
        folder = Path(scratch) / "hello"
        shutil.copytree(HELLO, folder, ignore=shutil.ignore_patterns("tests", "dist", "__pycache__"))
        progress("source packages: building hello, then rebuilding after edits")
        first = build_program(folder, home=home, out_dir=Path(scratch) / "dist")
        size_kb = first.package.stat().st_size / 1024
        original = (folder / "app.py").read_text()
        builds = []
        for n in range(n_builds):
            (folder / "app.py").write_text(original + f"\n# edit {n} {time.time()}\n")
            started = time.perf_counter()
            build_program(folder, home=home, out_dir=Path(scratch) / "dist")
            builds.append(time.perf_counter() - started)

        progress("source packages: first launch of packages this host has never seen")
        key = signing_key(home, "default", progress)
        files = source.package_members(source.collect(HELLO))
        first_launch = first_launch_seconds(home, Path(scratch), files, key, n_first, kind="python")
    return {
        "package_kb_hello": round(size_kb, 2),
        "build_s_hello": round(_p50(builds), 3),
        "build_s_hello_p95": round(_p95(builds), 3),
        "first_launch_ms_p50": round(_p50(first_launch) * 1e3, 2),
        "first_launch_ms_p95": round(_p95(first_launch) * 1e3, 2),
    }
