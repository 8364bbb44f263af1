"""The coffee shop end to end: a real component pays through the host's payment sheet."""

from __future__ import annotations

import time

import pytest

from capsule.runtime import Host, PolicyPrompter
from capsule.sdk.merchant import verify_receipt
from capsule.sdk.toolchain.build import build_program

from ..conftest import texts
from .programs import COFFEE

pytestmark = pytest.mark.slow
APP = "dev.capsule.samples.coffee"


@pytest.fixture(scope="session")
def coffee_package(home, tmp_path_factory):
    return build_program(COFFEE, home=home, out_dir=tmp_path_factory.mktemp("coffee")).package


@pytest.fixture
def shop(home, coffee_package, database_url):
    def open_shop(prompter=None, **kw):
        host = Host(home, prompter=prompter or PolicyPrompter(pin="123456"), database_url=database_url, **kw)
        host.install(coffee_package)
        opened.append(host)
        return host

    opened: list[Host] = []
    yield open_shop
    for host in opened:
        host.close()


def wallet(host):
    return host.capabilities["payments"].provider


def order_flat_white(host, user="alice"):
    session = host.launch(APP, user=user)
    session.dispatch("add", {"item": "flat-white"})
    session.dispatch("checkout")
    return session


def test_paying_for_a_flat_white(shop):
    prompter = PolicyPrompter(pin="123456")
    host = shop(prompter)
    wallet(host).topup("alice", 5000, "CNY")
    session = order_flat_white(host)
    shown = texts(session.view)
    assert "Paid" in shown
    tx = next(t for t in shown if t.startswith("Transaction "))[len("Transaction "):]
    assert wallet(host).balance("alice", "CNY") == 3750
    sheet = prompter.asked[-1]
    details = dict(sheet.details)
    assert sheet.kind == "payment" and sheet.app_name == "Coffee Shop"
    assert details["To"] == "Capsule Coffee Co." and str(details["Amount"]) == "12.50 CNY"
    assert str(details["Your balance"]) == "50.00 CNY" and "Flat white" in details["Description"]
    order = wallet(host).orders(APP)[0]
    assert order.transaction_id == tx
    public = host.capabilities["payments"].provider.signer.public_key_b64
    assert verify_receipt(order.receipt.payload, order.receipt.signature, public)["transaction_id"] == tx


def test_cancel_moves_no_money(shop):
    host = shop(PolicyPrompter(confirms={"payment": False}))
    wallet(host).topup("alice", 5000, "CNY")
    session = order_flat_white(host)
    assert "Payment cancelled." in texts(session.view)
    assert wallet(host).balance("alice", "CNY") == 5000


def test_a_timeout_counts_as_cancel(shop, monkeypatch):
    class SlowUser(PolicyPrompter):
        def confirm(self, request, timeout):
            time.sleep(0.05)  # stands for a sheet nobody answered: the prompter gives up
            return False

    host = shop(SlowUser())
    wallet(host).topup("alice", 5000, "CNY")
    assert "Payment cancelled." in texts(order_flat_white(host).view)


def test_insufficient_funds_is_declined_before_the_sheet(shop):
    prompter = PolicyPrompter(pin="123456")
    host = shop(prompter)
    wallet(host).topup("alice", 100, "CNY")
    view = order_flat_white(host).view
    assert any(t.startswith("Payment declined: insufficient funds") for t in texts(view))
    assert not prompter.asked


def test_per_transaction_limit_declines(shop):
    from capsule.runtime.capabilities.payments import PaymentLimits

    host = shop()
    host.capabilities["payments"].limits = PaymentLimits(per_transaction=1000)
    wallet(host).topup("alice", 5000, "CNY")
    view = order_flat_white(host).view
    assert any("per-transaction limit" in t for t in texts(view))
    assert wallet(host).balance("alice", "CNY") == 5000
    assert wallet(host).check().ok


def test_paying_twice_for_one_order_charges_once(shop):
    prompter = PolicyPrompter(pin="123456")
    host = shop(prompter)
    wallet(host).topup("alice", 5000, "CNY")
    session = order_flat_white(host)
    first = texts(session.view)
    # The program checks the same order out again (a retry after a lost answer):
    # the host returns the first receipt without a second sheet or debit.
    session.dispatch("checkout")
    assert texts(session.view) == first
    assert wallet(host).balance("alice", "CNY") == 3750
    assert len(wallet(host).orders(APP)) == 1
    assert len(prompter.asked) == 1
