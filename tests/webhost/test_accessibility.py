"""axe-core in Chromium finds no accessibility violations on Home, a program, the payment
sheet, the consent dialog and Me: on a 360 px phone in the light scheme and on a wide
screen in the dark one (the shell follows the system's scheme).

axe-core is vendored for the tests only (tests/webhost/vendor/axe-core, MPL-2.0, its
licence beside it). The shell's Content-Security-Policy refuses inline scripts, so these
contexts bypass it to inject axe; the policy itself is tested in test_api.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .test_browser import program

pytestmark = pytest.mark.slow

AXE = (Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js").read_text()
TAXI = "dev.capsule.samples.taxi"
#: WCAG 2.1 A and AA, the rules a public service is held to.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: axe runs for seconds on a busy two-core machine: waits here are generous.
WAIT = 20_000


def violations(page: Page, where: str) -> list[str]:
    # Nothing wider than the window: a phone never scrolls the page sideways.
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    wide = [f"{where}: the page is {overflow} px wider than the window"] if overflow > 0 else []
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(content=AXE)
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
            return result.violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
        }""",
        TAGS,
    )
    return wide + [f"{where}: {line}" for line in found]


@pytest.mark.parametrize(("width", "scheme"), [(360, "light"), (1280, "dark")])
def test_no_violations_on_home_a_program_the_sheet_the_consent_dialog_and_me(browser, live, web, width, scheme) -> None:
    store = web.host.services.consent_store
    for scope in ("location.fuzzy", "location.precise"):
        store.reset("carol", TAXI, scope)
    context = browser.new_context(base_url=live.url, viewport={"width": width, "height": 800}, color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    found: list[str] = []
    try:
        page.goto("/")
        page.get_by_role("button", name="Sign in as Carol").click()
        expect(page.locator("body")).to_have_attribute("data-ready", "1", timeout=WAIT)
        expect(page.locator("#results li").first).to_be_visible(timeout=WAIT)
        found += violations(page, "Home")
        # The scanner's file input is the Scan button's helper: one control for assistive tech, not two.
        expect(page.get_by_role("button", name="Scan a QR code")).to_have_count(1)
        expect(page.get_by_role("button", name=re.compile("QR code image|file", re.I))).to_have_count(0)

        page.get_by_label("Search programs").fill("coffee")
        page.locator("#results").get_by_role("button", name=re.compile("^Coffee Shop")).first.click()
        expect(program(page).get_by_text("Flat white")).to_be_visible(timeout=WAIT)
        found += violations(page, "a program")
        page.get_by_role("button", name="Program menu").click()
        page.get_by_role("dialog", name="Coffee Shop").get_by_role("button", name="About").click()
        expect(page.get_by_role("dialog", name="About Coffee Shop")).to_contain_text("Capsule Coffee Co.", timeout=WAIT)
        found += violations(page, "the program's About")
        page.get_by_role("dialog", name="About Coffee Shop").get_by_role("button", name="Close").click()

        program(page).get_by_role("button", name="Add").nth(1).click()
        program(page).get_by_role("button", name="Check out").click()
        sheet = page.get_by_role("dialog")
        expect(sheet).to_contain_text("Capsule Coffee Co.", timeout=WAIT)
        found += violations(page, "the payment sheet")
        sheet.get_by_role("button", name="Cancel").click()
        expect(page.get_by_role("dialog")).to_have_count(0, timeout=WAIT)

        page.get_by_role("button", name="Home", exact=True).click()
        page.get_by_label("Search programs").fill("taxi")
        page.locator("#results").get_by_role("button", name=re.compile("^Taxi")).first.click()
        consent = page.get_by_role("dialog")
        expect(consent).to_contain_text("Shows taxis near you", timeout=WAIT)
        found += violations(page, "the consent dialog")
        consent.get_by_role("button", name="Don't allow").click()

        page.get_by_role("button", name="Me", exact=True).click()
        expect(page.locator("#permissions-body")).not_to_have_attribute("aria-busy", "true", timeout=WAIT)
        expect(page.locator("#wallet-body")).not_to_be_empty(timeout=WAIT)
        found += violations(page, "Me")
    finally:
        context.close()
        for scope in ("location.fuzzy", "location.precise"):
            store.reset("carol", TAXI, scope)
    assert found == []
