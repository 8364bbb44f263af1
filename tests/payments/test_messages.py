"""What a program is told about a payment: never the user's id or balance, and
`Host()` without a prompter pays nothing (issue 10)."""

from __future__ import annotations

import re

import pytest

from capsule.runtime import Host
from capsule.runtime.capabilities.payments import PaymentDeclined, PaymentLimits
from capsule.runtime.prompter import ConfirmRequest, ConsentRequest, PickRequest, PolicyPrompter, refusing_prompter
from capsule.sdk.toolchain.build import build_program

from ..conftest import texts
from .programs import COFFEE
from .test_capability import ctx, payments, request  # noqa: F401 - the fixture

APP = "dev.capsule.samples.coffee"


def assert_discreet(message: str, user: str, balance: int) -> None:
    assert user not in message, message
    assert "user:" not in message, message
    for shown in (str(balance), f"{balance // 100}.{balance % 100:02d}"):
        assert not re.search(rf"\b{re.escape(shown)}\b", message), f"the balance {shown} leaks: {message}"


def test_a_payment_declined_in_a_race_names_no_user_and_no_balance(payments):  # noqa: F811
    payments.provider.topup("alice", 1351, "CNY")

    class SpendsMeanwhile(PolicyPrompter):
        """While the sheet is up, another payment takes most of the money."""

        def confirm(self, request_, timeout):
            payments.request_payment(ctx(), request(order_id="other", amount=1000))
            return super().confirm(request_, timeout)

    with pytest.raises(PaymentDeclined) as caught:
        payments.request_payment(ctx(prompter=SpendsMeanwhile(pin="123456")), request(order_id="first", amount=1250))
    assert "insufficient funds" in str(caught.value)
    assert_discreet(str(caught.value), "alice", 351)


def test_a_payment_declined_before_the_sheet_names_no_balance(payments):  # noqa: F811
    payments.provider.topup("alice", 351, "CNY")
    with pytest.raises(PaymentDeclined) as caught:
        payments.request_payment(ctx(), request(amount=1250))
    assert_discreet(str(caught.value), "alice", 351)


def test_the_daily_limit_names_no_spending(payments):  # noqa: F811
    payments.limits = PaymentLimits(per_transaction=5000, per_day=3000)
    payments.provider.topup("alice", 10_000, "CNY")
    payments.request_payment(ctx(), request(order_id="a", amount=2777))
    with pytest.raises(PaymentDeclined) as caught:
        payments.request_payment(ctx(), request(order_id="b", amount=1250))
    assert "2777" not in str(caught.value) and "daily limit" in str(caught.value)


def test_the_default_prompter_refuses_everything():
    prompter = refusing_prompter()
    consent = ConsentRequest("alice", APP, "Coffee", "location.precise", "to find you")
    sheet = ConfirmRequest("alice", APP, "Coffee", "Confirm payment", "12.50 CNY", kind="payment")
    assert prompter.ask_consent(consent, 1.0) is False
    assert prompter.confirm(sheet, 1.0) is False
    assert prompter.confirm(ConfirmRequest("alice", APP, "Coffee", "Sure?", "Delete it?"), 1.0) is False
    assert prompter.pick(PickRequest("alice", APP, "Coffee", "image"), 1.0) == []


@pytest.mark.slow
def test_host_without_a_prompter_pays_nothing(home, tmp_path):
    package = build_program(COFFEE, home=home, out_dir=tmp_path / "coffee").package
    host = Host(home, database_url=f"sqlite:///{tmp_path / 'host.db'}")
    try:
        host.install(package)
        wallet = host.capabilities["payments"].provider
        wallet.topup("alice", 5000, "CNY")
        session = host.launch(APP, user="alice")
        session.dispatch("add", {"item": "flat-white"})
        session.dispatch("checkout")
        assert "Payment cancelled." in texts(session.view)
        assert wallet.balance("alice", "CNY") == 5000
    finally:
        host.close()
