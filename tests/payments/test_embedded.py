"""The embedded ledger on SQLite and PostgreSQL: payments, idempotency, refunds,
transfers, red envelopes, and the invariants money keeps."""

from __future__ import annotations

import base64
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from capsule.runtime.capabilities import InvalidArgument
from capsule.runtime.capabilities.payments import Charge, PaymentConflict, PaymentDeclined
from capsule.runtime.capabilities.payments import ledger
from capsule.runtime.capabilities.payments.ledger import Entry, Unbalanced
from capsule.runtime.capabilities.payments.tables import entries, orders
from capsule.sdk.merchant import ReceiptError, verify_receipt

from .invariants import assert_books_hold

APP = "dev.capsule.samples.coffee"


def charge(order_id: str = "o1", amount: int = 1250, user: str = "alice", **kw) -> Charge:
    return Charge(APP, user, f"u_{user}", order_id, amount, "CNY", kw.pop("description", "Flat white"), **kw)


def test_topup_then_payment_moves_money_and_signs_a_receipt(provider, signer):
    provider.topup("alice", 5000, "CNY")
    receipt = provider.charge(charge())
    assert provider.balance("alice", "CNY") == 3750
    assert provider.balances(ledger.merchant_account(APP)) == {"CNY": 1250}
    fields = verify_receipt(receipt.payload, receipt.signature, signer.public_key_b64)
    assert fields["order_id"] == "o1" and fields["amount"] == 1250 and fields["transaction_id"] == receipt.transaction_id
    assert provider.check().ok


def test_a_tampered_receipt_does_not_verify(provider, signer):
    provider.topup("alice", 5000, "CNY")
    receipt = provider.charge(charge())
    with pytest.raises(ReceiptError):
        verify_receipt(receipt.payload.replace("1250", "9250"), receipt.signature, signer.public_key_b64)


def test_same_order_same_terms_returns_the_first_receipt_and_charges_once(provider):
    provider.topup("alice", 5000, "CNY")
    first = provider.charge(charge())
    assert provider.charge(charge()) == first
    assert provider.balance("alice", "CNY") == 3750


def test_same_order_other_terms_is_a_conflict(provider):
    provider.topup("alice", 5000, "CNY")
    provider.charge(charge())
    with pytest.raises(PaymentConflict, match="other terms"):
        provider.charge(charge(amount=999))
    provider.topup("bob", 5000, "CNY")
    with pytest.raises(PaymentConflict):
        provider.charge(charge(user="bob"))


def test_insufficient_funds_is_declined_and_nothing_moves(provider):
    provider.topup("alice", 100, "CNY")
    with pytest.raises(PaymentDeclined, match="insufficient funds"):
        provider.charge(charge())
    assert provider.balance("alice", "CNY") == 100
    assert provider.find_order(APP, "o1") is None
    assert provider.check().ok


def test_daily_limit_counts_todays_payments(provider):
    provider.topup("alice", 10_000, "CNY")
    provider.charge(charge("a", 600, daily_limit=1000))
    with pytest.raises(PaymentDeclined, match="daily limit"):
        provider.charge(charge("b", 500, daily_limit=1000))
    provider.charge(charge("c", 400, daily_limit=1000))


def test_sixteen_threads_paying_one_order_debit_once(provider):
    provider.topup("alice", 100_000, "CNY")
    barrier = threading.Barrier(16)

    def pay(_):
        barrier.wait()
        return provider.charge(charge("same"))

    with ThreadPoolExecutor(16) as pool:
        receipts = list(pool.map(pay, range(16)))
    assert len({r.transaction_id for r in receipts}) == 1
    assert provider.balance("alice", "CNY") == 100_000 - 1250
    with provider.database.read() as conn:
        debits = conn.execute(sa.select(sa.func.count()).select_from(entries).where(entries.c.account == "user:alice", entries.c.amount < 0)).scalar_one()
    assert debits == 1
    assert provider.check().ok


def test_refunds_partial_full_idempotent_never_more_than_paid(provider, signer):
    provider.topup("alice", 5000, "CNY")
    provider.charge(charge())
    first = provider.refund(APP, "o1", "r1", 250, "milk was cold")
    assert provider.refund(APP, "o1", "r1", 250, "again") == first
    assert provider.find_order(APP, "o1").state == "partially-refunded"
    with pytest.raises(PaymentConflict):
        provider.refund(APP, "o1", "r1", 300, "")
    with pytest.raises(InvalidArgument, match="exceeds"):
        provider.refund(APP, "o1", "r2", 1001, "")
    provider.refund(APP, "o1", "r2", 1000, "")
    assert provider.find_order(APP, "o1").state == "refunded"
    assert provider.balance("alice", "CNY") == 5000
    verify_receipt(first.payload, first.signature, signer.public_key_b64)
    assert provider.check().ok


def test_transfer_between_users(provider):
    provider.topup("alice", 1000, "CNY")
    receipt = provider.transfer(APP, "alice", "u_a", "bob", "u_b", 400, "CNY", "lunch", None)
    assert receipt.amount == 400
    assert (provider.balance("alice", "CNY"), provider.balance("bob", "CNY")) == (600, 400)
    with pytest.raises(PaymentDeclined):
        provider.transfer(APP, "alice", "u_a", "bob", "u_b", 601, "CNY", "", None)


def test_red_envelope_concurrent_claims_each_user_once(provider):
    provider.topup("alice", 1000, "CNY")
    env = provider.create_envelope(APP, "alice", 1000, "CNY", 5, "happy new year", 3600, None)
    assert sum(env.amounts) == 1000 and min(env.amounts) >= 1
    users = [f"friend{i}" for i in range(8)]
    barrier = threading.Barrier(len(users))

    def claim(user):
        barrier.wait()
        try:
            return provider.claim_envelope(APP, env.envelope_id, user)
        except PaymentDeclined:
            return None

    with ThreadPoolExecutor(len(users)) as pool:
        got = list(pool.map(claim, users))
    assert sorted(a for a in got if a) == sorted(env.amounts)
    with pytest.raises((PaymentConflict, PaymentDeclined)):
        provider.claim_envelope(APP, env.envelope_id, users[0])
    assert provider.check().ok


def test_unclaimed_remainder_goes_back_on_expiry(database, signer):
    from capsule.runtime.capabilities.payments import EmbeddedProvider

    now = [1_700_000_000.0]
    provider = EmbeddedProvider(database, signer, clock=lambda: now[0])
    provider.topup("alice", 1000, "CNY")
    env = provider.create_envelope(APP, "alice", 1000, "CNY", 3, "", 60, None)
    got = provider.claim_envelope(APP, env.envelope_id, "bob")
    now[0] += 61
    assert provider.expire_envelopes() == 1
    assert provider.balance("alice", "CNY") == 1000 - got
    with pytest.raises(PaymentDeclined, match="expired"):
        provider.claim_envelope(APP, env.envelope_id, "carol")
    assert provider.balances(ledger.ESCROW) == {"CNY": 0}
    assert provider.check().ok


def test_unbalanced_entries_are_never_posted(database, provider):
    with pytest.raises(Unbalanced):
        with database.transaction() as conn:
            ledger.post(conn, "bug", [Entry("user:a", "CNY", 5), Entry("user:b", "CNY", -4)])
    assert provider.check().ok


def test_a_failure_between_statements_rolls_the_whole_payment_back(provider, monkeypatch):
    """Inject a crash after the ledger entries are written but before the order row."""
    provider.topup("alice", 5000, "CNY")
    real_post = ledger.post

    def post_then_die(*args, **kw):
        real_post(*args, **kw)
        raise RuntimeError("power cut")

    monkeypatch.setattr(ledger, "post", post_then_die)
    with pytest.raises(RuntimeError):
        provider.charge(charge())
    monkeypatch.undo()
    assert provider.balance("alice", "CNY") == 5000
    assert provider.find_order(APP, "o1") is None
    assert provider.check().ok
    provider.charge(charge())  # and the order can still be paid
    assert provider.balance("alice", "CNY") == 3750


def test_every_order_has_its_entries_and_receipt(provider, signer):
    provider.topup("alice", 50_000, "CNY")
    for n in range(5):
        provider.charge(charge(f"o{n}", 100 + n))
    with provider.database.read() as conn:
        for row in conn.execute(sa.select(orders)):
            total = conn.execute(sa.select(sa.func.sum(entries.c.amount)).where(entries.c.transaction_id == row.transaction_id, entries.c.amount < 0)).scalar_one()
            assert -total == row.amount
            verify_receipt(row.payload, row.signature, signer.public_key_b64)
    assert base64.b64decode(signer.public_key_b64)


def test_concurrent_random_movements_keep_the_books(provider, signer):
    """Eight threads moving money among the same users: the invariants hold and every
    receipt handed out is in the ledger. On PostgreSQL this found transfers A to B and
    B to A deadlocking (rows were locked debits first); on SQLite the movements share
    group-committed batches with failures among them."""
    users = ["ann", "ben", "cai", "dee"]
    for user in users:
        provider.topup(user, 5_000, "CNY")
    envelopes: list[str] = []
    receipts: list[tuple[str, str]] = []

    def mover(seed: int) -> None:
        rng = random.Random(seed)
        for n in range(40):
            who, other = rng.sample(users, 2)
            kind = rng.randrange(6)
            try:
                if kind == 0:
                    provider.topup(who, rng.randint(1, 500), "CNY")
                elif kind == 1:
                    order_id = f"o{rng.randrange(30)}"  # shared among threads: replays and conflicts
                    receipts.append((order_id, provider.charge(charge(order_id, rng.randint(1, 900), who)).transaction_id))
                elif kind == 2:
                    provider.refund(APP, f"o{rng.randrange(30)}", f"r{seed}-{n}", rng.randint(1, 300), "")
                elif kind == 3:
                    provider.transfer(APP, who, who, other, other, rng.randint(1, 700), "CNY", "", None)
                elif kind == 4:
                    envelopes.append(provider.create_envelope(APP, who, rng.randint(3, 900), "CNY", 3, "", 3600, None).envelope_id)
                elif envelopes:
                    provider.claim_envelope(APP, rng.choice(envelopes), who)
            except (PaymentDeclined, PaymentConflict, InvalidArgument):
                pass

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(mover, range(8)))
    assert_books_hold(provider, signer.public_key_b64)
    for order_id, tx in receipts:  # every receipt handed out is the order's committed payment
        assert provider.find_order(APP, order_id).transaction_id == tx
