"""The bill-pay sample (JavaScript): scan the code on a bill, see the amount
and the due date, pay with the payment PIN, get a receipt; once per bill."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from capsule.runtime import Host, PolicyPrompter
from capsule.runtime.capabilities.qr import codes

from ..conftest import REPO, texts

APP = "dev.capsule.samples.billpay"
ASSETS = REPO / "sample_programs" / "bill-pay" / "assets"


def bill(folder: Path, kind: str, amount: int) -> Path:
    """A bill's code as the biller prints it, for an account no earlier run has paid."""
    fields = dict(kind=kind, biller="City Power", account=f"88-{uuid.uuid4().hex[:8]}", period="2026-11",
                  amount=str(amount), currency="CNY", due="2026-12-20")  # fmt: skip
    path = folder / f"{kind}-{fields['account']}.png"
    path.write_bytes(codes.qr_png("CAPSULE-BILL/1?" + urlencode(fields, quote_via=quote), 256))
    return path


@pytest.fixture
def bill_host(home, js_packages):
    def make(picks, pin="123456", user="alice"):
        host = Host(home, prompter=PolicyPrompter(pin=pin, picks=picks))
        host.install(js_packages["bill-pay"].package, rebuilt=True)
        host.capabilities["payments"].provider.topup(user, 50000, "CNY")
        made.append(host)
        return host

    made: list[Host] = []
    yield make
    for host in made:
        host.close()


def balance(host: Host, user: str = "alice") -> int:
    return host.capabilities["payments"].provider.balance(user, "CNY")


def test_the_samples_bills_carry_what_a_bill_needs():
    text = codes.decode((ASSETS / "electricity-bill.png").read_bytes())[0].text
    assert text.startswith("CAPSULE-BILL/1?kind=electricity&") and "amount=23650" in text and "due=2026-12-20" in text


def test_scan_see_and_pay_an_electricity_bill_with_the_pin(bill_host, tmp_path):
    host = bill_host([[bill(tmp_path, "electricity", 23650)]])
    before = balance(host)
    session = host.launch(APP, user="alice")
    session.dispatch("scan")
    shown = texts(session.view)
    assert "Electricity bill" in shown and "City Power" in shown and any(line.endswith(" · period 2026-11") for line in shown)
    assert any(line.startswith("Due December 20, 2026") for line in shown)
    prices = [n for n in session.view["children"] if n["type"] == "price"]
    assert prices[0]["amount"] == 23650 and prices[0]["currency"] == "CNY"
    session.dispatch("pay")
    receipt = texts(session.view)
    assert receipt[0] == "Paid" and any(line.startswith("Transaction ") for line in receipt)
    assert balance(host) == before - 23650
    session.dispatch("done")
    assert "Paid bills" in texts(session.view)


def test_the_same_bill_is_charged_once(bill_host, tmp_path):
    water = bill(tmp_path, "water", 4830)
    host = bill_host([[water], [water]])
    before = balance(host)
    session = host.launch(APP, user="alice")
    for _ in range(2):
        session.dispatch("scan")
        session.dispatch("pay")
        session.dispatch("done")
    assert balance(host) == before - 4830


def test_a_wrong_pin_pays_nothing(bill_host, tmp_path):
    user = f"pin-{uuid.uuid4().hex[:6]}"
    first = bill_host([[bill(tmp_path, "water", 100)]], user=user)
    session = first.launch(APP, user=user)
    session.dispatch("scan")
    session.dispatch("pay")  # chooses the PIN 123456 on the first payment
    first.close()
    host = bill_host([[bill(tmp_path, "water", 4830)]], pin="000000", user=user)
    before = balance(host, user)
    session = host.launch(APP, user=user)
    session.dispatch("scan")
    session.dispatch("pay")
    assert texts(session.view)[-1].startswith("Not paid")
    assert balance(host, user) == before


def test_a_code_that_is_not_a_bill_is_explained(bill_host, tmp_path):
    other = tmp_path / "other.png"
    other.write_bytes(codes.qr_png("https://example.com/promo", 200))
    host = bill_host([[other]])
    session = host.launch(APP, user="alice")
    session.dispatch("scan")
    assert any(line.startswith("This code is not a utility bill.") for line in texts(session.view))


def test_a_reviewer_sees_what_the_js_source_uses(home, js_packages):
    from capsule.runtime.audit import audit_package

    report = audit_package(js_packages["bill-pay"].package, home=home)
    assert (report.kind, report.runtime) == ("js", "capsule-js-1")
    assert set(report.sources.used) == {"payments", "qr", "storage"}
    assert any(place.startswith("app.js:") for place in report.sources.used["qr"])
    assert report.imports.ok and "JavaScript platform" in report.imports.platform[0]
