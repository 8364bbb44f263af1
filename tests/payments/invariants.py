"""The invariants money keeps, checked straight from the database."""

from __future__ import annotations

import sqlalchemy as sa

from capsule.runtime.capabilities.payments import EmbeddedProvider
from capsule.runtime.capabilities.payments.tables import entries, orders, transactions
from capsule.sdk.merchant import verify_receipt


def assert_books_hold(provider: EmbeddedProvider, public_key_b64: str) -> None:
    """Balanced transactions, balances equal to their entries, nothing below zero, the sum
    held equals the sum of top-ups, one payment per order, receipts and entries paired."""
    audit = provider.check()
    assert audit.ok, audit.problems
    with provider.database.read() as conn:
        payments = conn.execute(
            sa.select(transactions.c.app_id, transactions.c.reference, sa.func.count())
            .where(transactions.c.kind == "payment")
            .group_by(transactions.c.app_id, transactions.c.reference)
        ).all()
        assert all(count == 1 for _, _, count in payments), "an order was debited twice"
        paid = {(row.app_id, row.order_id): row for row in conn.execute(sa.select(orders))}
        assert {(app, ref) for app, ref, _ in payments} == set(paid), "payments and orders differ"
        for row in paid.values():
            debited = conn.execute(
                sa.select(sa.func.sum(entries.c.amount)).where(
                    entries.c.transaction_id == row.transaction_id, entries.c.amount < 0
                )
            ).scalar_one()
            assert -debited == row.amount
            fields = verify_receipt(row.payload, row.signature, public_key_b64)
            assert (fields["order_id"], fields["amount"], fields["transaction_id"]) == (
                row.order_id, row.amount, row.transaction_id,
            )
