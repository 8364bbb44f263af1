"""Server errors in the shell's five languages: every code the web host can send has words
in every message file, and the shell shows a refusal (HTTP or socket) in the reader's language."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from capsule.runtime.webhost.language import SUPPORTED

from .conftest import origin_of
from .error_codes import literal_codes, shell_codes

MESSAGES = Path(__file__).resolve().parents[2] / "runtime" / "webhost" / "static" / "i18n"


def messages(language: str) -> dict:
    return json.loads((MESSAGES / f"{language}.json").read_text())


def without_words(codes: set[str], language: str) -> list[str]:
    text = messages(language)
    return sorted(code for code in codes if f"code.{code}" not in text)


def test_every_code_the_server_can_send_has_words_in_every_language() -> None:
    codes = shell_codes()
    # The collector finds codes of each kind of source: a refusal, a socket message, a class, a PIN error.
    assert {"csrf", "wrong-password", "background-limit", "no-session", "limit-exceeded", "invalid-package", "wrong-pin", "weekly-limit", "revoked"} <= codes
    for language in SUPPORTED:
        assert without_words(codes, language) == [], language
    assert without_words(codes | {"a-code-nobody-wrote"}, "de") == ["a-code-nobody-wrote"]  # the check can fail


def test_the_collector_reads_each_way_a_code_is_written() -> None:
    source = '''
problem(400, "one", "m")
raise Refused(401, "two", "m")
invalid("m", "three")
invalid("just a message")
send({"type": "error", "code": "four"})
AccountError("m", code="five")
'''
    assert literal_codes(ast.parse(source)) == {"one", "two", "three", "four", "five"}


def test_an_http_refusal_carries_its_code_and_values(web) -> None:
    from starlette.testclient import TestClient

    from capsule.runtime.webhost.app import create_app

    origin = origin_of(web)
    with TestClient(create_app(web), base_url=origin, headers={"origin": origin}) as client:
        wrong = client.post("/api/signin", json={"name": "nobody-here", "password": "not a password"})
        assert wrong.status_code == 401 and wrong.json()["error"] == "wrong-password" and wrong.json()["params"] == {}
        short = client.post("/api/signup", json={"name": "newcomer", "password": "x", "display": "New"})
        assert short.json()["error"] == "bad-password" and set(short.json()["params"]) == {"min", "max"}
        for key in ("account:nobody-here", "address:testclient"):
            web.throttle.clear(key)


def fill(message: str, **params: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda found: params.get(found.group(1), found.group(0)), message)


@pytest.mark.slow
@pytest.mark.parametrize("language", SUPPORTED)
def test_the_sign_in_page_says_a_refusal_in_the_browsers_language(browser, live, web, language) -> None:
    context = browser.new_context(base_url=live.url, locale=language, viewport={"width": 360, "height": 800})
    page = context.new_page()
    try:
        text = messages(language)
        page.goto("/signin")
        expect(page.locator("body")).to_have_attribute("data-account-ready", "1")
        page.get_by_label(text["account.name"]).fill("nobody-here")
        page.get_by_label(text["account.password"]).fill("not a password")
        page.locator("#signin-form button[type=submit]").click()
        expect(page.locator("#account-error")).to_have_text(text["code.wrong-password"])
        assert page.evaluate("() => [...window.capsuleMissingMessages]") == []
    finally:
        context.close()
        for key in ("account:nobody-here", "address:127.0.0.1"):
            web.throttle.clear(key)


@pytest.mark.slow
@pytest.mark.parametrize("language", ["de", "zh-CN"])
def test_the_shell_fills_a_codes_words_with_its_values_in_the_language(browser, live, web, language) -> None:
    web.languages.set("carol", language)
    context = browser.new_context(base_url=live.url, viewport={"width": 360, "height": 800})
    page = context.new_page()
    try:
        text = messages(language)
        page.goto("/")
        page.locator("#demo-accounts button").filter(has_text="Carol").click()
        expect(page.locator("body")).to_have_attribute("data-ready", "1")
        said = page.evaluate("""async () => {
            const { errorText } = await import(new URL("i18n.js", document.querySelector("script[type=module]").src));
            return [
                errorText({ code: "background-limit", params: { count: 3 }, message: "closed to make room" }),
                errorText({ code: "pin-locked", params: { count: 5, until_at: Date.UTC(2026, 11, 24, 18, 30) }, message: "locked" }),
                errorText({ code: "digest-mismatch", family: "invalid-package", params: {}, message: "the digest differs" }),
                errorText({ code: "a-code-nobody-wrote", params: {}, message: "As the server wrote it." }),
            ];
        }""")
        background = text["code.background-limit"]
        assert said[0] == fill(background["other"], count="3")
        assert said[1].startswith(text["code.pin-locked"].split("{count}")[0]) and "2026" in said[1] and "{until_at}" not in said[1]
        assert said[2] == text["code.invalid-package"]  # a package check's own code falls back to its family's words
        assert said[3] == "As the server wrote it."  # no words for it: the English as sent
    finally:
        context.close()
        web.languages.forget("carol")
