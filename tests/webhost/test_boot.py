"""The shell's first paint: its page carries the config and one language's messages,
its files are served under a versioned address with a long cache, and the first load
fetches only what Home needs (Me, Messages, the menu and the charts load when used)."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from capsule.runtime.webhost.boot import IMMUTABLE, ShellPage, static_digest
from capsule.runtime.webhost.language import pick

from .conftest import signed_in


def boot_of(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="boot">(.*?)</script>', html, re.S)
    assert found, "the page has no boot data"
    return json.loads(found.group(1))


def test_the_browsers_languages_pick_the_first_page_language() -> None:
    assert pick("de-DE,de;q=0.9,en;q=0.8") == "de"
    assert pick("zh-CN,zh;q=0.9") == "zh-CN"
    assert pick("zh-TW") == "zh-CN"  # by base language, as the shell's pickLanguage does
    assert pick("ja, fr;q=0.5, nl;q=0.7") == "nl"  # by weight
    assert pick("tlh, x;q=abc") == "en"
    assert pick("") == "en"


def test_the_page_carries_the_config_and_the_accounts_language(web) -> None:
    with signed_in(web, "carol") as client:
        web.languages.set("carol", "fr")
        try:
            answer = client.get("/", headers={"accept-language": "de-DE"})
            assert answer.headers["cache-control"] == "no-store"  # it holds the sign-in's CSRF token
            html = answer.text
            assert '<html lang="fr">' in html  # the account's choice beats the browser's
            boot = boot_of(html)
            assert boot["config"] == client.get("/api/config").json()
            assert boot["language"] == "fr" and boot["messages"]["tabs.me"] == "Moi"
            assert boot["fallback"] == {}  # French lacks no key: English is not sent at all
        finally:
            web.languages.forget("carol")
        assert '<html lang="de">' in client.get("/", headers={"accept-language": "de-DE"}).text
        assert boot_of(client.get("/", headers={"accept-language": "tlh"}).text)["language"] == "en"


def test_no_text_in_the_boot_data_can_end_its_script_element(tmp_path) -> None:
    static = tmp_path / "static"
    (static / "i18n").mkdir(parents=True)
    (static / "index.html").write_text('<html lang="en"><head><!-- boot --></head></html>')
    for language in ("en", "zh-CN", "nl", "de", "fr"):
        (static / "i18n" / f"{language}.json").write_text(json.dumps({"a": "A"} if language == "en" else {}))
    html = ShellPage(static).render({"display": "</script><script>alert(1)</script>"}, "de")
    assert html.count("</script>") == 1 and "<script>alert" not in html
    boot = boot_of(html)
    assert boot["config"]["display"] == "</script><script>alert(1)</script>"
    assert boot["fallback"] == {"a": "A"}  # what German lacks comes in English


def test_the_shells_files_have_a_versioned_address_cached_for_a_year(web) -> None:
    version = static_digest()
    with signed_in(web, "carol") as client:
        html = client.get("/").text
        assert f'src="/static/v-{version}/shell.js"' in html and 'src="/static/shell.js"' not in html
        cached = client.get(f"/static/v-{version}/i18n.js")
        assert cached.status_code == 200 and cached.headers["cache-control"] == IMMUTABLE
        assert client.get(f"/static/v-{version}/no-such-file.js").status_code == 404
        assert client.get("/static/i18n.js").headers.get("cache-control") != IMMUTABLE  # the plain address revalidates
    with signed_in(web, "carol") as client:
        client.cookies.clear()
        assert client.get("/", follow_redirects=False).status_code == 303  # signed out: no page, no token


_AT_READY = """
new MutationObserver((changes, watch) => {
  if (document.body && document.body.dataset.ready === "1") {
    window.__fetchedAtReady = performance.getEntriesByType("resource").map((entry) => entry.name);
    watch.disconnect();
  }
}).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-ready"] });
"""


@pytest.mark.slow
def test_the_first_load_fetches_only_what_home_needs(browser, live, web) -> None:
    context = browser.new_context(base_url=live.url, locale="de-DE", viewport={"width": 360, "height": 800})
    page = context.new_page()
    try:
        answer = context.request.post(f"{live.url}/api/signin/demo", data={"name": "carol"}, headers={"origin": live.url})
        assert answer.ok
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        # What the page had fetched at the moment it marked itself ready (later fetches are not first paint's).
        page.add_init_script(_AT_READY)
        page.goto("/")
        expect(page.locator("body")).to_have_attribute("data-ready", "1")
        before_ready = page.evaluate("() => window.__fetchedAtReady")
        scripts = [url for url in before_ready if url.endswith(".js")]
        assert not [url for url in before_ready if "/i18n/" in url or url.endswith("/api/config")], before_ready
        for later in ("me.js", "charts.js", "messages.js", "menu.js", "switcher.js", "dev.js"):
            assert not [url for url in scripts if url.endswith(f"/{later}")], later
        assert len(scripts) <= 8, scripts
        expect(page.locator("#tab-me")).to_have_text("Ich")  # German without fetching a message file
        # Me loads its module (and the charts) when opened, and works.
        page.locator("#tab-me").click()
        expect(page.locator("#language")).to_have_value(re.compile("de|en"))
        assert [url for url in asked if url.endswith("/me.js")]
        assert page.evaluate("() => [...window.capsuleMissingMessages]") == []
    finally:
        context.close()
        web.languages.forget("carol")  # the first visit stored German for her
