"""Web host figures for `capsule bench`: the shell in Debian's Chromium on loopback.

`shell_load_ms_p50`: navigation start to interactive (the shell's socket is
open and its config loaded: `body[data-ready]`), each time in a fresh browser
context, so nothing is cached in the browser; the server is warm.

`click_to_dom_ms_p95`: a click on the hello sample's button to the updated
view in the DOM (the event over the WebSocket, the program's turn, the new
view back and rendered), timed inside the page with `performance.now()`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any, Callable

from capsule.runtime.home import Home

from .programs import HELLO

TARGET_LOAD_MS = 500.0
TARGET_CLICK_P95_MS = 50.0
PLAYWRIGHT_MISSING = (
    "Playwright is not installed: install Capsule with its test tools (pip install 'capsule-platform[test]') "
    "or pip install playwright"
)
CHROMIUM_MISSING = "Chromium is not installed: apt-get install -y chromium, or set CAPSULE_CHROMIUM to a Chromium binary"
#: For a machine without a network: no background fetches that would be refused anyway.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Runs before the shell's own scripts: notes when the shell says it is ready.
_READY = """new MutationObserver((_, watch) => {
  if (document.body && document.body.dataset.ready === '1' && !window.__capsuleReadyAt) {
    window.__capsuleReadyAt = performance.now();
    watch.disconnect();
  }
}).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-ready'] });"""

# Resolves with the time from the click to the next rendered view, measured in the page.
_CLICK = """async (label) => {
  const button = [...document.querySelectorAll('[data-session] button')].find(b => b.textContent === label);
  const before = document.body.dataset.views;
  const started = performance.now();
  const changed = new Promise(resolve => {
    const watch = new MutationObserver(() => {
      if (document.body.dataset.views !== before) { watch.disconnect(); resolve(performance.now() - started); }
    });
    watch.observe(document.body, { attributes: true, attributeFilter: ['data-views'] });
  });
  button.click();
  return await changed;
}"""


def missing_tools() -> str | None:
    """What this part lacks on this machine, or None: Playwright and a Chromium."""
    if importlib.util.find_spec("playwright") is None:
        return PLAYWRIGHT_MISSING
    if chromium_path() is None:
        return CHROMIUM_MISSING
    return None


def chromium_path() -> str | None:
    """Debian's Chromium (`apt-get install -y chromium`), or CAPSULE_CHROMIUM."""
    found = os.environ.get("CAPSULE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return found if Path(found).exists() else None


def web_figures(*, quick: bool = False, home: Home, progress: Callable[[str], None] = lambda message: None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from capsule.runtime.webhost import open_web_host
    from capsule.runtime.webhost.server import BackgroundServer, free_port

    executable = chromium_path()
    if executable is None:
        raise RuntimeError(CHROMIUM_MISSING)
    loads, clicks = (5, 30) if quick else (20, 200)
    with tempfile.TemporaryDirectory(prefix="capsule-bench-web-") as scratch:
        port = free_port()
        progress("web: preparing a host with the hello sample")
        web = open_web_host(home.sharing_caches(scratch), url=f"http://127.0.0.1:{port}", samples=[HELLO])
        try:
            with BackgroundServer(web, port) as server, sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
                try:
                    progress(f"web: {loads} page loads, {clicks} clicks")
                    load_ms = [_load(browser, server.url) for _ in range(loads + 1)][1:]  # the first warms the server
                    click_ms = _clicks(browser, server.url, clicks)
                finally:
                    browser.close()
        finally:
            web.close()
    return {
        "shell_load_ms_p50": round(statistics.median(load_ms), 1),
        "shell_load_ms_p95": round(_p95(load_ms), 1),
        "click_to_dom_ms_p50": round(statistics.median(click_ms), 2),
        "click_to_dom_ms_p95": round(_p95(click_ms), 2),
        "web_loads": loads,
        "web_clicks": clicks,
        "web_targets_met": statistics.median(load_ms) <= TARGET_LOAD_MS and _p95(click_ms) <= TARGET_CLICK_P95_MS,
    }


def _load(browser: Any, url: str) -> float:
    context = browser.new_context()
    context.add_init_script(_READY)
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("body[data-ready='1']")
        # performance.now() counts from the navigation's start.
        return float(page.evaluate("window.__capsuleReadyAt"))
    finally:
        context.close()


def _clicks(browser: Any, url: str, count: int) -> list[float]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("body[data-ready='1']")
        page.get_by_label("Search programs").fill("hello")
        page.get_by_role("button", name="Hello").first.click()
        page.wait_for_selector("[data-session] button")
        for _ in range(10):  # warm up
            page.evaluate(_CLICK, "Press me")
        return [float(page.evaluate(_CLICK, "Press me")) for _ in range(count)]
    finally:
        context.close()


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
