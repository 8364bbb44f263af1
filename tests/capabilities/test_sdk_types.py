"""Every SDK call returns a typed value: frozen dataclasses with the WIT record's fields, StrEnum members.

The `typed` program calls one SDK function per event on the real runtime and
shows what came back: the type, and each field's type and value. Record
fields are checked against `sdk/wit/capsule-app.wit` itself, so a field added
to the contract and forgotten in the SDK fails here.
"""

from __future__ import annotations

import base64
import json
import re

import httpx
import pytest

from capsule.runtime import Host, PolicyPrompter
from capsule.runtime.capabilities.network.host import NetworkCapability
from capsule.runtime.capabilities.qr import codes
from capsule.sdk import WIT_DIR
from capsule.sdk.toolchain.build import BuildResult, build_program

from ..conftest import PROGRAMS, texts
from .test_media import photo_with_gps

pytestmark = pytest.mark.slow

TYPED = PROGRAMS / "typed"
APP = "dev.capsule.tests.typed"
SDK_TYPES = "capsule_sdk.types"

#: Python types a WIT scalar arrives as.
SCALARS = {"string": "str", "u16": "int", "u32": "int", "u64": "int", "f64": "float", "bool": "bool"}
#: WIT enums the records use, and the SDK enum each becomes.
ENUMS = {"datum": "Datum", "precision": "Precision", "order-state": "OrderState", "code-format": "CodeFormat"}


def wit_records() -> dict[str, list[tuple[str, str]]]:
    """Every record of the contract: name -> [(field, WIT type)], in order."""
    text = re.sub(r"//[^\n]*", "", (WIT_DIR / "capsule-app.wit").read_text())
    records = {}
    for name, body in re.findall(r"record\s+([\w-]+)\s*\{(.*?)\}", text, re.S):
        pairs = [part.split(":", 1) for part in body.split(",") if part.strip()]
        records[name] = [(field.strip(), kind.strip()) for field, kind in pairs]
    return records


RECORDS = wit_records()


def assert_record(shown: dict, wit_name: str, **special: str) -> dict:
    """`shown` is the SDK's dataclass for WIT record `wit_name`: same fields in order, each of its type.

    `special` gives the Python type of fields whose WIT type is a list. Returns the fields.
    """
    assert shown["module"] == SDK_TYPES and shown["frozen"] is True, shown
    expected = RECORDS[wit_name]
    fields = shown["fields"]
    assert list(fields) == [name.replace("-", "_") for name, _ in expected]
    for name, kind in expected:
        got = fields[name.replace("-", "_")]
        if kind in SCALARS:
            assert got["type"] == SCALARS[kind], (name, got)
        elif kind in ENUMS:
            assert got["type"] == ENUMS[kind] and got["module"] == SDK_TYPES and got["is_str"], (name, got)
            assert got["str"] == got["value"] and got["name"] == got["value"].upper().replace("-", "_")
        else:
            assert got["type"] == special[name.replace("-", "_")], (name, got)
    return fields


def values(fields: dict) -> dict:
    """Field name -> plain value (enums: their value)."""
    return {name: got.get("value") for name, got in fields.items()}


@pytest.fixture(scope="session")
def typed(home, tmp_path_factory) -> BuildResult:
    return build_program(TYPED, home=home, out_dir=tmp_path_factory.mktemp("typed"))


@pytest.fixture
def prompter() -> PolicyPrompter:
    return PolicyPrompter(default=True, pin="123456")  # payments ask for a PIN (chosen at the first one)


@pytest.fixture
def host(home, typed: BuildResult, prompter: PolicyPrompter, tmp_path, monkeypatch):
    monkeypatch.setenv("CAPSULE_LOCATION", "52.3731,4.8922")

    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, text="menu", headers=[("x-dish", "soup"), ("x-dish", "bread")])

    network = NetworkCapability(
        resolver=lambda name, port: {"api.example.com": ["93.184.216.34"]}.get(name, []),
        transport=httpx.MockTransport(server),
    )
    database_url = f"sqlite:///{tmp_path / 'typed.db'}"
    h = Host(home, prompter=prompter, database_url=database_url, capabilities={"network": network})
    h.install(typed.package)
    yield h
    h.close()


def run(session, call: str, **data) -> dict:
    """What `call` returned, described by the program; fails the test on an error."""
    session.dispatch("run", {"call": call, **data})
    (text,) = texts(session.view)
    assert not text.startswith("error"), text
    return json.loads(text)


def error(session, call: str, **data) -> str:
    session.dispatch("run", {"call": call, **data})
    (text,) = texts(session.view)
    assert text.startswith("error"), text
    return text


def test_location_returns_a_position_with_string_enums(host: Host):
    session = host.launch(APP, user="alice")
    shown = run(session, "location.get_position", precise=True, datum="gcj02")
    assert shown["type"] == "Position"
    fields = assert_record(shown, "position")
    got = values(fields)
    assert (got["latitude"], got["longitude"], got["datum"], got["precision"]) == (52.3731, 4.8922, "gcj02", "precise")
    assert got["accuracy_meters"] > 0 and got["measured_at"] > 1_700_000_000_000  # milliseconds, not seconds
    fuzzy = values(run(session, "location.get_position", datum="WGS84")["fields"])
    assert (fuzzy["precision"], fuzzy["datum"]) == ("fuzzy", "wgs84") and fuzzy["accuracy_meters"] >= 1000


def test_an_unknown_enum_value_is_invalid_argument_naming_the_choices(host: Host):
    session = host.launch(APP, user="alice")
    assert error(session, "location.get_position", datum="mars") == (
        "error InvalidArgument: datum must be one of wgs84, gcj02; got 'mars'"
    )
    long = error(session, "location.get_position", datum="x" * 5000)
    assert long.startswith("error InvalidArgument: datum must be one of") and len(long) < 150
    assert error(session, "location.get_position", datum=7).endswith("got a value of type int")
    assert error(session, "ui.toast", kind="__class__") == (
        "error InvalidArgument: kind must be one of info, success, warning, error; got '__class__'"
    )
    assert error(session, "qr.make_code", fmt="gif").startswith("error InvalidArgument: fmt must be one of png, svg")
    assert error(session, "media.pick", kind="audio").startswith(
        "error InvalidArgument: kind must be one of image, video, any"
    )
    assert session.alive  # a wrong argument is an error the program catches, not the end of the session


def test_profile_and_storage(host: Host):
    session = host.launch(APP, user="alice")
    assert run(session, "profile.user_id")["type"] == "str"
    shown = run(session, "profile.get_profile")
    assert shown["type"] == "UserProfile"
    assert values(assert_record(shown, "user-profile")) == {"nickname": "alice", "avatar_url": "", "locale": "en"}
    shown = run(session, "storage.usage")
    assert shown["type"] == "QuotaUsage"
    assert values(assert_record(shown, "quota-usage")) == {"used_bytes": 0, "quota_bytes": 10 * 1024 * 1024, "keys": 0}
    assert run(session, "storage.get", key="absent") == {"type": "NoneType", "value": None}


def test_media_pick_thumbnail_upload_read(host: Host, prompter: PolicyPrompter, tmp_path):
    photo = photo_with_gps(tmp_path / "photo.jpg")
    prompter.picks.extend([[photo]] * 4)
    session = host.launch(APP, user="alice")
    picked = run(session, "media.pick")
    assert picked["type"] == "list" and len(picked["items"]) == 1
    info = values(assert_record(picked["items"][0], "media-info"))
    # Stored pixels, as the file has them (its orientation tag is kept, not applied).
    assert info["mime_type"] == "image/jpeg" and (info["width"], info["height"]) == (200, 100)
    assert info["size_bytes"] > 0 and info["duration_ms"] == 0 and info["handle"]
    thumb = values(assert_record(run(session, "media.thumbnail"), "media-info"))
    assert max(thumb["width"], thumb["height"]) <= 64 and thumb["handle"] != info["handle"]
    uploaded = run(session, "media.upload")
    assert uploaded["type"] == "Uploaded"
    stored = values(assert_record(uploaded, "uploaded"))
    assert re.fullmatch(r"[0-9a-f]{64}", stored["digest"]) and stored["size_bytes"] == info["size_bytes"]
    assert run(session, "media.read") == {"type": "bytes", "length": 16}


def test_qr_code_and_scan_results(host: Host, prompter: PolicyPrompter, tmp_path):
    session = host.launch(APP, user="alice")
    made = run(session, "qr.make_code", params={"table": "7"})
    code = values(assert_record(made, "code"))
    assert made["type"] == "Code" and code["address"] == f"capsule://{APP}/index?scene=qr&table=7"

    decoded = run(session, "qr.decode", image=base64.b64encode(codes.qr_png(code["address"], 256)).decode())
    assert decoded["type"] == "ScanResult"
    fields = assert_record(decoded, "scan-result", target="tuple")
    assert fields["format"]["value"] == "qr" and fields["format"]["type"] == "CodeFormat"
    (target,) = fields["target"]["items"]
    assert target["type"] == "LaunchTarget"
    assert assert_record(target, "launch-target", params="dict")["params"] == {
        "type": "dict",
        "items": {"table": {"type": "str", "value": "7"}},
    }
    assert values(target["fields"])["app_id"] == APP and values(target["fields"])["scene"] == "qr"

    # A code that is not a launch address has no target.
    picture = tmp_path / "plain.png"
    picture.write_bytes(codes.qr_png("just some text", 256))
    prompter.picks.append([picture])
    scanned = run(session, "qr.scan")
    fields = assert_record(scanned, "scan-result", target="tuple")
    assert values(fields)["text"] == "just some text" and fields["target"]["items"] == []


def test_network_response(host: Host):
    session = host.launch(APP, user="alice")
    shown = run(session, "network.fetch", url="https://api.example.com/menu")
    assert shown["type"] == "Response"
    fields = assert_record(shown, "response", headers="tuple")
    assert values(fields)["status"] == 201 and values(fields)["body"] == "menu"
    headers = [[item["value"] for item in pair["items"]] for pair in fields["headers"]["items"]]
    assert all(pair["type"] == "tuple" for pair in fields["headers"]["items"])
    assert ["x-dish", "soup"] in headers and ["x-dish", "bread"] in headers  # a repeated header stays twice


def test_payments_receipts_orders_refunds_envelopes(host: Host):
    wallet = host.capabilities["payments"].provider
    wallet.topup("alice", 10_000, "CNY")
    alice = host.launch(APP, user="alice")
    bob = host.launch(APP, user="bob")

    paid = run(alice, "payments.request_payment", order_id="o-1")
    assert paid["type"] == "Receipt"
    receipt = values(assert_record(paid, "receipt"))
    assert (receipt["order_id"], receipt["amount"], receipt["currency"]) == ("o-1", 1250, "CNY")
    assert json.loads(receipt["payload"])["transaction_id"] == receipt["transaction_id"]

    order = run(alice, "payments.query_order", order_id="o-1")
    assert order["type"] == "Order"
    assert values(assert_record(order, "order"))["state"] == "paid"
    refunded = run(alice, "payments.refund", order_id="o-1", refund_id="r-1", amount=250)
    assert refunded["type"] == "RefundReceipt"
    assert values(assert_record(refunded, "refund-receipt"))["amount"] == 250
    order = values(run(alice, "payments.query_order", order_id="o-1")["fields"])
    assert (order["state"], order["refunded"]) == ("partially-refunded", 250)
    assert run(alice, "payments.query_order", order_id="never") == {"type": "NoneType", "value": None}

    bob_id = run(bob, "profile.user_id")["value"]
    sent = run(alice, "payments.transfer", to=bob_id)
    assert sent["type"] == "Receipt" and values(assert_record(sent, "receipt"))["amount"] == 300

    envelope = run(alice, "payments.create_red_envelope")
    assert envelope["type"] == "Envelope"
    made = values(assert_record(envelope, "envelope"))
    assert (made["total"], made["shares"], made["claimed"]) == (900, 3, 0)
    got = run(bob, "payments.claim_red_envelope", envelope_id=made["envelope_id"])
    assert got["type"] == "int" and 1 <= got["value"] <= 898


def test_ui_modal_and_toast(host: Host):
    session = host.launch(APP, user="alice")
    assert run(session, "ui.modal") == {"type": "bool", "value": True}
    assert run(session, "ui.toast", kind="WARNING") == {"type": "NoneType", "value": None}


def test_naming_the_types_uses_no_capability():
    from capsule.runtime.languages.python.analysis import analyse

    source = b"from capsule_sdk import types\nfrom capsule_sdk.types import Position\n\ndef show(p: Position): ...\n"
    assert analyse({"app.py": source}).used == {}
    assert list(analyse({"app.py": b"from capsule_sdk.location import Position\n"}).used) == ["location"]
