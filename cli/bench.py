"""`capsule bench`: the runtime's figures beside raw wasmtime-py on the same component.

"Raw" is the least a host can do with wasmtime-py: a store with default WASI,
a linker whose `ui.render` and `log.write` do nothing, and direct export
calls. The difference is what Capsule's sessions, limits, validation and
plumbing cost.
"""

from __future__ import annotations

import gc
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import typer
import wasmtime
from rich.progress import Progress
from rich.table import Table
from wasmtime.component import Linker

from capsule.runtime import Host
from capsule.runtime.app import EVENTS, LIFECYCLE
from capsule.runtime.engine.imports import interface_name
from capsule.runtime.home import Home
from capsule.sdk.toolchain.build import build_program

from .bench_dev import TARGET_DEV_RELOAD_MS, dev_figures
from .bench_payments import TARGET_PAYMENTS_PER_S, payment_figures
from .bench_registry import REGISTRY_TARGETS, registry_figures, registry_http_target_met, registry_targets_met
from .bench_web import TARGET_CLICK_P95_MS, TARGET_LOAD_MS, web_figures
from .output import console, emit_json, errors, fail

PROGRAM = Path(__file__).resolve().parent / "bench_program"
HOSTCALLS_PER_EVENT = 100

TARGETS = {
    "launch_cached_ms_p50": ("<=", 10.0),
    "event_roundtrip_ratio_vs_raw": ("<=", 1.3),
    "hostcall_overhead_us": ("<=", 20.0),
    "rss_per_session_mb": ("<=", 5.0),
    "capability_mediation_us": ("<=", 20.0),
    "dev_reload_ms": ("<=", TARGET_DEV_RELOAD_MS),
}
#: What `--only` can pick; every part runs when none is named.
PARTS = ("runtime", "payments", "registry", "web")


def bench(
    quick: bool = typer.Option(False, "--quick", help="Fewer iterations: a smoke run in a few seconds."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as one JSON object."),
    only: list[str] = typer.Option(
        [], "--only", help="Run only this part: runtime, payments, registry or web (repeat for several).", show_default=False
    ),
) -> None:
    """Launch to first view, event round trip, host call overhead, memory per session; payments; registry and search."""
    unknown = sorted(set(only) - set(PARTS))
    if unknown:
        fail(f"unknown bench part {', '.join(unknown)}; choose from {', '.join(PARTS)}", code=2, as_json=as_json)
    figures = run_benchmarks(quick=quick, show_progress=not as_json, parts=set(only) or set(PARTS))
    if as_json:
        emit_json(figures)
    else:
        _print(figures)


def _p50(samples: list[float]) -> float:
    return statistics.median(samples)


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


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

    def __post_init__(self) -> None:
        self.linker = Linker(self.engine)
        self.linker.add_wasip2()
        self.views: list[str] = []
        with self.linker.root() as root:
            with root.add_instance(interface_name("ui")) as ui:
                ui.add_func("render", lambda store, view: self.views.append(view))
                ui.add_func("toast", lambda store, message, kind: None)
                ui.add_func("modal", lambda store, *args: True)
            with root.add_instance(interface_name("log")) as log:
                log.add_func("write", lambda store, level, message: None)
        lifecycle = self.component.get_export_index(LIFECYCLE)
        events = self.component.get_export_index(EVENTS)
        self.on_launch = self.component.get_export_index("on-launch", lifecycle)
        self.on_event = self.component.get_export_index("on-event", events)

    def launch(self) -> tuple[wasmtime.Store, Any]:
        store = wasmtime.Store(self.engine)
        store.set_wasi(wasmtime.WasiConfig())
        store.set_epoch_deadline(1 << 40)
        instance = self.linker.instantiate(store, self.component)
        instance.get_func(store, self.on_launch)(store, "", "launch", [])
        return store, instance.get_func(store, self.on_event)


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


def run_benchmarks(*, quick: bool = False, show_progress: bool = True, parts: set[str] | None = None) -> dict[str, Any]:
    """The figures of the chosen `parts` (all by default) as one dict."""
    parts = set(PARTS) if parts is None else parts
    home = Home.resolve()
    figures: dict[str, Any] = {"quick": quick}
    if "runtime" in parts:
        figures.update(runtime_figures(home, quick=quick, show_progress=show_progress))
    if "payments" in parts:
        if show_progress:
            errors.print("[dim]payments: durable payments and request-payment latency ...[/]")
        figures.update(payment_figures(quick=quick, home=home))
        figures["payments_target_met"] = figures["durable_payments_per_s"] >= TARGET_PAYMENTS_PER_S
    if "registry" in parts:
        progress = (lambda message: errors.print(f"[dim]registry: {message} ...[/]")) if show_progress else (lambda message: None)
        figures.update(registry_figures(quick=quick, home=home, progress=progress))
        figures["registry_targets_met"] = registry_targets_met(figures)
    if "web" in parts:
        progress = errors.print if show_progress else (lambda message: None)
        figures.update(web_figures(quick=quick, home=home, progress=lambda message: progress(f"[dim]{message} ...[/]")))
    return figures


def runtime_figures(home: Home, *, quick: bool, show_progress: bool) -> dict[str, Any]:
    """The runtime beside raw wasmtime-py: launch, event, host call, memory, mediation; developer mode."""
    n_launch, n_event, n_sessions = (30, 200, 20) if quick else (200, 2000, 100)
    with Progress(console=errors, transient=True, disable=not show_progress) as progress:
        step = progress.add_task("building the bench program", total=6)
        built = build_program(PROGRAM, home=home)
        progress.advance(step)

        progress.update(step, description="installing (compiles once, then cached)")
        host = Host(home)
        app = host.install(built.package, rebuilt=True)
        raw = RawHost(host.engine.wasmtime, app.component)
        host.engine.ensure_ticking()
        progress.advance(step)

        progress.update(step, description="launch to first view")
        for _ in range(5):  # warm up both paths
            host.launch(app.id, user="bench").close()
            raw.launch()
        launch, launch_raw = _time_pair(lambda: host.launch(app.id, user="bench").close(), raw.launch, n_launch)
        progress.advance(step)

        progress.update(step, description="event round trip")
        session = host.launch(app.id, user="bench")
        store, on_event = raw.launch()
        event, event_raw = _time_pair(lambda: session.dispatch("tick"), lambda: on_event(store, "index", "tick", "{}"), n_event)
        progress.advance(step)

        progress.update(step, description="guest-to-host calls")
        data = {"n": HOSTCALLS_PER_EVENT}
        payload = json.dumps(data)
        n_calls = max(20, n_event // 10)
        calls, calls_raw = _time_pair(
            lambda: session.dispatch("hostcalls", data), lambda: on_event(store, "index", "hostcalls", payload), n_calls
        )
        per_call = (_p50(calls) - _p50(event)) / HOSTCALLS_PER_EVENT
        per_call_raw = (_p50(calls_raw) - _p50(event_raw)) / HOSTCALLS_PER_EVENT
        session.close()
        progress.advance(step)

        progress.update(step, description="memory per idle session")
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
        progress.advance(step)
    host.close()

    figures = {
        "launch_cached_ms_p50": round(_p50(launch) * 1e3, 3),
        "launch_cached_ms_p95": round(_p95(launch) * 1e3, 3),
        "launch_raw_ms_p50": round(_p50(launch_raw) * 1e3, 3),
        "launch_ratio_vs_raw": round(_p50(launch) / _p50(launch_raw), 3),
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
    from capsule.runtime.consent.bench import mediation_us

    figures["capability_mediation_us"] = round(mediation_us(2_000 if quick else 20_000), 2)
    if show_progress:
        errors.print("[dim]developer mode: edit to new view ...[/]")
    figures.update(dev_figures(quick=quick, home=home, progress=errors.print if show_progress else None))
    figures["targets_met"] = all(_meets(key, figures[key]) for key in TARGETS)
    return figures


def _meets(key: str, value: float) -> bool:
    _, bound = {**TARGETS, **REGISTRY_TARGETS}[key]
    return value <= bound


def _print(figures: dict[str, Any]) -> None:
    table = Table(title="capsule bench" + (" (quick)" if figures["quick"] else ""), title_justify="left")
    for column in ("measure", "capsule", "raw wasmtime-py", "ratio / overhead", "target", ""):
        table.add_column(column)
    rows = []
    if "launch_cached_ms_p50" in figures:
        rows += [(*row[:5], _meets(row[5], figures[row[5]])) for row in _runtime_rows(figures)]
    if "search_ms_p95_100k" in figures:
        rows += _registry_rows(figures)
    for name, ours, raw, ratio, target, ok in rows:
        table.add_row(name, ours, raw, ratio, target, "[green]ok[/]" if ok else "[red]missed[/]")
    if "shell_load_ms_p50" in figures:
        rows += _web_rows(figures)
    if rows:
        console.print(table)
    if "durable_payments_per_s" in figures:
        console.print(
            f"payments: {figures['durable_payments_per_s']:.0f} durable payments/s with 8 payers "
            f"(target >= {TARGET_PAYMENTS_PER_S:.0f}: {'ok' if figures['payments_target_met'] else 'missed'}); "
            f"request-payment from the guest p50 {figures['payment_latency_ms_p50']:.2f} ms, "
            f"p99 {figures['payment_latency_ms_p99']:.2f} ms"
        )


def _runtime_rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    return [
        ("launch to first view, p50", f"{figures['launch_cached_ms_p50']:.2f} ms", f"{figures['launch_raw_ms_p50']:.2f} ms",
         f"{figures['launch_ratio_vs_raw']:.2f}x", "<= 10 ms", "launch_cached_ms_p50"),
        ("event round trip, p50", f"{figures['event_roundtrip_us_p50']:.0f} us", f"{figures['event_raw_us_p50']:.0f} us",
         f"{figures['event_roundtrip_ratio_vs_raw']:.2f}x", "<= 1.3x", "event_roundtrip_ratio_vs_raw"),
        ("guest-to-host call", f"{figures['hostcall_us']:.1f} us", f"{figures['hostcall_raw_us']:.1f} us",
         f"+{figures['hostcall_overhead_us']:.1f} us", "<= +20 us", "hostcall_overhead_us"),
        ("memory per idle session (PSS)", f"{figures['rss_per_session_mb']:.2f} MB", f"{figures['rss_per_raw_instance_mb']:.2f} MB",
         f"plain RSS {figures['rss_plain_per_session_mb']:.2f} MB", "<= 5 MB", "rss_per_session_mb"),
        ("consent check + audit record", f"{figures['capability_mediation_us']:.1f} us", "-", "-", "<= 20 us",
         "capability_mediation_us"),
        ("dev mode: edit to new view, p50", f"{figures['dev_reload_ms']:.0f} ms", "-",
         f"via watcher {figures['dev_save_to_view_ms']:.0f} ms", f"<= {TARGET_DEV_RELOAD_MS:.0f} ms", "dev_reload_ms"),
    ]


def _web_rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str, str, bool]]:
    load, click = figures["shell_load_ms_p50"], figures["click_to_dom_ms_p95"]
    return [
        ("web shell: load to interactive, p50", f"{load:.0f} ms", "-", f"p95 {figures['shell_load_ms_p95']:.0f} ms",
         f"<= {TARGET_LOAD_MS:.0f} ms", load <= TARGET_LOAD_MS),
        ("web shell: click to updated DOM, p95", f"{click:.1f} ms", "-", f"p50 {figures['click_to_dom_ms_p50']:.1f} ms",
         f"<= {TARGET_CLICK_P95_MS:.0f} ms", click <= TARGET_CLICK_P95_MS),
    ]


def _registry_rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str, str, bool]]:
    programs, rate = figures["search_programs"], figures["search_http_load"]["rate"]
    return [
        (f"search over {programs:,} programs, p95", f"{figures['search_ms_p95_100k']:.1f} ms", "-",
         f"p50 {figures['search_ms_p50_100k']:.1f} ms; CPU p50 {figures['search_cpu_ms_p50']:.1f} ms", "<= 15 ms",
         _meets("search_ms_p95_100k", figures["search_ms_p95_100k"])),
        (f"publish a {figures['publish_package_mb']:.0f} MB package", f"{figures['publish_s_20mb']:.2f} s", "-",
         f"{figures['publish_package_mb'] / figures['publish_s_20mb']:.0f} MB/s", "<= 2 s",
         _meets("publish_s_20mb", figures["publish_s_20mb"])),
        (f"HTTP search at {rate:.0f}/s, p99", f"{figures['search_http_p99_ms_at_200rps']:.0f} ms", "-",
         f"{figures['search_http_rps']:.0f}/s answered, p50 {figures['search_http_p50_ms']:.0f} ms", "<= 50 ms at 200/s",
         registry_http_target_met(figures)),
    ]
