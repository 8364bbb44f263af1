"""`capsule bench`: the benchmarks of `capsule.bench` as a table or JSON."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from capsule.bench import PARTS, meets, run_benchmarks, runnable
from capsule.bench.cluster import DEFAULT_SECONDS, MAX_SECONDS, MIN_SECONDS, TARGET_SESSIONS_PER_GB
from capsule.bench.dev import TARGET_DEV_RELOAD_MS
from capsule.bench.host import TARGET_RESTART_S
from capsule.bench.payments import TARGET_PAYMENTS_PER_S
from capsule.bench.registry import registry_http_target_met, search_quality_target_met
from capsule.bench.web import (
    TARGET_CLICK_P95_MS,
    TARGET_FIRST_OPEN_MS,
    TARGET_HOME_TO_RECENT_MS,
    TARGET_LOAD_MS,
    TARGET_RESUME_P95_MS,
)

from .output import console, emit_json, fail, note, warn


def bench(
    quick: bool = typer.Option(False, "--quick", help="Fewer iterations: a smoke run in a few seconds."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as one JSON object."),
    only: list[str] = typer.Option(
        [], "--only", metavar="PART", help="Run only this part: runtime, js, host, payments, registry, web, messages or cluster (repeat for several).", show_default=False
    ),
    seconds: float = typer.Option(
        DEFAULT_SECONDS, "--seconds", min=MIN_SECONDS, max=MAX_SECONDS,
        help="How long the cluster part's simulated users run (1 to 600 s).",
    ),
) -> None:
    """Launch to first view, event round trip, host call overhead, memory per session; payments; registry and search."""
    unknown = sorted(set(only) - set(PARTS))
    if unknown:
        fail(f"unknown bench part {', '.join(unknown)}; choose from {', '.join(PARTS)}", code=2, as_json=as_json)
    ready, skipped = runnable([part for part in PARTS if part in only] if only else list(PARTS))
    if only and skipped:  # asked for by name: not running it is a failure
        fail("; ".join(f"bench part {part} cannot run here: {reason}" for part, reason in skipped.items()), as_json=as_json)
    for part, reason in skipped.items():
        warn(f"bench part {part} skipped: {reason}")
    progress = (lambda message: note(f"{message} ...")) if not as_json else (lambda message: None)
    figures = run_benchmarks(quick=quick, parts=set(ready), progress=progress, seconds=seconds)
    if skipped:
        figures["skipped"] = skipped
    if as_json:
        emit_json(figures)
    else:
        _print(figures)


def _js_rows(f: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    return [
        ("js: hello-js as a source package", f"{f['js_package_kb_hello']:.1f} KB", "-", "-", "<= 20 KB", "js_package_kb_hello"),
        ("js: first launch of a never-seen package, p50", f"{f['js_first_launch_ms_p50']:.1f} ms", "-",
         f"p95 {f['js_first_launch_ms_p95']:.1f} ms", "<= 300 ms", "js_first_launch_ms_p50"),
        ("js: launch to first view, p50", f"{f['js_launch_cached_ms_p50']:.2f} ms", "-",
         f"p95 {f['js_launch_cached_ms_p95']:.2f} ms", "<= 10 ms", "js_launch_cached_ms_p50"),
        ("js: event round trip, p50", f"{f['js_event_roundtrip_us_p50']:.0f} us", "-",
         f"p95 {f['js_event_roundtrip_us_p95']:.0f} us", "report", ""),
        ("js: memory per idle session (PSS)", f"{f['js_rss_per_session_mb']:.2f} MB", "-",
         f"plain RSS {f['js_rss_plain_per_session_mb']:.2f} MB", "<= 5 MB", "js_rss_per_session_mb"),
    ]  # fmt: skip


def _print(figures: dict[str, Any]) -> None:
    table = Table(title="capsule bench" + (" (quick)" if figures["quick"] else ""), title_justify="left")
    for column in ("measure", "capsule", "raw wasmtime-py", "ratio / overhead", "target", ""):
        table.add_column(column)
    rows = []
    if "launch_cached_ms_p50" in figures:
        rows += [(*row[:5], meets(row[5], figures[row[5]])) for row in _runtime_rows(figures)]
    if "js_package_kb_hello" in figures:
        rows += [(*row[:5], meets(row[5], figures[row[5]]) if row[5] else True) for row in _js_rows(figures)]
    if "host_restart_s" in figures:
        rows.append(
            ("capsule host restart (samples live)", f"{figures['host_restart_s']:.2f} s", "-",
             f"first start {figures['host_first_start_s']:.1f} s with warm caches", f"<= {TARGET_RESTART_S:.0f} s",
             figures["host_restart_target_met"])
        )  # fmt: skip
    if "search_ms_p95_100k" in figures:
        rows += _registry_rows(figures)
    if "shell_load_ms_p50" in figures:
        rows += _web_rows(figures)
    for name, ours, raw, ratio, target, ok in rows:
        table.add_row(name, ours, raw, ratio, target, "[green]ok[/]" if ok else "[red]missed[/]")
    if rows:
        console.print(table)
    if "sessions_per_gb" in figures:
        _print_cluster(figures)
    if "durable_payments_per_s" in figures:
        console.print(
            f"payments: {figures['durable_payments_per_s']:.0f} durable payments/s with 8 payers "
            f"(target >= {TARGET_PAYMENTS_PER_S:.0f}: {'ok' if figures['payments_target_met'] else 'missed'}); "
            f"request-payment from the guest p50 {figures['payment_latency_ms_p50']:.2f} ms, "
            f"p99 {figures['payment_latency_ms_p99']:.2f} ms"
        )


def _print_cluster(f: dict[str, Any]) -> None:
    table = Table(title=f"capsule bench: two hosts on PostgreSQL, {f['cluster_users']} users for {f['cluster_seconds']:g} s", title_justify="left")
    for column in ("key", "figure", "target", ""):
        table.add_column(column)
    search = f["cluster_search_p99_ms"]
    rows = [
        ("error rate", f"{f['cluster_error_rate']:.4f} ({f['cluster_errors']} of {f['cluster_steps']} steps)", "0", f["cluster_error_rate"] == 0),
        ("ledger", f"{'balanced' if f['cluster_ledger_balanced'] else 'NOT balanced'}; {f['cluster_payments_in_ledger']} orders for {f['cluster_payments']} payments seen",
         "balanced", f["cluster_ledger_balanced"] and f["cluster_payments_in_ledger"] == f["cluster_payments"]),
        ("cluster_payments_per_s", f"{f['cluster_payments_per_s']:.1f}", "report", True),
        ("cluster_search_p99_ms", "-" if search is None else f"{search:.1f} ms (p50 {f['cluster_search_p50_ms']:.1f}, {f['cluster_searches']} searches)", "report", True),
        ("sessions_per_gb", f"{f['sessions_per_gb']:.0f} ({f['cluster_idle_sessions']} idle sessions, {f['cluster_pss_per_idle_session_mb']:.2f} MB PSS each)",
         f">= {TARGET_SESSIONS_PER_GB:.0f}", f["sessions_per_gb"] >= TARGET_SESSIONS_PER_GB),
    ]  # fmt: skip
    for key, figure, target, ok in rows:
        table.add_row(key, figure, target, "[green]ok[/]" if ok else "[red]missed[/]")
    console.print(table)
    for example in f["cluster_error_examples"]:
        warn(f"cluster error: {example}")


def _runtime_rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    return [
        ("hello as a source package", f"{figures['package_kb_hello']:.1f} KB", "-", "-", "<= 50 KB", "package_kb_hello"),
        ("rebuild hello after an edit, p50", f"{figures['build_s_hello']:.2f} s", "-",
         f"p95 {figures['build_s_hello_p95']:.2f} s", "<= 1 s", "build_s_hello"),
        ("first launch of a never-seen package, p50", f"{figures['first_launch_ms_p50']:.1f} ms", "-",
         f"p95 {figures['first_launch_ms_p95']:.1f} ms (verify, install, launch)", "<= 300 ms", "first_launch_ms_p50"),
        ("launch to first view, p50", f"{figures['launch_cached_ms_p50']:.2f} ms", f"{figures['launch_raw_ms_p50']:.2f} ms",
         f"{figures['launch_ratio_vs_raw']:.2f}x (unprepared {figures['launch_unprepared_ms_p50']:.1f} ms)", "<= 10 ms",
         "launch_cached_ms_p50"),
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
    load, click, first = figures["shell_load_ms_p50"], figures["click_to_dom_ms_p95"], figures["web_first_open_ms_p50"]
    resume, recent = figures["resume_background_ms_p95"], figures["home_to_recent_program_view_ms_p50"]
    return [
        ("web shell: tap on a never-installed program to its view, p50", f"{first:.0f} ms", "-",
         f"p95 {figures['web_first_open_ms_p95']:.0f} ms", f"<= {TARGET_FIRST_OPEN_MS:.0f} ms", first <= TARGET_FIRST_OPEN_MS),
        ("web shell: load to interactive, p50", f"{load:.0f} ms", "-", f"p95 {figures['shell_load_ms_p95']:.0f} ms",
         f"<= {TARGET_LOAD_MS:.0f} ms", load <= TARGET_LOAD_MS),
        ("web shell: click to updated DOM, p95", f"{click:.1f} ms", "-", f"p50 {figures['click_to_dom_ms_p50']:.1f} ms",
         f"<= {TARGET_CLICK_P95_MS:.0f} ms", click <= TARGET_CLICK_P95_MS),
        ("web shell: resume a background program, p95", f"{resume:.1f} ms", "-",
         f"p50 {figures['resume_background_ms_p50']:.1f} ms", f"<= {TARGET_RESUME_P95_MS:.0f} ms", resume <= TARGET_RESUME_P95_MS),
        ("web shell: Home to a recent program's view, p50", f"{recent:.0f} ms", "-",
         f"p95 {figures['home_to_recent_program_view_ms_p95']:.0f} ms", f"<= {TARGET_HOME_TO_RECENT_MS:.0f} ms", recent <= TARGET_HOME_TO_RECENT_MS),
    ]


def _registry_rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str, str, bool]]:
    programs, rate = figures["search_programs"], figures["search_http_load"]["rate"]
    return [
        (f"search over {programs:,} programs, p95", f"{figures['search_ms_p95_100k']:.1f} ms", "-",
         f"p50 {figures['search_ms_p50_100k']:.1f} ms; CPU p50 {figures['search_cpu_ms_p50']:.1f} ms", "<= 15 ms",
         meets("search_ms_p95_100k", figures["search_ms_p95_100k"])),
        *_quality_rows(figures),
        (f"publish a {figures['publish_package_mb']:.0f} MB package", f"{figures['publish_s_20mb']:.2f} s", "-",
         f"{figures['publish_package_mb'] / figures['publish_s_20mb']:.0f} MB/s", "<= 2 s",
         meets("publish_s_20mb", figures["publish_s_20mb"])),
        (f"HTTP search at {rate:.0f}/s, p99", f"{figures['search_http_p99_ms_at_200rps']:.0f} ms", "-",
         f"{figures['search_http_rps']:.0f}/s answered, p50 {figures['search_http_p50_ms']:.0f} ms", "<= 50 ms at 200/s",
         registry_http_target_met(figures)),
    ]


def _quality_rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str, str, bool]]:
    rows = []
    if "search_ms_p95_100k_postgresql" in figures:
        rows.append(
            (f"search over {figures['search_programs']:,} programs on PostgreSQL, p95", f"{figures['search_ms_p95_100k_postgresql']:.1f} ms", "-",
             f"p50 {figures['search_ms_p50_100k_postgresql']:.1f} ms", "<= 15 ms",
             meets("search_ms_p95_100k", figures["search_ms_p95_100k_postgresql"]))
        )  # fmt: skip
    if figures.get("search_mrr_at_10") is None:
        return rows + [("search quality (labelled set)", "-", "-", figures.get("search_quality_note", ""), "MRR@10 >= 0.95", False)]
    count = figures["search_quality_queries"]
    return rows + [
        ("search MRR@10, labelled set", f"{figures['search_mrr_at_10']:.3f}", "-", f"{count} queries, {figures['search_quality_programs']} programs", ">= 0.95",
         meets("search_mrr_at_10", figures["search_mrr_at_10"])),
        ("search success@1, labelled set", f"{figures['search_success_at_1']:.3f}", "-",
         f"{len(figures['search_quality_misses'])} not first", ">= 0.92", search_quality_target_met(figures)),
    ]  # fmt: skip
