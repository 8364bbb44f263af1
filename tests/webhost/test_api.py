"""The web host's HTTP API and socket protocol, over the real app, real components and the embedded registry."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from capsule.runtime.capabilities.qr.codes import qr_png
from capsule.runtime.webhost.prompter import PendingPrompt, answer

from ..capabilities.test_media import GPS_IFD, photo_with_gps
from ..conftest import texts
from .conftest import signed_in, socket_url

COFFEE = "dev.capsule.samples.coffee"
TABLE = "dev.capsule.samples.tableorder"
TAXI = "dev.capsule.samples.taxi"
HOMEWORK = "dev.capsule.samples.homework"
ALICE_PIN = "123456"


@pytest.fixture
def client(web):
    with signed_in(web, "alice") as client:
        yield client


class Tab:
    """One browser tab's socket: send messages, read until a message of a type arrives."""

    def __init__(self, socket) -> None:
        self.socket = socket
        self.seen: list[dict] = []

    def send(self, **message) -> None:
        self.socket.send_text(json.dumps(message))

    def until(self, kind: str) -> dict:
        while True:
            message = json.loads(self.socket.receive_text())
            self.seen.append(message)
            if message["type"] == kind:
                return message

    def launch(self, app_id: str, **options) -> tuple[str, dict]:
        self.send(type="launch", app_id=app_id, **options)
        session = self.until("launched")["session"]
        return session, self.until("view")["view"]

    def tap(self, session: str, handler: str, data: dict | None = None, page: str = "") -> None:
        self.send(type="event", session=session, page=page, handler=handler, data=data or {})


@pytest.fixture
def tab(client):
    with client.websocket_connect(socket_url(client)) as socket:
        yield Tab(socket)


def test_every_answer_carries_a_strict_content_security_policy(client) -> None:
    for path in ("/", "/api/config", "/static/shell.css"):
        policy = client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in policy and "object-src 'none'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    icon = client.get(f"/api/apps/{COFFEE}/icon")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert "sandbox" in icon.headers["content-security-policy"]


def test_package_files_are_only_assets_of_an_installed_program(client) -> None:
    assert client.get(f"/api/apps/{COFFEE}/assets/icon.svg").status_code == 200
    for path in ("../manifest.json", "..%2Fmanifest.json", ".hidden", "nothing.png"):
        assert client.get(f"/api/apps/{COFFEE}/assets/{path}").status_code == 404
    assert client.get("/api/apps/com.example.unknown/icon").status_code == 404


def test_search_finds_live_programs_with_what_they_ask_for(client) -> None:
    found = client.get("/api/search", params={"q": "cofee"}).json()
    coffee = found["results"][0]
    assert coffee["app_id"] == COFFEE and coffee["icon"] == f"/api/apps/{COFFEE}/icon"
    assert coffee["permissions"] == [
        {"scope": "payments", "reason": "To pay for the coffee you order."},
        {"scope": "network", "reason": "The shop's server hears of each payment."},
        {"scope": "messages", "reason": "To tell you when your coffee is ready."},
    ]
    assert "food" in found["categories"]
    everything = client.get("/api/search").json()["results"]
    assert {COFFEE, TABLE, TAXI, HOMEWORK} <= {hit["app_id"] for hit in everything}
    transport = client.get("/api/search", params={"category": "transport"}).json()["results"]
    assert [hit["app_id"] for hit in transport] == [TAXI]
    assert client.get("/api/search", params={"q": "咖啡"}).json()["results"][0]["app_id"] == COFFEE
    assert client.get("/api/search", params={"limit": "0"}).status_code == 400


def test_the_user_is_the_signed_in_account_and_no_request_can_switch_it(client) -> None:
    assert client.get("/api/config").json()["user"] == "alice"
    # The old user switcher is gone, and a cookie a page could set picks nobody.
    assert client.post("/api/user", json={"user": "bob"}).status_code in (404, 405)
    client.cookies.set("capsule_user", "bob")
    assert client.get("/api/config").json()["user"] == "alice"


def pin_of_alice(web) -> str:
    """alice's payment PIN in the shared web host, set on first use."""
    pins = web.host.capabilities["payments"].pins
    if not pins.status("alice").is_set:
        pins.set("alice", ALICE_PIN)
    return ALICE_PIN


def test_pay_for_a_flat_white_through_the_payment_sheet(client, tab, web) -> None:
    pin = pin_of_alice(web)
    before = client.get("/api/me/wallet").json()["balances"]["CNY"]
    session, view = tab.launch(COFFEE)
    tab.tap(session, "add", {"item": "flat-white"})
    tab.until("view")
    tab.tap(session, "checkout")
    sheet = tab.until("prompt")
    assert sheet["kind"] == "confirm" and sheet["sheet"] == "payment" and sheet["confirm_label"] == "Pay"
    # Amounts travel as numbers, so the shell formats every price one way.
    assert sheet["amount"] == {"amount": 1250, "currency": "CNY"} and sheet["secret"] == "pin"
    details = dict(sheet["details"])
    assert details["To"] == "Capsule Coffee Co." and details["Amount"] == {"amount": 1250, "currency": "CNY"}
    assert "Flat white" in details["Description"] and "Your balance" in details
    # A yes without the PIN pays nothing; a wrong PIN brings the sheet back saying so.
    tab.send(type="answer", prompt=sheet["prompt"], value=True, secret="999999" if pin != "999999" else "999998")
    again = tab.until("prompt")
    assert again["problem"].startswith("Wrong PIN.") and again["secret"] == "pin"
    tab.send(type="answer", prompt=again["prompt"], value=True, secret=pin)
    receipt = tab.until("view")["view"]
    assert "Paid" in texts(receipt) and any(t.startswith("Transaction tx_") for t in texts(receipt))
    wallet = client.get("/api/me/wallet").json()
    assert wallet["balances"]["CNY"] == before - 1250
    assert wallet["statement"][0]["amount"] == -1250 and wallet["statement"][0]["app_name"] == "Coffee Shop"
    assert not any(pin in json.dumps(message) for message in tab.seen)  # the PIN never comes back


def test_a_yes_without_the_pin_pays_nothing(client, tab, web) -> None:
    pin_of_alice(web)
    before = client.get("/api/me/wallet").json()["balances"]["CNY"]
    session, _ = tab.launch(COFFEE)
    tab.tap(session, "add", {"item": "espresso"})
    tab.until("view")
    tab.tap(session, "checkout")
    tab.send(type="answer", prompt=tab.until("prompt")["prompt"], value=True)
    assert "Payment cancelled." in texts(tab.until("view")["view"])
    assert client.get("/api/me/wallet").json()["balances"]["CNY"] == before


def test_the_pin_on_me_set_change_lock_and_no_pin_amount(web) -> None:
    with signed_in(web, "carol") as client:
        pin_on_me(client, web)


def pin_on_me(client, web) -> None:
    try:
        status = client.get("/api/me/pin").json()
        if not status["set"]:
            short = client.post("/api/me/pin/set", json={"pin": "12345"}).json()
            assert short["error"] == "pin-format" and short["params"] == {"digits": 6}
            assert client.post("/api/me/pin/set", json={"pin": "112233"}).json()["set"] is True
        # A cross-site form can send only text/plain: refused before anything is read.
        assert client.post("/api/me/pin/set", content=b'{"pin": "000000"}', headers={"content-type": "text/plain"}).status_code == 415
        assert client.post("/api/me/pin/set", json={"pin": "445566"}).json()["error"] == "pin-already-set"
        wrong = client.post("/api/me/pin/set", json={"pin": "445566", "old_pin": "000000"})
        assert wrong.status_code == 403 and wrong.json()["tries_left"] == 4
        # The code and its values: the shell says "4 tries left" in the account's language.
        assert wrong.json()["error"] == "wrong-pin" and wrong.json()["params"] == {"count": 4, "minutes": 15}
        assert client.post("/api/me/pin/set", json={"pin": "445566", "old_pin": "112233"}).status_code == 200
        free = client.post("/api/me/pin/no-pin-below", json={"currency": "CNY", "amount": 2000, "pin": "445566"})
        assert free.json()["no_pin_below"] == {"CNY": 2000}
        for _ in range(4):
            assert client.post("/api/me/pin/set", json={"pin": "778899", "old_pin": "000000"}).status_code == 403
        locked = client.post("/api/me/pin/set", json={"pin": "778899", "old_pin": "000000"})
        assert locked.status_code == 423 and "until" in locked.json()["message"]
        assert locked.json()["params"] == {"count": 5, "until_at": locked.json()["locked_until"]}
        assert client.get("/api/me/pin").json()["locked_until"] == locked.json()["locked_until"]
        assert "445566" not in client.get("/api/me/pin").text
    finally:
        pins = web.host.capabilities["payments"].pins
        with pins.database.transaction() as db:  # leave carol as the other tests expect her
            from capsule.runtime.capabilities.payments.pin import pin_free, pins as pin_rows

            db.execute(pin_rows.delete().where(pin_rows.c.user == "carol"))
            db.execute(pin_free.delete().where(pin_free.c.user == "carol"))


def test_cancelling_the_sheet_charges_nothing(client, tab) -> None:
    before = client.get("/api/me/wallet").json()["balances"]["CNY"]
    session, _ = tab.launch(COFFEE)
    tab.tap(session, "add", {"item": "espresso"})
    tab.until("view")
    tab.tap(session, "checkout")
    tab.send(type="answer", prompt=tab.until("prompt")["prompt"], value=False)
    assert "Payment cancelled." in texts(tab.until("view")["view"])
    assert client.get("/api/me/wallet").json()["balances"]["CNY"] == before


def test_bad_messages_get_an_error_and_the_socket_goes_on(tab) -> None:
    tab.socket.send_text("not json")
    assert "not JSON" in tab.until("error")["message"]
    tab.send(type="teleport")
    assert "unknown message type" in tab.until("error")["message"]
    tab.send(type="event", session="nope", handler="x", page="", data={})
    assert tab.until("ended")["code"] == "no-session"
    tab.send(type="event", session="nope", handler="x", data=[1])
    assert "data" in tab.until("error")["message"]
    tab.send(type="launch", app_id="com.example.missing")
    assert tab.until("error")["code"] == "not-found"
    session, view = tab.launch(TABLE, query={"table": "3"})
    assert "Table 3" in texts(view)


def test_an_answer_counts_only_from_the_user_who_was_asked() -> None:
    pending = {"p": PendingPrompt("p", "s", "alice", "consent")}
    assert not answer(pending, "p", True, user="bob")
    assert answer(pending, "p", True, user="alice") and pending["p"].answer is True
    assert not answer(pending, "p", False, user="alice")  # answered already


def test_scanning_a_table_code_opens_the_ordering_program_at_that_table(client, tab) -> None:
    address = f"capsule://{TABLE}/menu?table=12"
    scanned = client.post("/api/scan", files={"image": ("table.png", qr_png(address, 300), "image/png")}).json()
    assert scanned["text"] == address and scanned["target"]["app_id"] == TABLE and scanned["target"]["params"] == {"table": "12"}
    tab.send(type="open", address=scanned["text"])
    assert tab.until("launched")["app_id"] == TABLE
    assert "Table 12" in texts(tab.until("view")["view"])


def test_scan_refuses_what_is_not_a_code(client) -> None:
    assert client.post("/api/scan", files={"image": ("x.png", b"not an image", "image/png")}).status_code == 422
    blank = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(blank, "PNG")
    assert client.post("/api/scan", files={"image": ("blank.png", blank.getvalue(), "image/png")}).json()["error"] == "no-code"
    assert client.post("/api/scan", data={"other": "x"}).status_code == 400


def test_a_picked_photo_is_uploaded_without_its_position_and_listed_on_me(client, tab, tmp_path) -> None:
    session, _ = tab.launch(HOMEWORK)
    tab.tap(session, "choose")
    prompt = tab.until("prompt")
    assert prompt["kind"] == "pick" and prompt["pick"] == "image"
    photo = photo_with_gps(tmp_path / "homework.jpg")
    assert client.post("/api/prompts/not-a-prompt/files", files={"files": ("a.jpg", b"x", "image/jpeg")}).status_code == 404
    sent = client.post(f"/api/prompts/{prompt['prompt']}/files", files={"files": ("homework.jpg", photo.read_bytes(), "image/jpeg")})
    assert sent.status_code == 200
    view = tab.until("view")["view"]
    address = next(t for t in texts(view) if t.startswith("Address: ")).removeprefix("Address: ")
    stored = client.get(address)
    assert stored.status_code == 200 and not Image.open(io.BytesIO(stored.content)).getexif().get_ifd(GPS_IFD)
    uploads = client.get("/api/me/media").json()["items"]
    assert uploads[0]["url"] == address and uploads[0]["app_name"] == "Homework"


def test_revoking_on_me_refuses_the_next_call_of_a_live_session(client, tab) -> None:
    tab.send(type="launch", app_id=TAXI)
    consent = tab.until("prompt")
    assert consent["kind"] == "consent" and consent["scope"] == "location.fuzzy"
    assert consent["reason"] == "Shows taxis near you; your exact position only when you book."
    tab.send(type="answer", prompt=consent["prompt"], value=True)
    session = tab.until("launched")["session"]
    assert any(t.startswith("Pickup area") for t in texts(tab.until("view")["view"]))

    held = client.get("/api/me/permissions").json()["apps"]
    taxi = next(app for app in held if app["app_id"] == TAXI)
    assert {"scope": "location.fuzzy", "state": "granted"}.items() <= taxi["grants"][0].items()
    assert client.post("/api/me/permissions/revoke", json={"app_id": TAXI, "scope": "location.fuzzy"}).status_code == 200

    tab.tap(session, "refresh")
    view = tab.until("view")["view"]
    assert "Without your area we cannot show taxis nearby." in texts(view)
    assert not [m for m in tab.seen if m["type"] == "prompt" and m["prompt"] != consent["prompt"]]
    activity = client.get("/api/me/audit", params={"app_id": TAXI}).json()["entries"]
    assert activity[0]["decision"] != "ok" and activity[1]["decision"] == "ok"
    assert client.post("/api/me/permissions/revoke", json={"app_id": TAXI}).status_code == 400
