"""The Messages tab, Me's messages section and the contact picker: the API and Chromium.

A web host of its own, with the messages probe live in its registry; the
merchant API is the host's own `/merchant`, called as a merchant server would.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from capsule.runtime import Home, PolicyPrompter
from capsule.runtime.capabilities.qr.codes import qr_png
from capsule.runtime.prompter import Choice
from capsule.runtime.webhost import WebHost, open_web_host
from capsule.runtime.webhost.server import BackgroundServer, free_port

from ..messages.conftest import PROBE, PROBE_ID

pytestmark = pytest.mark.slow
from .conftest import origin_of, signed_in


@pytest.fixture(scope="module")
def mweb(home: Home, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebHost]:
    port = free_port()
    web_home = home.sharing_caches(tmp_path_factory.mktemp("messages-web"))
    host = open_web_host(web_home, url=f"http://127.0.0.1:{port}", samples=[PROBE], demo=True)
    host.test_port = port  # type: ignore[attr-defined]
    yield host
    host.close()


@pytest.fixture(scope="module")
def mlive(mweb: WebHost) -> Iterator[BackgroundServer]:
    with BackgroundServer(mweb, mweb.test_port) as server:  # type: ignore[attr-defined]
        yield server


@pytest.fixture(scope="module")
def merchant(mweb: WebHost, mlive: BackgroundServer) -> Iterator[httpx.Client]:
    """The probe's merchant server, with a key its owner (the dev account that published it) made at the registry."""
    from capsule.runtime.registry.client import Credentials

    owner = mweb.registry.authenticate(f"Bearer {Credentials.load(mweb.host.home, f'{mlive.url}/registry').token}")
    secret = mweb.registry.create_merchant_key(owner, PROBE_ID, "tests")["key"]
    with httpx.Client(base_url=f"{mlive.url}/merchant", headers={"Authorization": f"Bearer {secret}"}) as client:
        yield client


def user_id(web: WebHost, user: str, **prompter) -> str:
    """Launch the probe for `user` on the server side and return its id for them."""
    session = web.host.launch(PROBE_ID, user=user, prompter=PolicyPrompter(**prompter))
    try:
        session.dispatch("whoami")
        return str(session.view["children"][0]["text"]).strip('"')
    finally:
        session.close()


def subscribe(web: WebHost, user: str) -> None:
    session = web.host.launch(PROBE_ID, user=user, prompter=PolicyPrompter(confirms={"subscribe": Choice("always")}))
    try:
        session.dispatch("subscribe", {"templates": ["order-ready"]})
    finally:
        session.close()


ORDER = {"template_id": "order-ready", "fields": {"order": "A17", "total": "1250 CNY", "note": "<img src=x onerror=alert(1)>"},
         "page": "receipt", "params": {"order": "A17"}}


# -- the API -------------------------------------------------------------------------------


def test_inbox_routes_need_a_sign_in_and_the_hosts_own_pages(mweb: WebHost) -> None:
    from starlette.testclient import TestClient

    from capsule.runtime.webhost.app import create_app

    origin = origin_of(mweb)
    with TestClient(create_app(mweb), base_url=origin) as anonymous:
        for path in ("/api/messages/threads", "/api/messages/thread?thread=contact:bob", "/api/me/messages", "/api/me/contact-code.svg"):
            assert anonymous.get(path).status_code == 401, path
    with signed_in(mweb, "alice") as alice:
        foreign = {"origin": "https://evil.example", "sec-fetch-site": "cross-site"}
        for path, body in [
            ("/api/messages/send", {"thread": "contact:bob", "text": "hi"}),
            ("/api/messages/program", {"app_id": PROBE_ID, "action": "unfollow"}),
            ("/api/me/messages/revoke", {"app_id": PROBE_ID, "template_id": "order-ready"}),
            ("/api/contacts/request", {"code": "capsule-contact:x"}),
            ("/api/contacts/answer", {"user": "bob", "accept": True}),
        ]:
            assert alice.post(path, json=body, headers=foreign).status_code == 403, path
            no_csrf = alice.post(path, json=body, headers={"x-capsule-csrf": "wrong"})
            assert no_csrf.status_code == 403, path
        stranger = alice.post("/api/messages/send", json={"thread": "contact:mallory", "text": "hi"})
        assert stranger.status_code == 403 and stranger.json()["error"] == "not-contacts"
        own = alice.get("/api/me/messages").json()["code"]
        assert alice.post("/api/contacts/request", json={"code": own}).json()["error"] == "own-code"
        assert alice.post("/api/contacts/request", json={"code": "capsule-contact:nobody"}).status_code == 404


def test_the_web_host_serves_the_merchant_api_to_servers_only(mweb: WebHost) -> None:
    """Mounted at /merchant: the Host check applies, browsers are refused, a key is needed."""
    from starlette.testclient import TestClient

    from capsule.runtime.webhost.app import create_app

    with TestClient(create_app(mweb), base_url=origin_of(mweb)) as client:
        assert client.get("/merchant/openapi.json").json()["info"]["title"].startswith("Capsule merchant")
        keyless = client.post("/merchant/v1/updates", json={"title": "x"})
        assert keyless.status_code == 401 and keyless.json()["error"] == "no-key"
        own_page = client.post("/merchant/v1/updates", json={"title": "x"}, headers={"Origin": origin_of(mweb)})
        assert own_page.status_code == 403 and own_page.json()["error"] == "browser-origin"
        rebound = client.post("/merchant/v1/updates", json={"title": "x"}, headers={"Host": "evil.example"})
        assert rebound.status_code == 400 and rebound.json()["error"] == "unknown-host"


# -- Chromium --------------------------------------------------------------------------------


@pytest.fixture
def browser_page(browser, mlive) -> Iterator[Page]:
    context = browser.new_context(base_url=mlive.url, viewport={"width": 480, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


def open_shell(page: Page, user: str) -> None:
    page.goto("/")
    page.get_by_role("button", name=f"Sign in as {user.capitalize()}").click()
    expect(page.locator("body")).to_have_attribute("data-ready", "1")


def test_a_message_arrives_live_and_its_card_opens_the_program_at_its_page(browser_page: Page, mweb, merchant) -> None:
    page = browser_page
    carol = user_id(mweb, "carol")
    subscribe(mweb, "carol")
    open_shell(page, "carol")
    page.locator("#tab-messages").click()
    sent = merchant.post("/v1/messages", json={**ORDER, "user_id": carol})
    assert sent.status_code == 202, sent.text
    # Live: the badge and the thread list update without a reload.
    expect(page.locator("#messages-badge")).to_have_text("1")
    thread = page.locator("#threads").get_by_role("button", name=re.compile("Messages probe"))
    expect(thread).to_contain_text("Your order is ready")
    thread.click()
    card = page.locator(".message-card")
    expect(card).to_contain_text("<img src=x onerror=alert(1)>")  # the merchant's text, shown as text
    expect(page.locator("#messages-badge")).to_be_hidden()
    card.click()
    expect(page.locator("[data-session]").get_by_text("receipt A17")).to_be_visible()


def test_a_chat_message_and_the_merchants_reply(browser_page: Page, mweb, merchant) -> None:
    page = browser_page
    alice = user_id(mweb, "alice")
    open_shell(page, "alice")
    page.get_by_label("Search programs").fill("messages probe")
    page.locator("#results").get_by_role("button", name=re.compile("^Messages probe")).first.click()
    page.locator("[data-session]").get_by_role("button", name="Customer service").click()
    heading = page.locator(".thread-heading")
    expect(heading).to_have_text("Messages probe")  # the program opened its chat in the Messages tab
    window = page.locator("#chat-window")
    if mweb.messages.reply_until("alice", PROBE_ID) is None:  # alice has not written in an earlier test
        expect(window).to_have_attribute("data-open", "false")
        expect(window).to_have_text("Messages probe can reply only within 48 hours of your last message: write to let it answer.")
    page.get_by_label("Message", exact=True).fill("Is my oat latte ready?")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".message-out")).to_contain_text("Is my oat latte ready?")
    # The thread now says until when the shop may answer: 48 hours from the message just sent.
    expect(window).to_have_attribute("data-open", "true")
    until = mweb.messages.reply_until("alice", PROBE_ID)
    assert until is not None and until - time.time() > 47.9 * 3600
    assert abs(float(window.get_attribute("data-reply-until") or 0) - until) < 0.01
    expect(window).to_contain_text("Messages probe can reply here until")
    chats = merchant.get("/v1/chats").json()["messages"]
    assert chats[-1]["user_id"] == alice and chats[-1]["text"] == "Is my oat latte ready?"
    assert merchant.post(f"/v1/chats/{alice}/replies", json={"text": "Two minutes!"}).status_code == 202
    expect(page.locator(".message-in").last).to_contain_text("Two minutes!")


def test_the_reply_window_shows_closed_after_48_hours_and_a_late_reply_is_refused_by_name(
    browser_page: Page, mweb, merchant
) -> None:
    """Bob wrote 49 hours ago (the store's clock moved back for his chat): the shop may not answer,
    the thread says so in his language, and the merchant's reply is refused as chat-closed."""
    import sqlalchemy as sa

    from capsule.runtime.capabilities.messages import tables

    page = browser_page
    bob = user_id(mweb, "bob")
    mweb.messages.user_chat("bob", PROBE_ID, "Do you have oat milk?")
    with mweb.messages.database.transaction() as conn:
        conn.execute(
            tables.chats.update().where(tables.chats.c.app_id == PROBE_ID, tables.chats.c.user == "bob")
            .values(last_user_message=time.time() - 49 * 3600)
        )
    late = merchant.post(f"/v1/chats/{bob}/replies", json={"text": "Yes!"})
    assert late.status_code == 403 and late.json()["error"] == "chat-closed", late.text
    assert "within 48 hours" in late.json()["message"]
    mweb.languages.set("bob", "de")  # the line is in the account's language
    try:
        open_shell(page, "bob")
        page.locator("#tab-messages").click()
        page.locator("#threads").get_by_role("button", name=re.compile("Messages probe")).click()
        window = page.locator("#chat-window")
        expect(window).to_have_attribute("data-open", "false")
        expect(window).to_have_text(
            "Messages probe kann nur innerhalb von 48 Stunden nach deiner letzten Nachricht antworten: "
            "schreib, damit es antworten kann."
        )
        expect(page.locator(".message-out")).to_contain_text("Do you have oat milk?")
        assert page.locator(".message-in").filter(has_text="Yes!").count() == 0
    finally:
        mweb.languages.forget("bob")


def test_contact_by_qr_then_share_to_that_contact(browser, mlive, mweb, tmp_path: Path) -> None:
    alice_context = browser.new_context(base_url=mlive.url, viewport={"width": 480, "height": 900})
    bob_context = browser.new_context(base_url=mlive.url, viewport={"width": 480, "height": 900})
    try:
        alice, bob = alice_context.new_page(), bob_context.new_page()
        open_shell(bob, "bob")
        open_shell(alice, "alice")
        # Alice scans Bob's personal code (from his Me page).
        bob.get_by_role("button", name="Me", exact=True).click()
        expect(bob.get_by_role("img", name="Your contact QR code")).to_be_visible()
        code = bob.evaluate("fetch('/api/me/messages').then(r => r.json()).then(d => d.code)")
        image = tmp_path / "bob.png"
        image.write_bytes(qr_png(code, 320))
        with alice.expect_file_chooser() as chooser:
            alice.get_by_role("button", name="Scan a QR code").click()
        chooser.value.set_files(str(image))
        expect(alice.locator("#toasts")).to_contain_text("Contact request sent to Bob")
        # Bob accepts on Me: both are contacts.
        bob.get_by_role("button", name="Refresh").click()
        bob.locator("[data-request='alice']").get_by_role("button", name="Accept").click()
        expect(bob.locator("[data-contact='alice']")).to_be_visible()
        assert mweb.messages.contacts("alice") == ["bob"]
        # Alice shares the probe's receipt page to Bob through the host's contact picker.
        alice.get_by_label("Search programs").fill("messages probe")
        alice.locator("#results").get_by_role("button", name=re.compile("^Messages probe")).first.click()
        alice.locator("[data-session]").get_by_role("button", name="Share the receipt").click()
        picker = alice.get_by_role("dialog")
        expect(picker).to_contain_text("My receipt")
        picker.get_by_role("button", name="bob").click()
        expect(alice.locator("[data-session]").get_by_text("true")).to_be_visible()
        # Bob's badge counts it live; the card opens the program at the shared page.
        bob.locator("#tab-messages").click()
        bob.locator("#threads").get_by_role("button", name=re.compile("Alice")).click()
        bob.locator(".message-card").click()
        expect(bob.locator("[data-session]").get_by_text("receipt A17")).to_be_visible()
    finally:
        alice_context.close()
        bob_context.close()


def test_the_demo_coffee_shop_says_the_order_is_ready_and_the_message_opens_the_receipt(page: Page, web) -> None:
    """The `web` host is a demo with the coffee shop: its merchant server runs beside it."""
    from .test_api import pin_of_alice

    assert any(type(c).__name__ == "CoffeeMerchant" for c in web.companions)
    pin = pin_of_alice(web)
    open_shell(page, "alice")
    page.get_by_label("Search programs").fill("coffee")
    page.locator("#results").get_by_role("button", name=re.compile("^Coffee Shop")).first.click()
    shop = page.locator("[data-session]")
    shop.get_by_role("button", name="Add").first.click()
    shop.get_by_role("button", name="Check out").click()
    sheet = page.get_by_role("dialog")
    sheet.get_by_label("Payment PIN").fill(pin)
    sheet.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(shop.get_by_text("Paid", exact=True)).to_be_visible()
    shop.get_by_role("button", name="Tell me when it's ready").click()
    subscribe_sheet = page.get_by_role("dialog")
    expect(subscribe_sheet).to_contain_text("So you know when to collect your coffee.")
    subscribe_sheet.get_by_role("button", name="Allow once").click()
    expect(shop.get_by_text("We will message you when it is ready.")).to_be_visible()
    # The merchant server heard of the payment and, a moment later, sends the message.
    expect(page.locator("#messages-badge")).to_have_text(re.compile(r"^[1-9]"), timeout=20_000)
    page.locator("#tab-messages").click()
    page.locator("#threads").get_by_role("button", name=re.compile("Coffee Shop")).click()
    card = page.locator(".message-card").last
    expect(card).to_contain_text("Your order is ready")
    card.click()
    expect(page.locator("[data-session]").get_by_text("Your order is ready", exact=True)).to_be_visible()


# A receipt's total and a message's time in the reader's language.
RECEIPT_FORMS = {
    "de": (re.compile(r"^12,50\s?CN¥$"), re.compile(r"\d{1,2}\.\s?(?:\d{1,2}\.|\w+\.? )\d{4}")),
    "zh-CN": (re.compile(r"^¥12\.50$"), re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")),
}


@pytest.mark.parametrize("language", sorted(RECEIPT_FORMS))
def test_a_receipts_money_and_time_follow_the_readers_language(browser_page: Page, mweb, merchant, language) -> None:
    money, when = RECEIPT_FORMS[language]
    page = browser_page
    bob = user_id(mweb, "bob")
    subscribe(mweb, "bob")
    mweb.languages.set("bob", language)
    try:
        sent = merchant.post("/v1/messages", json={**ORDER, "user_id": bob})
        assert sent.status_code == 202, sent.text
        page.goto("/")
        page.locator("#demo-accounts button", has_text="Bob").click()
        expect(page.locator("body")).to_have_attribute("data-ready", "1")
        page.locator("#tab-messages").click()
        page.locator("#threads button").first.click()
        card = page.locator(".message-card").last
        total = card.locator(".card-fields div", has_text="total").locator("dd")
        expect(total).to_have_text(money)
        expect(card.locator(".card-fields div", has_text="order").locator("dd")).to_have_text("A17")  # text as sent
        expect(page.locator(".message-time").last).to_have_text(when)
    finally:
        mweb.languages.forget("bob")


def test_revoking_on_me_refuses_the_next_send_and_a_muted_program_does_not_count(
    browser_page: Page, mweb, merchant
) -> None:
    """Bob allowed the probe's message always; on Me he revokes it, and the merchant's next send
    is refused. He mutes the program: its next service update arrives without raising the badge."""
    page = browser_page
    bob = user_id(mweb, "bob")
    subscribe(mweb, "bob")
    mweb.messages.follow("bob", PROBE_ID)
    try:
        open_shell(page, "bob")
        page.locator("#tab-me").click()
        row = page.locator(f'[data-subscription="{PROBE_ID}/order-ready"]')
        expect(row).to_contain_text("always")
        row.get_by_role("button", name="Revoke").click()
        expect(row).to_have_count(0)
        refused = merchant.post("/v1/messages", json={**ORDER, "user_id": bob})
        assert refused.status_code == 403 and refused.json()["error"] == "not-subscribed"

        assert merchant.post("/v1/updates", json={"title": "First news"}).status_code == 202
        page.locator("#tab-messages").click()
        page.locator("#threads").get_by_role("button", name=re.compile("Messages probe")).click()
        page.locator(".thread-actions").get_by_role("button", name="Mute").click()
        expect(page.locator("#threads")).to_contain_text("Muted")
        page.locator("#tab-me").click()
        before = mweb.messages.unread("bob")
        assert merchant.post("/v1/updates", json={"title": "Quiet news"}).status_code == 202
        expect(page.locator("#toasts")).to_contain_text("Quiet news")  # it arrived live...
        assert mweb.messages.unread("bob") == before  # ...and counts for nothing
        badge = page.locator("#messages-badge")
        expect(badge).to_be_hidden() if before == 0 else expect(badge).to_have_text(str(before))
    finally:
        mweb.messages.set_muted("bob", PROBE_ID, False)
        mweb.messages.unfollow("bob", PROBE_ID)
        mweb.messages.mark_read("bob", f"program:{PROBE_ID}")


def test_me_shows_each_send_to_the_user_and_their_subscription_beside_the_programs_calls(mweb, merchant) -> None:
    carol = user_id(mweb, "carol")
    subscribe(mweb, "carol")
    sent = merchant.post("/v1/messages", json={**ORDER, "user_id": carol})
    assert sent.status_code == 202, sent.text
    with signed_in(mweb, "carol") as client:  # the last test here: her new message changes no other
        entries = client.get("/api/me/audit", params={"app_id": PROBE_ID}).json()["entries"]
    messages = [entry for entry in entries if entry["capability"] == "messages"]
    assert {"subscribe", "send"} <= {entry["function"] for entry in messages}
    assert any(entry["function"] == "send" and entry["decision"] == "ok" and entry["bytes_out"] > 0 for entry in messages)
    assert any(entry["capability"] != "messages" for entry in entries)  # the program's own calls are there too
    assert [entry["at"] for entry in entries] == sorted((entry["at"] for entry in entries), reverse=True)
