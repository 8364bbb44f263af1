"""The embedded default's tables: the ledger, orders, refunds, envelopes, the outbox.

Amounts are BigInteger minor units. `pay_entries` is the ledger itself; every
other table is derived from, or points at, its transactions. `pay_balances`
is a running total kept in the same transaction as the entries, so a debit
can be checked and applied in one conditional UPDATE.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

transactions = sa.Table(
    "pay_transactions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    # topup, payment, refund, transfer, envelope, claim, envelope-expiry
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("app_id", sa.String(200), nullable=True),
    sa.Column("reference", sa.String(200), nullable=True),
    sa.Column("memo", sa.String(400), nullable=False, default=""),
    sa.Column("at", sa.BigInteger, nullable=False),  # milliseconds since the Unix epoch, like every time here
)

entries = sa.Table(
    "pay_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("transaction_id", sa.String(40), sa.ForeignKey("pay_transactions.id"), nullable=False, index=True),
    sa.Column("account", sa.String(260), nullable=False, index=True),
    sa.Column("currency", sa.String(3), nullable=False),
    # Signed: negative leaves the account, positive arrives. Each transaction sums to 0.
    sa.Column("amount", sa.BigInteger, nullable=False),
)

balances = sa.Table(
    "pay_balances",
    metadata,
    sa.Column("account", sa.String(260), primary_key=True),
    sa.Column("currency", sa.String(3), primary_key=True),
    sa.Column("balance", sa.BigInteger, nullable=False),
)

#: What each account paid out per UTC day (payments, transfers, envelopes), kept
#: beside the entries in the same transaction: the daily limit reads one row.
daily_spend = sa.Table(
    "pay_daily_spend",
    metadata,
    sa.Column("account", sa.String(260), primary_key=True),
    sa.Column("currency", sa.String(3), primary_key=True),
    sa.Column("day", sa.Integer, primary_key=True),  # days since the Unix epoch, UTC
    sa.Column("spent", sa.BigInteger, nullable=False),
)

orders = sa.Table(
    "pay_orders",
    metadata,
    sa.Column("app_id", sa.String(200), primary_key=True),
    sa.Column("order_id", sa.String(64), primary_key=True),
    sa.Column("user", sa.String(200), nullable=False),
    sa.Column("terms", sa.String(64), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("refunded", sa.BigInteger, nullable=False, default=0),
    sa.Column("transaction_id", sa.String(40), sa.ForeignKey("pay_transactions.id"), nullable=False),
    sa.Column("paid_at", sa.BigInteger, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("signature", sa.String(100), nullable=False),
)

refunds = sa.Table(
    "pay_refunds",
    metadata,
    sa.Column("app_id", sa.String(200), primary_key=True),
    sa.Column("refund_id", sa.String(64), primary_key=True),
    sa.Column("order_id", sa.String(64), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("transaction_id", sa.String(40), sa.ForeignKey("pay_transactions.id"), nullable=False),
    sa.Column("refunded_at", sa.BigInteger, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("signature", sa.String(100), nullable=False),
)

envelopes = sa.Table(
    "pay_envelopes",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("app_id", sa.String(200), nullable=False),
    sa.Column("sender", sa.String(200), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("total", sa.BigInteger, nullable=False),
    sa.Column("shares", sa.Integer, nullable=False),
    sa.Column("claimed", sa.Integer, nullable=False, default=0),
    sa.Column("note", sa.String(200), nullable=False, default=""),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
    # open, then settled once the unclaimed remainder went back to the sender
    sa.Column("state", sa.String(10), nullable=False, default="open"),
)

shares = sa.Table(
    "pay_envelope_shares",
    metadata,
    sa.Column("envelope_id", sa.String(40), sa.ForeignKey("pay_envelopes.id"), primary_key=True),
    sa.Column("share", sa.Integer, primary_key=True),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("claimed_by", sa.String(200), nullable=True),
    # A user claims at most one share of an envelope, enforced by the database.
    sa.UniqueConstraint("envelope_id", "claimed_by", name="pay_one_share_per_user"),
)

outbox = sa.Table(
    "pay_outbox",
    metadata,
    sa.Column("event_id", sa.String(40), primary_key=True),
    sa.Column("app_id", sa.String(200), nullable=False),
    sa.Column("url", sa.String(500), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    # Ed25519 over `body` by the host key: the whole event is signed, so an event
    # id cannot be swapped to slip a replay past the receiver's dedupe.
    sa.Column("signature", sa.String(100), nullable=False),
    # pending until a 2xx answer (delivered) or the last retry (failed)
    sa.Column("state", sa.String(10), nullable=False, default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.Float, nullable=False),
    sa.Column("delivered_at", sa.Float, nullable=True),
    sa.Column("last_error", sa.String(400), nullable=True),
)
