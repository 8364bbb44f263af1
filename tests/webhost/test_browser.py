"""The shell in Debian's Chromium, driven by Playwright: what a user of the super app does.

Screenshots for docs/tutorial.md are written when CAPSULE_SCREENSHOTS names a
folder (`CAPSULE_SCREENSHOTS=docs/images pytest tests/webhost`).
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from capsule.runtime.capabilities.qr.codes import qr_png

pytestmark = pytest.mark.slow

SHOTS = os.environ.get("CAPSULE_SCREENSHOTS")
MARKUP_STRINGS = (
    "<script>window.__pwned = 'script'</script>",
    '<img src="x" onerror="window.__pwned = \'img\'">',
    "<a href=\"javascript:window.__pwned='link'\">click</a>",
)


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def sign_in(page: Page, user: str = "alice") -> None:
    """Through the sign-in page, as a person would: the demo account's button."""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin$"))  # nobody is signed in in a new context
    page.get_by_role("button", name=f"Sign in as {user.capitalize()}").click()
    expect(page).to_have_url(re.compile(r"/$"))


def open_shell(page: Page, user: str = "alice") -> None:
    sign_in(page, user)
    expect(page.locator("body")).to_have_attribute("data-ready", "1")


def launch(page: Page, query: str, name: str) -> None:
    page.get_by_label("Search programs").fill(query)
    page.locator("#results").get_by_role("button", name=re.compile(f"^{re.escape(name)}")).first.click()
    expect(page.locator("[data-session]")).to_have_count(1)


def program(page: Page):
    return page.locator("[data-session]")


def test_search_launch_add_to_cart_pay_and_see_the_receipt(page: Page, web) -> None:
    from .test_api import pin_of_alice

    pin = pin_of_alice(web)
    open_shell(page)
    page.get_by_label("Search programs").fill("coffee")
    result = page.locator("#results").get_by_role("button", name=re.compile("^Coffee Shop"))
    expect(result).to_contain_text("payments")
    # The first, empty search lists every program; wait for the answer to "coffee".
    expect(page.locator("#results").get_by_role("button", name=re.compile("^Homework"))).to_have_count(0)
    shot(page, "host-search")
    result.click()
    expect(program(page).get_by_text("Flat white")).to_be_visible()
    program(page).get_by_role("button", name="Add").nth(1).click()  # espresso, flat white, ...
    expect(program(page).get_by_text("1 × Flat white")).to_be_visible()
    program(page).get_by_role("button", name="Check out").click()
    sheet = page.get_by_role("dialog")
    for shown in ("Capsule Coffee Co.", "12.50", "1 × Flat white", "Your balance"):
        expect(sheet).to_contain_text(shown)
    sheet.get_by_label("Payment PIN").fill(pin)
    shot(page, "host-payment-sheet")
    sheet.get_by_role("button", name=re.compile(r"^Pay .*12\.50$")).click()
    expect(program(page).get_by_text("Paid", exact=True)).to_be_visible()
    expect(program(page).get_by_text(re.compile(r"^Transaction tx_"))).to_be_visible()
    shot(page, "host-receipt")
    assert not page.script_errors  # type: ignore[attr-defined]


def test_location_denied_shows_the_fallback_and_a_later_grant_works(page: Page) -> None:
    open_shell(page, "bob")
    page.get_by_label("Search programs").fill("taxi")
    page.locator("#results").get_by_role("button", name=re.compile("^Taxi")).first.click()
    consent = page.get_by_role("dialog")
    expect(consent).to_contain_text("Shows taxis near you")
    shot(page, "host-consent")
    consent.get_by_role("button", name="Don't allow").click()
    expect(program(page).get_by_text("Without your area we cannot show taxis nearby.")).to_be_visible()
    # A remembered denial: no new dialog until the user changes it on the Me page.
    program(page).get_by_role("button", name="Update my area").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_role("button", name="Me", exact=True).click()
    page.get_by_role("button", name="Ask again for location.fuzzy for Taxi").click()
    page.get_by_role("button", name="Program").click()
    program(page).get_by_role("button", name="Update my area").click()
    page.get_by_role("dialog").get_by_role("button", name="Allow", exact=True).click()
    expect(program(page).get_by_text(re.compile("^Pickup area"))).to_be_visible()


def test_scanning_a_table_code_lands_at_table_12(page: Page, tmp_path: Path) -> None:
    code = tmp_path / "table-12.png"
    code.write_bytes(qr_png("capsule://dev.capsule.samples.tableorder/menu?table=12", 320))
    open_shell(page)
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Scan a QR code").click()
    chooser.value.set_files(str(code))
    expect(program(page).get_by_text("Table 12")).to_be_visible()
    shot(page, "host-table-order")


def test_markup_and_script_in_a_view_are_shown_as_text_and_never_run(page: Page) -> None:
    open_shell(page)
    launch(page, "markup", "Markup")
    for text in MARKUP_STRINGS:
        expect(program(page).get_by_text(text, exact=True).first).to_be_visible()
    program(page).get_by_role("button", name=re.compile("^Tap <img")).click()
    expect(program(page).get_by_text("taps: 1")).to_be_visible()
    expect(page.get_by_text("toast <script>window.__pwned = 'script'</script>")).to_be_visible()
    assert page.evaluate("window.__pwned") is None
    assert program(page).locator("script, a, iframe, object, embed").count() == 0
    assert program(page).locator("img[src='x']").count() == 0
    assert page.evaluate("document.querySelectorAll('[onerror], [onclick], [onload]').length") == 0
    assert not page.script_errors  # type: ignore[attr-defined]


def test_revoking_on_me_refuses_the_next_call_of_the_open_program(page: Page) -> None:
    open_shell(page, "carol")
    page.get_by_label("Search programs").fill("taxi")
    page.locator("#results").get_by_role("button", name=re.compile("^Taxi")).first.click()
    page.get_by_role("dialog").get_by_role("button", name="Allow", exact=True).click()
    expect(program(page).get_by_text(re.compile("^Pickup area"))).to_be_visible()
    page.get_by_role("button", name="Me", exact=True).click()
    expect(page.get_by_role("heading", name="Permissions")).to_be_visible()
    shot(page, "host-me")
    page.get_by_role("button", name="Revoke location.fuzzy for Taxi").click()
    page.get_by_role("button", name="Program").click()
    program(page).get_by_role("button", name="Update my area").click()
    expect(program(page).get_by_text("Without your area we cannot show taxis nearby.")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_keyboard_alone_finds_and_launches_a_program_and_every_control_is_labelled(page: Page) -> None:
    open_shell(page)
    search = page.get_by_label("Search programs")
    search.focus()
    page.keyboard.type("coffee")
    result = page.locator("#results").get_by_role("button", name=re.compile("^Coffee Shop"))
    expect(result).to_be_visible()
    for _ in range(10):  # Tab forward until the result has focus
        if result.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    assert result.evaluate("el => el === document.activeElement"), "the search result is not reachable with Tab"
    page.keyboard.press("Enter")
    expect(program(page).get_by_text("Flat white")).to_be_visible()
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('button, input, select, textarea')]
              .filter(el => el.offsetParent !== null || (el.type === 'file' && !el.hidden))  // a hidden one is out of the accessibility tree
              .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                            && !el.getAttribute('aria-labelledby') && !el.textContent.trim())
              .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert unlabelled == []


def test_sign_up_sign_out_and_sign_in_again_through_the_pages(page: Page) -> None:
    name = f"dana{secrets.token_hex(4)}"
    page.goto("/signup")
    page.locator("#signup-name").fill(name)  # the page holds both forms; one is shown
    page.get_by_label("Display name (optional)").fill("<img src=x onerror=window.__pwned=1>")
    page.locator("#signup-password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    expect(page.get_by_text("<img src=x onerror=window.__pwned=1>", exact=True)).to_be_visible()  # text, never markup
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.cookie") == ""  # HttpOnly: no script reads the sign-in

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin$"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin$"))  # signed out on the server

    page.locator("#signin-name").fill(name)
    page.locator("#signin-password").fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Wrong account name or password.")  # code.wrong-password, in English
    page.locator("#signin-password").fill("a long enough password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    # The browser logs the wrong password's 401 answer; nothing else may go wrong.
    assert [e for e in page.script_errors if "status of 401" not in e] == []  # type: ignore[attr-defined]
