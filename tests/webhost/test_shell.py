"""The shell as a first-time user meets it, in Chromium: the payment PIN on Me and on the
sheet, one money format, icons, tables, a wide window, Back after a scan, bounded toasts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from capsule.runtime.capabilities.qr.codes import qr_png

from .test_browser import launch, open_shell, program

pytestmark = pytest.mark.slow

#: Every word of every cell in a table is on one line (a word split across lines has two boxes).
BROKEN_WORDS = """(root) => {
  const broken = [];
  for (const cell of root.querySelectorAll("th, td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/[^\\s]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def test_set_a_pin_on_me_then_a_wrong_pin_is_refused_and_the_right_one_pays(page: Page, web) -> None:
    pins = web.host.capabilities["payments"].pins
    wallet = web.host.capabilities["payments"].provider
    open_shell(page, "bob")
    page.get_by_role("button", name="Me", exact=True).click()
    me = page.locator("#pin-body")
    expect(me).to_contain_text("No payment PIN yet")
    me.get_by_label("PIN (6 digits)").fill("314159")
    me.get_by_label("Repeat the new PIN").fill("314159")
    me.get_by_role("button", name="Set PIN").click()
    expect(me).to_contain_text("Your payment PIN is set")
    assert pins.status("bob").is_set
    before = wallet.balance("bob", "CNY")

    page.get_by_role("button", name="Home", exact=True).click()
    launch(page, "coffee", "Coffee Shop")
    program(page).get_by_role("button", name="Add").nth(1).click()  # a flat white, 12.50
    expect(program(page).get_by_text("1 × Flat white")).to_be_visible()
    program_price = program(page).locator(".v-price-amount").last.text_content()
    program(page).get_by_role("button", name="Check out").click()
    sheet = page.get_by_role("dialog")
    # One money format: the sheet says it exactly as the program's own price node does.
    amount = sheet.locator(".details-row", has_text="Amount").locator("dd")
    expect(amount).to_have_text(program_price)
    assert re.fullmatch(r"CN¥12\.50", program_price), program_price
    pay = sheet.get_by_role("button", name=f"Pay {program_price}")
    sheet.get_by_label("Payment PIN").fill("271828")
    pay.click()
    expect(page.get_by_role("dialog").get_by_role("alert")).to_contain_text("Wrong PIN. 4 tries left")
    assert wallet.balance("bob", "CNY") == before  # refused: nothing paid
    page.get_by_role("dialog").get_by_label("Payment PIN").fill("314159")
    page.get_by_role("dialog").get_by_role("button", name=f"Pay {program_price}").click()
    expect(program(page).get_by_text("Paid", exact=True)).to_be_visible()
    assert wallet.balance("bob", "CNY") == before - 1250

    # The activity table on a small phone: no word split across lines.
    page.set_viewport_size({"width": 360, "height": 800})
    page.get_by_role("button", name="Me", exact=True).click()
    activity = page.locator("#activity-body table")
    expect(activity).to_contain_text("payments.request-payment")
    assert page.evaluate(BROKEN_WORDS, activity.element_handle()) == []
    statement = page.locator("#wallet-body table")
    assert page.evaluate(BROKEN_WORDS, statement.element_handle()) == []
    assert not page.script_errors  # type: ignore[attr-defined]


def test_each_sample_has_its_own_icon(page: Page) -> None:
    open_shell(page)
    icons = page.locator("#results img.app-icon")
    expect(icons).to_have_count(4)  # a missing icon would have become a letter
    page.wait_for_function("() => [...document.querySelectorAll('#results img.app-icon')].every((i) => i.complete && i.naturalWidth > 0)")
    sources = icons.evaluate_all("(imgs) => imgs.map((img) => [img.src, img.naturalWidth > 0])")
    assert all(loaded for _, loaded in sources)
    bodies = {page.request.get(src).body() for src, _ in sources}
    assert len(bodies) == len(sources)  # no two programs share an icon


def test_a_wide_window_uses_its_width_and_a_phone_keeps_one_column(page: Page) -> None:
    open_shell(page)
    expect(page.locator("#results li").nth(3)).to_be_visible()
    narrow = page.locator(".app").bounding_box()
    assert narrow is not None and narrow["width"] <= 480
    page.set_viewport_size({"width": 1400, "height": 900})
    wide = page.locator(".app").bounding_box()
    assert wide is not None and wide["width"] >= 1000
    tops = [box["y"] for box in (page.locator("#results li").nth(i).bounding_box() for i in range(4)) if box]
    assert len(set(round(top) for top in tops)) < len(tops)  # results sit side by side


def test_back_after_a_scan_returns_to_where_the_user_was(page: Page, tmp_path: Path) -> None:
    code = tmp_path / "table-7.png"
    code.write_bytes(qr_png("capsule://dev.capsule.samples.tableorder/menu?table=7", 320))
    open_shell(page)
    page.get_by_role("button", name="Me", exact=True).click()
    expect(page.get_by_role("heading", name="Permissions")).to_be_visible()
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Scan a QR code").click()
    chooser.value.set_files(str(code))
    expect(program(page).get_by_text("Table 7")).to_be_visible()
    assert page.evaluate("location.hash") == "#program"
    page.go_back()
    expect(page.locator("#me")).to_be_visible()  # where the user was when they scanned
    assert page.evaluate("location.hash") == "#me" and page.locator("#program").is_hidden()
    page.go_forward()
    expect(page.locator("[data-session]").get_by_text("Table 7")).to_be_visible()
    # The program bar's own Back does the same.
    page.locator("#program-slots .session:not([hidden])").get_by_role("button", name="Back").click()
    expect(page.locator("#me")).to_be_visible()


def test_toasts_are_bounded_and_long_text_is_cut(page: Page) -> None:
    open_shell(page)
    launch(page, "markup", "Markup")
    tap = program(page).get_by_role("button", name=re.compile("^Tap <img"))
    for taps in range(1, 7):
        tap.click()
        expect(program(page).get_by_text(f"taps: {taps}")).to_be_visible()
    assert 1 <= page.locator("#toasts .toast").count() <= 3
    lengths = page.evaluate(
        """async () => {
          const { Toasts, MAX_TOAST_CHARS } = await import(new URL("dialogs.js", document.querySelector("script[type=module]").src));
          const region = document.createElement("div");
          const toasts = new Toasts(region);
          const toast = toasts.show("info", "x".repeat(10000));
          return [toast.querySelector(".toast-text").textContent.length, MAX_TOAST_CHARS];
        }"""
    )
    assert lengths[0] <= lengths[1] + 1
