"""Home's shelf: recents and favourites stored per account on each database the host runs on,
served only to the account's own pages, and the same in two browsers of one account."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from capsule.runtime.webhost.shelf import MAX_RECENTS, Shelf, ShelfError

from .conftest import origin_of, signed_in
from .test_browser import shot

COFFEE = "dev.capsule.samples.coffee"
HOMEWORK = "dev.capsule.samples.homework"
TAXI = "dev.capsule.samples.taxi"
TABLE = "dev.capsule.samples.tableorder"


def test_recents_are_newest_first_per_account_and_bounded(database) -> None:
    now = [1000.0]
    shelf = Shelf(database, clock=lambda: now[0])
    for app_id in ("a.one", "a.two", "a.one", "a.three"):
        now[0] += 1
        shelf.opened("dana", app_id)
    assert [app for app, _ in shelf.recents("dana")] == ["a.three", "a.one", "a.two"]
    assert shelf.recents("bob") == []  # another account sees none of them
    for number in range(MAX_RECENTS + 5):
        now[0] += 1
        shelf.opened("dana", f"b.n{number}")
    kept = [app for app, _ in shelf.recents("dana")]
    assert len(kept) == MAX_RECENTS and kept[0] == f"b.n{MAX_RECENTS + 4}" and "a.three" not in kept
    assert shelf.forget_recent("dana", kept[0]) and not shelf.forget_recent("dana", kept[0])


def test_favourites_are_pinned_ordered_and_checked(database) -> None:
    shelf = Shelf(database)
    assert shelf.pin("dana", "a.one") == ["a.one"]
    assert shelf.pin("dana", "a.two") == ["a.one", "a.two"]
    assert shelf.pin("dana", "a.one") == ["a.one", "a.two"]  # pinned once
    assert shelf.order("dana", ["a.two", "a.one"]) == ["a.two", "a.one"]
    assert shelf.favourites("bob") == []
    for wrong in (["a.two"], ["a.two", "a.two"], ["a.two", "a.one", "a.three"], "a.two", [1]):
        with pytest.raises(ShelfError):
            shelf.order("dana", wrong)
    assert shelf.favourites("dana") == ["a.two", "a.one"]  # a refused order loses nothing
    with pytest.raises(ShelfError, match="program id"):
        shelf.pin("dana", "<script>")
    assert shelf.unpin("dana", "a.two") == ["a.one"]


def test_home_answers_only_the_signed_in_account_from_its_own_origin(web) -> None:
    with signed_in(web, "carol") as client:
        done = client.post("/api/home/favourites/pin", json={"app_id": TAXI})
        assert done.status_code == 200 and [card["app_id"] for card in done.json()["favourites"]] == [TAXI]
        assert done.json()["favourites"][0]["name"] == "Taxi"
        unknown = client.post("/api/home/favourites/pin", json={"app_id": "dev.nobody.here"})
        assert unknown.status_code == 404
        bad = client.post("/api/home/favourites/order", json={"order": ["x.y"]})
        assert bad.status_code == 400 and "exactly once" in bad.json()["message"]
        for what, headers in {"another origin": {"origin": "http://127.0.0.2:8000"}, "cross-site": {"sec-fetch-site": "cross-site"}}.items():
            refused = client.post("/api/home/favourites/unpin", json={"app_id": TAXI}, headers=headers)
            assert refused.status_code == 403, what
        token = client.headers.pop("x-capsule-csrf")
        refused = client.post("/api/home/favourites/unpin", json={"app_id": TAXI})
        assert refused.status_code == 403 and refused.json()["error"] == "csrf"
        client.headers["x-capsule-csrf"] = token
        assert client.get("/api/home").json()["favourites"][0]["app_id"] == TAXI  # nothing was unpinned
        client.cookies.clear()
        assert client.get("/api/home").status_code == 401
        assert client.post("/api/home/favourites/unpin", json={"app_id": TAXI}).status_code == 401
    with signed_in(web, "alice") as other:
        assert other.get("/api/home").json()["favourites"] == []  # carol's shelf is hers
    web.shelf.unpin("carol", TAXI)


def sign_in_as(page: Page, user: str) -> None:
    page.goto("/")
    page.get_by_role("button", name=f"Sign in as {user.capitalize()}").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("body")).to_have_attribute("data-ready", "1")


@pytest.mark.slow
def test_recents_and_favourites_follow_the_account_to_another_browser(browser, live, web) -> None:
    phone = browser.new_context(base_url=live.url, viewport={"width": 360, "height": 780})
    laptop = browser.new_context(base_url=live.url, viewport={"width": 1280, "height": 900})
    try:
        first = phone.new_page()
        sign_in_as(first, "bob")
        for query, name in (("homework", "Homework"), ("coffee", "Coffee")):
            first.get_by_label("Search programs").fill(query)
            first.locator("#results").get_by_role("button", name=re.compile(f"^{name}")).first.click()
            expect(first.locator("[data-session]")).to_have_count(1)
            first.get_by_role("button", name="Home", exact=True).click()
        recents = first.locator("#recents .tile-name")
        expect(recents.nth(0)).to_have_text("Coffee Shop")
        expect(recents.nth(1)).to_have_text("Homework")
        web.shelf.pin("bob", HOMEWORK)
        web.shelf.pin("bob", COFFEE)
        second = laptop.new_page()
        sign_in_as(second, "bob")
        expect(second.locator("#recents .tile-name").nth(0)).to_have_text("Coffee Shop")
        expect(second.locator("#recents .tile-name").nth(1)).to_have_text("Homework")
        expect(second.locator("#favourites .tile-name")).to_have_text(["Homework", "Coffee Shop"])
        second.get_by_role("button", name="Move Homework later").click()
        expect(second.locator("#favourites .tile-name")).to_have_text(["Coffee Shop", "Homework"])
        first.reload()
        expect(first.locator("#favourites .tile-name")).to_have_text(["Coffee Shop", "Homework"])
        expect(first.locator("#results li").first).to_be_visible()
        shot(first, "host-home")
        first.locator("#recents").get_by_role("button", name="Homework").click()
        expect(first.locator("[data-session]")).to_have_count(1)
        assert [app for app, _ in web.shelf.recents("bob")][:2] == [HOMEWORK, COFFEE]
    finally:
        phone.close()
        laptop.close()
        for app_id in (HOMEWORK, COFFEE):
            web.shelf.unpin("bob", app_id)
