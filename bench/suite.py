"""The parts of `capsule bench`, what each needs on this machine, and running them."""

from __future__ import annotations

from typing import Any, Callable

from capsule.runtime.home import Home

from . import cluster, js, web
from .host import host_figures
from .messages import MESSAGE_TARGETS, message_figures
from .payments import TARGET_PAYMENTS_PER_S, payment_figures
from .programs import HELLO
from .registry import REGISTRY_TARGETS, registry_figures, registry_targets_met
from .runtime import TARGETS, runtime_figures

#: What `--only` can pick; every part runs when none is named.
PARTS = ("runtime", "js", "host", "payments", "registry", "web", "messages", "cluster")
Progress = Callable[[str], None]


def missing_tools(part: str) -> str | None:
    """Why `part` cannot run here (what to install), or None when it can."""
    if part in ("runtime", "host", "registry", "web") and not (HELLO / "manifest.json").is_file():
        return f"the hello sample is missing from {HELLO}: reinstall Capsule (its distribution ships the samples)"
    if part == "web":
        return web.missing_tools()
    if part == "js":
        return js.missing_tools()
    if part == "cluster":
        return cluster.missing_tools()
    return None


def runnable(parts: list[str]) -> tuple[list[str], dict[str, str]]:
    """`parts` split into those that can run here and those that cannot, each with why."""
    missing = {part: reason for part in parts if (reason := missing_tools(part))}
    return [part for part in parts if part not in missing], missing


def meets(key: str, value: float) -> bool:
    """Whether `value` of the figure `key` meets its target."""
    comparison, bound = {**TARGETS, **REGISTRY_TARGETS, **MESSAGE_TARGETS, **js.TARGETS, **cluster.CLUSTER_TARGETS}[key]
    return value >= bound if comparison == ">=" else value <= bound


def run_benchmarks(
    *,
    quick: bool = False,
    parts: set[str] | None = None,
    progress: Progress = lambda message: None,
    seconds: float = cluster.DEFAULT_SECONDS,
) -> dict[str, Any]:
    """The figures of the chosen `parts` (all by default) as one dict; `seconds` is the cluster's load time.

    Check `missing_tools` first: a part run without its tools fails midway.
    """
    parts = set(PARTS) if parts is None else parts
    home = Home.resolve()
    figures: dict[str, Any] = {"quick": quick}
    if "runtime" in parts:
        figures.update(runtime_figures(home, quick=quick, progress=progress))
    if "js" in parts:
        figures.update(js.js_figures(home, quick=quick, progress=progress))
    if "host" in parts:
        figures.update(host_figures(home=home, progress=progress))
    if "payments" in parts:
        progress("payments: durable payments and request-payment latency")
        figures.update(payment_figures(quick=quick, home=home))
        figures["payments_target_met"] = figures["durable_payments_per_s"] >= TARGET_PAYMENTS_PER_S
    if "registry" in parts:
        figures.update(registry_figures(quick=quick, home=home, progress=lambda message: progress(f"registry: {message}")))
        figures["registry_targets_met"] = registry_targets_met(figures)
    if "web" in parts:
        figures.update(web.web_figures(quick=quick, home=home, progress=progress))
    if "messages" in parts:
        # The message-to-screen figure needs Chromium; the store's figures do not.
        figures.update(message_figures(quick=quick, home=home, progress=progress, screen=web.missing_tools() is None))
    if "cluster" in parts:
        figures.update(cluster.cluster_figures(home=home, seconds=seconds, quick=quick, progress=progress))
        figures["cluster_targets_met"] = cluster.cluster_targets_met(figures)
    return figures
