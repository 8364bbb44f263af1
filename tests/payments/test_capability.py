"""The host side of `payments` without a component: checks, the sheet, errors, concurrency."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from capsule.runtime.capabilities import InvalidArgument, NotDeclared
from capsule.runtime.capabilities.base import CallContext
from capsule.runtime.capabilities.payments import (
    PaymentCancelled,
    PaymentConflict,
    PaymentDeclined,
    PaymentsCapability,
)
from capsule.runtime.capabilities.payments.errors import PaymentError
from capsule.runtime.capabilities.wit import record
from capsule.runtime.manifest import load_manifest
from capsule.runtime.prompter import PolicyPrompter
from capsule.runtime.services import HostServices
from capsule.runtime.home import Home

from .programs import COFFEE

MANIFEST = load_manifest((COFFEE / "manifest.json").read_bytes(), source="coffee")


class FakeSession:
    def __init__(self, user: str, prompter) -> None:
        self.user = user
        self.prompter = prompter
        self.app = SimpleNamespace(id=MANIFEST.id, name="Coffee Shop", manifest=MANIFEST, key_id="k1")

    def ask(self, question):
        return question(self.prompter, 1.0)


@pytest.fixture
def payments(tmp_path, database_url):
    services = HostServices(Home.resolve(tmp_path / "home"), database_url=database_url)
    yield PaymentsCapability(services)
    services.close()


def ctx(user="alice", prompter=None) -> CallContext:
    return CallContext(FakeSession(user, prompter or PolicyPrompter(pin="123456")), "payments", "request-payment")


def request(order_id="o1", amount=1250, currency="CNY", description="Flat white", items=()):
    lines = [record(name=n, quantity=q, unit_amount=u) for n, q, u in items]
    return record(order_id=order_id, amount=amount, currency=currency, description=description, items=lines)


def test_errors_lower_to_their_own_cases():
    assert PaymentCancelled("x").lower("payment-error").tag == "cancelled"
    assert PaymentDeclined("x").lower("payment-error").tag == "declined"
    assert PaymentConflict("x").lower("payment-error").tag == "conflict"
    assert PaymentDeclined("x").lower("error").tag == "limit-exceeded"
    assert InvalidArgument("x").lower("payment-error").payload.tag == "invalid-argument"
    assert issubclass(PaymentCancelled, PaymentError)


@pytest.mark.parametrize(
    "bad, error, words",
    [
        (request(amount=0), InvalidArgument, "more than 0"),
        (request(currency="XYZ"), InvalidArgument, "ISO 4217"),
        (request(currency="EUR"), NotDeclared, "currencies"),
        (request(description=" "), InvalidArgument, "description"),
        (request(description="x" * 129), InvalidArgument, "at most 128"),
        (request(order_id="no spaces"), InvalidArgument, "order-id"),
        (request(items=[("Flat white", 2, 1250)]), InvalidArgument, "add up"),
        (request(amount=10**9), PaymentDeclined, "per-transaction"),
    ],
)
def test_bad_requests_name_what_is_wrong(payments, bad, error, words):
    payments.provider.topup("alice", 10**7, "CNY")
    with pytest.raises(error, match=words):
        payments.request_payment(ctx(), bad)


def test_sheet_then_receipt(payments):
    payments.provider.topup("alice", 5000, "CNY")
    prompter = PolicyPrompter(pin="123456")
    receipt = payments.request_payment(ctx(prompter=prompter), request(items=[("Flat white", 1, 1250)]))
    assert getattr(receipt, "order-id") == "o1" and receipt.amount == 1250
    details = dict(prompter.asked[0].details)
    assert details["Program"] == "Coffee Shop" and details["To"] == "Capsule Coffee Co."
    assert str(details["1 × Flat white"]) == "12.50 CNY"
    [order] = payments.query_order(ctx(), "o1")
    assert order.state == "paid" and order.refunded == 0
    assert payments.query_order(ctx(), "nope") == []


def test_conflict_and_cancel(payments):
    payments.provider.topup("alice", 5000, "CNY")
    with pytest.raises(PaymentCancelled):
        payments.request_payment(ctx(prompter=PolicyPrompter(confirms={"payment": False})), request())
    payments.request_payment(ctx(), request())
    with pytest.raises(PaymentConflict):
        payments.request_payment(ctx(), request(amount=1300))


def test_sixteen_threads_through_the_capability_debit_once(payments):
    payments.provider.topup("alice", 100_000, "CNY")
    barrier = threading.Barrier(16)

    def pay(_):
        barrier.wait()
        return getattr(payments.request_payment(ctx(), request("same")), "transaction-id")

    with ThreadPoolExecutor(16) as pool:
        assert len(set(pool.map(pay, range(16)))) == 1
    assert payments.provider.balance("alice", "CNY") == 100_000 - 1250
    assert payments.provider.check().ok


def test_transfer_to_a_program_user_id(payments):
    identities = payments.services.identities
    bob_id = identities.user_id(MANIFEST.id, "bob")
    payments.provider.topup("alice", 1000, "CNY")
    receipt = payments.transfer(ctx(), bob_id, 300, "CNY", "coffee")
    assert receipt.amount == 300 and payments.provider.balance("bob", "CNY") == 300
    with pytest.raises(InvalidArgument, match="not a user of this program"):
        payments.transfer(ctx(), "u_unknown", 300, "CNY", "")
    with pytest.raises(InvalidArgument, match="another user"):
        payments.transfer(ctx(), identities.user_id(MANIFEST.id, "alice"), 1, "CNY", "")


def test_red_envelope_through_the_capability(payments):
    payments.provider.topup("alice", 1000, "CNY")
    made = payments.create_red_envelope(ctx(), 600, "CNY", 3, "hongbao", 3600)
    envelope_id = getattr(made, "envelope-id")
    got = [payments.claim_red_envelope(ctx(u), envelope_id) for u in ("bob", "carol", "dave")]
    assert sum(got) == 600
    with pytest.raises(PaymentDeclined, match="empty"):
        payments.claim_red_envelope(ctx("erin"), envelope_id)
    with pytest.raises(InvalidArgument, match="shares"):
        payments.create_red_envelope(ctx(), 600, "CNY", 0, "", 3600)


def test_refund_through_the_capability(payments):
    payments.provider.topup("alice", 5000, "CNY")
    payments.request_payment(ctx(), request())
    done = payments.refund(ctx(), "o1", "r1", 1250, "sold out")
    assert done.amount == 1250
    assert payments.query_order(ctx(), "o1")[0].state == "refunded"
    assert payments.provider.balance("alice", "CNY") == 5000


def test_a_prompter_that_times_out_counts_as_cancel(payments):
    class TimesOut(PolicyPrompter):
        def confirm(self, request, timeout):
            raise TimeoutError("nobody answered")

    payments.provider.topup("alice", 5000, "CNY")
    with pytest.raises(PaymentCancelled):
        payments.request_payment(ctx(prompter=TimesOut()), request())
    assert payments.provider.balance("alice", "CNY") == 5000
