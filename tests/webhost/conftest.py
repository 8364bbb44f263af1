"""The web host under test: its own CAPSULE_HOME (sharing the run's build,
compile and developer-component caches), the samples live in its embedded registry, served by uvicorn
on a loopback port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from capsule.runtime import Home
from capsule.runtime.webhost import WebHost, open_web_host
from capsule.runtime.webhost.app import create_app

from ..conftest import PROGRAMS, REPO

SAMPLES = [REPO / "sample_programs" / name for name in ("coffee-shop", "table-order", "taxi", "homework")]
MARKUP = PROGRAMS / "markup"
CHROMIUM = os.environ.get("CAPSULE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
#: Flags for a closed network: no background fetches that would be refused anyway.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def separate_home(home: Home, root: Path) -> Home:
    """A fresh CAPSULE_HOME whose build and compile caches are the run's (nothing is built twice)."""
    (root / "cache").mkdir(parents=True, exist_ok=True)
    (home.root / "cache" / "dev").mkdir(parents=True, exist_ok=True)
    for name, shared in (("build", home.build_cache), ("compiled", home.compile_cache), ("dev", home.root / "cache" / "dev")):
        (root / "cache" / name).symlink_to(shared, target_is_directory=True)
    return Home.resolve(root)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """uvicorn serving the web host's app in a thread of the test process."""

    def __init__(self, web: WebHost, port: int) -> None:
        import uvicorn

        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(create_app(web), host="127.0.0.1", port=port, log_level="warning", ws_max_size=512 * 1024)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the web host did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="session")
def web(home: Home, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebHost]:
    port = free_port()
    web_home = separate_home(home, tmp_path_factory.mktemp("web-home"))
    host = open_web_host(web_home, url=f"http://127.0.0.1:{port}", samples=[*SAMPLES, MARKUP])
    host.test_port = port  # type: ignore[attr-defined]
    yield host
    host.close()


@pytest.fixture(scope="session")
def live(web: WebHost) -> Iterator[LiveServer]:
    with LiveServer(web, web.test_port) as server:  # type: ignore[attr-defined]
        yield server


def chromium_or_skip() -> str:
    """Chromium's path; a skip outside CI when it is missing, a failure in CI."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI"):
        raise RuntimeError(f"CI needs Chromium at {CHROMIUM}: `apt-get install -y chromium` (scripts/test does it)")
    pytest.skip("Chromium is not installed (apt-get install -y chromium); the browser tests run in CI")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live):
    """A fresh browser context (its own cookies: the demo user starts as alice) on the shell."""
    context = browser.new_context(base_url=live.url, viewport={"width": 480, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.script_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()
