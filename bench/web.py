"""Web host figures for `capsule bench`: the shell in Debian's Chromium on loopback.

`shell_load_ms_p50`: navigation start to interactive (the shell's socket is
open and its config loaded: `body[data-ready]`), each time in a fresh browser
context, so nothing is cached in the browser; the server is warm.

`click_to_dom_ms_p95`: a click on the hello sample's button to the updated
view in the DOM (the event over the WebSocket, the program's turn, the new
view back and rendered), timed inside the page with `performance.now()`.

`resume_background_ms_p95`: a program left in the background (the user went
Home; the server heard `hide`) brought back by a tap on its Home tile, to its
view on screen again (the end of the next frame after the tap: its style,
layout and paint), timed in the page. Nothing is launched: the same session shows again.

`home_to_recent_program_view_ms_p50`: a tap on a recent program on Home
(closed before, so a new session starts) to its first view in the DOM.

`web_first_open_ms_p50`: a tap on the search result of a program this host
has never installed to its first view in the DOM: the registry resolves the
live version, the host downloads it, checks the countersignature and the
developer's signature, installs it (a source package: nothing compiles) and
launches it, and the view comes back over the socket. Each program is a
fresh copy of hello under its own id, published and approved beforehand.
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
from .stats import p95 as _p95

TARGET_LOAD_MS = 500.0
TARGET_CLICK_P95_MS = 50.0
TARGET_FIRST_OPEN_MS = 1000.0
TARGET_RESUME_P95_MS = 50.0
TARGET_HOME_TO_RECENT_MS = 300.0
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
    loads, clicks, first_opens = (5, 30, 5) if quick else (20, 200, 20)
    with tempfile.TemporaryDirectory(prefix="capsule-bench-web-") as scratch:
        port = free_port()
        progress("web: preparing a host with the hello sample")
        shared = home.sharing_caches(scratch)
        web = open_web_host(shared, url=f"http://127.0.0.1:{port}", samples=[HELLO], demo=True)
        try:
            progress(f"web: publishing {first_opens} programs nobody has opened")
            names = _publish_unopened(web, shared, Path(scratch), first_opens)
            with BackgroundServer(web, port) as server, sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
                try:
                    progress(f"web: {loads} page loads, {clicks} clicks, {first_opens} first opens")
                    load_ms = [_load(browser, server.url) for _ in range(loads + 1)][1:]  # the first warms the server
                    click_ms = _clicks(browser, server.url, clicks)
                    first_open_ms = _first_opens(browser, server.url, names)
                    resume_ms = _resumes(browser, server.url, clicks // 5)
                    recent_ms = _recent_opens(browser, server.url, loads)
                finally:
                    browser.close()
        finally:
            web.close()
    return {
        "shell_load_ms_p50": round(statistics.median(load_ms), 1),
        "shell_load_ms_p95": round(_p95(load_ms), 1),
        "click_to_dom_ms_p50": round(statistics.median(click_ms), 2),
        "click_to_dom_ms_p95": round(_p95(click_ms), 2),
        "web_first_open_ms_p50": round(statistics.median(first_open_ms), 1),
        "web_first_open_ms_p95": round(_p95(first_open_ms), 1),
        "resume_background_ms_p50": round(statistics.median(resume_ms), 2),
        "resume_background_ms_p95": round(_p95(resume_ms), 2),
        "home_to_recent_program_view_ms_p50": round(statistics.median(recent_ms), 1),
        "home_to_recent_program_view_ms_p95": round(_p95(recent_ms), 1),
        "web_loads": loads,
        "web_clicks": clicks,
        "web_first_opens": first_opens,
        "web_targets_met": statistics.median(load_ms) <= TARGET_LOAD_MS
        and _p95(click_ms) <= TARGET_CLICK_P95_MS
        and statistics.median(first_open_ms) <= TARGET_FIRST_OPEN_MS
        and _p95(resume_ms) <= TARGET_RESUME_P95_MS
        and statistics.median(recent_ms) <= TARGET_HOME_TO_RECENT_MS,
    }


def _publish_unopened(web: Any, home: Home, scratch: Path, count: int) -> list[str]:
    """`count` copies of hello under new ids and names, live in the host's registry, installed nowhere."""
    import json

    from capsule.runtime.package import pack_members
    from capsule.runtime.registry.client import Credentials
    from capsule.runtime.webhost.demo import release
    from capsule.sdk.toolchain import source
    from capsule.sdk.toolchain.build import signing_key

    actor = web.registry.authenticate(f"Bearer {Credentials.load(home).token}")
    key = signing_key(home, "default", lambda message: None)
    files = source.package_members(source.collect(HELLO))
    names = []
    for n in range(count):
        manifest = json.loads(files["manifest.json"])
        name = f"Firstopen{n}"
        manifest.update({"id": f"dev.capsule.bench.firstopen{n}", "name": {"en": name}, "keywords": {"en": [name]}})
        members = {**files, "manifest.json": json.dumps(manifest).encode()}
        release(web.registry, actor, pack_members(scratch / f"firstopen{n}.capsule", members, key).path, progress=lambda m: None)
        names.append(name)
    return names


# Resolves with the time from a tap on a search result to the program's first view in the DOM.
_OPEN = """async (name) => {
  const result = [...document.querySelectorAll('button')].find(b => b.textContent.includes(name));
  const before = document.body.dataset.views;
  const started = performance.now();
  const shown = new Promise(resolve => {
    const watch = new MutationObserver(() => {
      if (document.body.dataset.views !== before && document.querySelector('[data-session] button')) {
        watch.disconnect(); resolve(performance.now() - started);
      }
    });
    watch.observe(document.body, { attributes: true, subtree: true, childList: true });
  });
  result.click();
  return await shown;
}"""


def _first_opens(browser: Any, url: str, names: list[str]) -> list[float]:
    times = []
    for name in names:
        context = _signed_in_context(browser, url)
        try:
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector("body[data-ready='1']")
            page.get_by_label("Search programs").fill(name)
            page.get_by_role("button", name=name).first.wait_for()
            times.append(float(page.evaluate(_OPEN, name)))
        finally:
            context.close()
    return times


def _signed_in_context(browser: Any, url: str) -> Any:
    """A browser context signed in as a demo account (the shell needs a sign-in)."""
    context = browser.new_context()
    answer = context.request.post(f"{url}/api/signin/demo", data={"name": "alice"}, headers={"origin": url})
    if not answer.ok:
        raise RuntimeError(f"web: the demo sign-in failed ({answer.status}): {answer.text()}")
    return context


def _load(browser: Any, url: str) -> float:
    context = _signed_in_context(browser, url)
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
    context = _signed_in_context(browser, url)
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


# Resolves with the time from a tap on a Home tile to the program's view on screen:
# the same session (resumed from the background), at the end of the next frame.
_RESUME = """async (name) => {
  const tile = [...document.querySelectorAll('#recents .tile')].find(b => b.textContent.includes(name));
  const started = performance.now();
  tile.click();
  const session = document.querySelector('[data-session]');
  if (!session || session.closest('[hidden]')) throw new Error('the program did not come back at once');
  // The next frame's callbacks run before its style, layout and paint; a message posted
  // from there arrives once that frame is done: the view is on screen.
  await new Promise(resolve => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = resolve;
    channel.port2.postMessage(null);
  }));
  return performance.now() - started;
}"""

# Resolves with the time from a tap on a recent program (not running) to its first view in the DOM.
_RECENT = """async (name) => {
  const tile = [...document.querySelectorAll('#recents .tile')].find(b => b.textContent.includes(name));
  const before = document.body.dataset.views;
  const started = performance.now();
  const shown = new Promise(resolve => {
    const watch = new MutationObserver(() => {
      if (document.body.dataset.views !== before && document.querySelector('[data-session] button')) {
        watch.disconnect(); resolve(performance.now() - started);
      }
    });
    watch.observe(document.body, { attributes: true, subtree: true, childList: true });
  });
  tile.click();
  return await shown;
}"""


def _open_hello(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']")
    page.get_by_label("Search programs").fill("hello")
    page.locator("#results").get_by_role("button", name="Hello").first.click()
    page.wait_for_selector("[data-session] button")


def _go_home(page: Any) -> None:
    page.get_by_role("button", name="Home", exact=True).click()
    page.locator("#recents .tile", has_text="Hello").first.wait_for()


def _resumes(browser: Any, url: str, count: int) -> list[float]:
    context = _signed_in_context(browser, url)
    try:
        page = context.new_page()
        _open_hello(page, url)
        times = []
        for n in range(count + 5):  # the first five warm up
            _go_home(page)
            page.wait_for_timeout(20)  # the `hide` reaches the program, as when a person looks away
            elapsed = float(page.evaluate(_RESUME, "Hello"))
            if n >= 5:
                times.append(elapsed)
        return times
    finally:
        context.close()


def _recent_opens(browser: Any, url: str, count: int) -> list[float]:
    context = _signed_in_context(browser, url)
    try:
        page = context.new_page()
        _open_hello(page, url)
        times = []
        for n in range(count + 2):  # the first two warm up
            page.locator("[data-session]").get_by_role("button", name="Close", exact=True).click()
            page.wait_for_selector("[data-session]", state="detached")
            _go_home(page)
            elapsed = float(page.evaluate(_RECENT, "Hello"))
            if n >= 2:
                times.append(elapsed)
        return times
    finally:
        context.close()


