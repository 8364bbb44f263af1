"""`capsule dev` in the browser: a saved edit shows in the open page, a broken one is
pointed at by file and line while the last good version keeps running."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from capsule.runtime import Home
from capsule.runtime.webhost import WebHost, open_dev_host
from capsule.runtime.webhost.server import BackgroundServer, dev_signin_url, free_port

from ..conftest import HELLO
from .test_browser import shot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("dev") / "hello"
    shutil.copytree(HELLO, target, ignore=shutil.ignore_patterns("tests", "dist", "__pycache__"))
    return target


@pytest.fixture(scope="module")
def dev_web(home: Home, folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebHost]:
    web = open_dev_host(home.sharing_caches(tmp_path_factory.mktemp("dev-home")), folder)
    yield web
    web.close()


@pytest.fixture
def dev_page(browser, dev_web: WebHost) -> Iterator[Page]:
    with BackgroundServer(dev_web, free_port()) as server:
        context = browser.new_context(base_url=server.url, viewport={"width": 1100, "height": 900})
        page = context.new_page()
        page.dev_url = dev_signin_url(dev_web, server.url)  # type: ignore[attr-defined]
        yield page
        context.close()


def test_an_edit_shows_in_the_open_page_and_a_mistake_names_its_file_and_line(dev_page: Page, folder: Path) -> None:
    page = dev_page
    page.goto("/")
    expect(page.get_by_role("heading", name="Developer mode")).to_be_visible()  # not signed in: the URL with the key is needed
    page.goto(page.dev_url)  # type: ignore[attr-defined]  # what `capsule dev` prints
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    view = page.locator("[data-session]")
    expect(view.get_by_text("Hello, world!")).to_be_visible()
    view.get_by_role("button", name="Press me").click()
    expect(view.get_by_text("You pressed the button 1 time.")).to_be_visible()
    expect(page.get_by_role("heading", name="Inspector")).to_be_visible()
    expect(page.get_by_text("ui.render").first).to_be_visible()

    source = folder / "app.py"
    original = source.read_text()
    source.write_text(original.replace('f"Hello, {self.name}!"', 'f"Howdy, {self.name}!"'))
    expect(view.get_by_text("Howdy, world!")).to_be_visible(timeout=10_000)
    shot(page, "dev-mode")

    source.write_text(original.replace("    def increment(self, data):", "    def increment(self, data)"))
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text(re.compile(r"app\.py.*\b\d+\b"), timeout=10_000)
    expect(banner).to_contain_text("SyntaxError")
    expect(view.get_by_text("Howdy, world!")).to_be_visible()  # the last good version goes on

    source.write_text(original)
    expect(view.get_by_text("Hello, world!")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("alert").filter(has_text="SyntaxError")).to_have_count(0)

    # A handler that raises: the shell's words for `program-error`, and (developer mode) the server's own.
    failing = original.replace('f"Hello, {self.name}!"', 'f"Oops, {self.name}!"')
    source.write_text(failing.replace("    def increment(self, data):", "    def increment(self, data):\n        raise ValueError('boom <b>x</b>')"))
    expect(view.get_by_text("Oops, world!")).to_be_visible(timeout=10_000)
    view.get_by_role("button", name="Press me").click()
    card = page.locator(".error-card")
    expect(card).to_contain_text("The program ran into an error (ValueError).")
    expect(card).to_contain_text("the program raised ValueError: boom <b>x</b>")
    source.write_text(original)
    expect(view.get_by_text("Hello, world!")).to_be_visible(timeout=10_000)


def test_presets_set_locale_position_and_balance_and_refuse_nonsense(dev_web: WebHost) -> None:
    from starlette.testclient import TestClient

    from capsule.runtime.webhost.app import create_app

    origin = "http://127.0.0.1:8000"
    with TestClient(create_app(dev_web), base_url=origin, headers={"origin": origin}) as client:
        assert client.get("/api/config").status_code == 401
        wrong = client.get("/dev/signin", params={"key": "guess"}, follow_redirects=False)
        assert wrong.status_code == 403 and "capsule dev" in wrong.json()["message"]
        entered = client.get(dev_signin_url(dev_web, origin), follow_redirects=False)
        assert entered.status_code == 303 and entered.headers["location"] == "/"
        config = client.get("/api/config").json()
        assert config["user"] == "developer"
        client.headers["x-capsule-csrf"] = config["csrf"]
        assert client.post("/api/dev/presets", json={"locale": "nl-NL"}, headers={"origin": "http://127.0.0.2:8000"}).status_code == 403
        applied = client.post(
            "/api/dev/presets",
            json={"locale": "nl-NL", "position": {"latitude": 52.37, "longitude": 4.89}, "balance": {"amount": 123_456, "currency": "CNY"}},
        )
        assert applied.status_code == 200, applied.text
        dev = client.get("/api/config").json()["dev"]
        assert dev["presets"]["locale"] == "nl-NL" and dev["position"] == [52.37, 4.89]
        assert dev["presets"]["balance"] == {"amount": 123_456, "currency": "CNY"}
        for bad in ({"position": {"latitude": 99, "longitude": 0}}, {"balance": {"amount": 1.5, "currency": "CNY"}},
                    {"balance": {"amount": 1, "currency": "XXX"}}, {"locale": ""}, {"user": "rm -rf"}, []):
            refused = client.post("/api/dev/presets", json=bad)
            assert refused.status_code == 400 and refused.json()["message"], bad
        # The user preset moves the developer's own sign-in to that persona.
        assert client.post("/api/dev/presets", json={"user": "dave"}).status_code == 200
        assert client.get("/api/config").json()["user"] == "dave"


def test_the_inspector_shows_the_newest_call_first_as_readable_json(dev_page: Page) -> None:
    page = dev_page
    page.goto(page.dev_url)  # type: ignore[attr-defined]
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    view = page.locator("[data-session]")
    expect(view.get_by_text(re.compile("^(Hello|Howdy), world!$"))).to_be_visible()
    for times in (1, 2):
        view.get_by_role("button", name="Press me").click()
        expect(view.get_by_text(re.compile(f"pressed the button {times} times?\\."))).to_be_visible()
    rows = page.locator("#dev-calls tr")
    expect(rows.first).to_contain_text("pressed the button 2 times")  # newest on top
    renders = rows.filter(has_text="ui.render")
    assert "button 2 times" in renders.nth(0).inner_text() and "button 1 time." in renders.nth(1).inner_text()
    args = renders.nth(0).locator("pre.call-args").text_content() or ""
    # The view travels as JSON text: shown parsed and indented, not as one escaped string.
    assert '\\"' not in args and '\n  "type": "page"' in args, args[:300]
