"""The web host under test: its own CAPSULE_HOME (sharing the run's caches),
the samples live in its embedded registry, served by uvicorn on a loopback
port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

import pytest
from starlette.testclient import TestClient

from capsule.bench.web import CHROMIUM_ARGS, chromium_path
from capsule.runtime import Home
from capsule.runtime.webhost import WebHost, open_web_host
from capsule.runtime.webhost.app import create_app
from capsule.runtime.webhost.server import BackgroundServer, free_port

from ..conftest import PROGRAMS, REPO

SAMPLES = [REPO / "sample_programs" / name for name in ("coffee-shop", "table-order", "taxi", "homework")]
MARKUP = PROGRAMS / "markup"


@pytest.fixture(scope="session")
def web(home: Home, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebHost]:
    port = free_port()
    web_home = home.sharing_caches(tmp_path_factory.mktemp("web-home"))
    host = open_web_host(web_home, url=f"http://127.0.0.1:{port}", samples=[*SAMPLES, MARKUP], demo=True)
    host.test_port = port  # type: ignore[attr-defined]
    yield host
    host.close()


@pytest.fixture(scope="session")
def live(web: WebHost) -> Iterator[BackgroundServer]:
    with BackgroundServer(web, web.test_port) as server:  # type: ignore[attr-defined]
        yield server


def origin_of(web: WebHost) -> str:
    """The origin the host's own pages have: what its API checks requests against."""
    return f"http://127.0.0.1:{web.test_port}"  # type: ignore[attr-defined]


@contextmanager
def signed_in(web: WebHost, user: str = "alice") -> Iterator[TestClient]:
    """A TestClient that is one of the host's own pages, signed in as a demo account through the API."""
    origin = origin_of(web)
    with TestClient(create_app(web), base_url=origin, headers={"origin": origin}) as client:
        answer = client.post("/api/signin/demo", json={"name": user})
        assert answer.status_code == 200, answer.text
        client.headers["x-capsule-csrf"] = answer.json()["csrf"]
        yield client


def socket_url(client: TestClient) -> str:
    """The socket's address on the client's host (a relative one would be ws://testserver)."""
    return str(client.base_url.copy_with(scheme="ws", path="/ws"))


def chromium_or_skip() -> str:
    """Chromium's path; a skip outside CI when it is missing, a failure in CI."""
    found = chromium_path()
    if found is not None:
        return found
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Chromium: `apt-get install -y chromium` (scripts/test does it)")
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
    """A fresh browser context (its own cookies: nobody is signed in yet) on the shell."""
    context = browser.new_context(base_url=live.url, viewport={"width": 480, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.script_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()
