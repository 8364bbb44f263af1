"""Background programs: a hidden session stays alive, the account keeps at most
`max_background` of them across its tabs, and the host ends the one hidden longest ago;
in Chromium the switcher brings a background program back at its last view."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from .conftest import signed_in, socket_url
from .test_api import Tab
from .test_browser import launch, open_shell, program, shot

COFFEE = "dev.capsule.samples.coffee"
HOMEWORK = "dev.capsule.samples.homework"
MARKUP = "dev.capsule.tests.markup"


def wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def live_session(web, session_id: str):
    for connection in list(web.connections):
        if session_id in connection.live:
            return connection.live[session_id].session
    return None


def test_the_oldest_background_program_of_an_account_ends_at_the_bound(web, monkeypatch) -> None:
    monkeypatch.setattr(web, "max_background", 1)
    with signed_in(web, "carol") as client:
        with client.websocket_connect(socket_url(client)) as first, client.websocket_connect(socket_url(client)) as second:
            one, two = Tab(first), Tab(second)
            coffee, _ = one.launch(COFFEE)
            one.send(type="hide", session=coffee)
            homework, _ = two.launch(HOMEWORK)
            assert live_session(web, coffee) is not None  # one in the background: within the bound
            two.send(type="show", session=homework)
            two.send(type="hide", session=homework)  # a second one, in another tab of the same account
            ended = one.until("ended")
            assert ended["session"] == coffee and ended["code"] == "background-limit" and "at most 1" in ended["message"]
            assert live_session(web, homework) is not None
            one.send(type="event", session=coffee, page="", handler="noop", data={})
            assert one.until("ended")["code"] == "no-session"
            two.send(type="show", session=homework)  # shown again: back in the foreground, still alive
            two.send(type="close", session=homework)


@pytest.mark.slow
def test_the_switcher_resumes_a_background_program_at_its_last_view(page: Page, web) -> None:
    open_shell(page, "carol")
    launch(page, "coffee", "Coffee Shop")
    coffee = program(page).get_attribute("data-session")
    program(page).get_by_role("button", name="Add").first.click()
    expect(program(page)).to_contain_text("Check out")
    last_view = program(page).inner_text()
    page.get_by_role("button", name="Home", exact=True).click()
    wait_for(lambda: live_session(web, coffee).state == "hidden")  # the program heard `hide`
    launch(page, "homework", "Homework")
    page.get_by_role("button", name=re.compile(r"^Switcher")).click()
    switcher = page.get_by_role("dialog", name="Open programs")
    card = switcher.get_by_role("button", name=re.compile("^Coffee Shop"))
    expect(card).to_contain_text("Coffee Shop")
    expect(switcher.locator(".switcher-preview").first).not_to_be_empty()
    shot(page, "host-switcher")
    card.click()
    expect(program(page)).to_have_attribute("data-session", coffee)  # the same session, not a new launch
    assert program(page).inner_text() == last_view
    session = live_session(web, coffee)
    assert session is not None and session.state == "active"
