"""The embedded default provider: wallets and a double-entry ledger in the runtime's database.

Each movement (a top-up, a payment, a refund, a transfer, an envelope created,
a share claimed, an envelope expired) is all or nothing: the ledger entries,
the order or refund row with its signed receipt, and the merchant notification
queued in the outbox. A crash before the commit leaves nothing; after it,
everything. Idempotency is held by primary keys, so two threads (or two hosts
on PostgreSQL) paying one order cannot both insert it.

Every movement is written as a function of the connection and goes through
`EmbeddedProvider._write`. On PostgreSQL that is one transaction per movement
(row locks let payers of different accounts run in parallel). On SQLite, which
has one writer and one fsync per commit, concurrent movements are group
committed: several per transaction, each under its own savepoint, one fsync
for all, and none reported before that commit (see group_commit.py).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from typing import Callable, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ...database import Database
from ...metrics.figures import count_payment
from ..base import InvalidArgument
from . import ledger
from .errors import PaymentConflict, PaymentDeclined
from .group_commit import GroupCommit
from .ledger import ESCROW, EXTERNAL, Entry, merchant_account, user_account
from .provider import Charge, Envelope, Order, Receipt, RefundReceipt
from .receipts import ReceiptSigner, canonical_json
from .tables import envelopes, metadata, orders, outbox, refunds, shares

T = TypeVar("T")


def _terms_digest(terms: dict[str, object]) -> str:
    return hashlib.sha256(canonical_json(terms).encode()).hexdigest()


class EmbeddedProvider:
    """Wallets and the ledger in `database`; receipts signed by `signer`.

    `fee` is a fixed fee in minor units the merchant pays per payment (shops
    pay a fixed fee per transaction); it goes to the `fees` account.
    """

    def __init__(
        self, database: Database, signer: ReceiptSigner, *, fee: int = 0, clock: Callable[[], float] = time.time
    ) -> None:
        self.database = database
        self.signer = signer
        self.fee = fee
        self.clock = clock
        # SQLite has one writer at a time: writers queue in Python (which wakes them
        # exactly when their turn comes, where SQLite's busy handler sleeps in growing
        # steps) and whoever's turn it is commits everything queued in one fsync.
        self._group = GroupCommit(database) if database.dialect == "sqlite" else None
        database.ensure(metadata)

    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run one movement, `work`, in a read-write transaction; return (or raise) what
        it does once that is committed. The one way every movement is written.

        `work` may be run by another thread, together with other movements (SQLite),
        and must only use `conn`; what it raises undoes exactly its own statements.
        """
        if self._group is not None:
            return self._group.run(work)
        with self.database.transaction() as conn:
            return work(conn)

    def _now(self) -> int:
        """Milliseconds since the Unix epoch, the contract's unit of time."""
        return int(self.clock() * 1000)

    # -- wallets -------------------------------------------------------------

    def topup(self, user: str, amount: int, currency: str, memo: str = "top-up") -> str:
        """Bring money in from outside (a bank, a card): the only way money enters."""
        if amount <= 0:
            raise InvalidArgument(f"a top-up must be more than 0, got {amount}")
        lines = [Entry(EXTERNAL, currency, -amount), Entry(user_account(user), currency, amount)]
        return self._write(lambda conn: ledger.post(conn, "topup", lines, memo=memo, at=self._now()))

    def balance(self, user: str, currency: str) -> int:
        with self.database.read() as conn:
            return ledger.balance(conn, user_account(user), currency)

    def balances(self, account: str) -> dict[str, int]:
        with self.database.read() as conn:
            return ledger.balances_of(conn, account)

    def statement(self, account: str, limit: int = 100) -> list[ledger.StatementLine]:
        with self.database.read() as conn:
            return ledger.statement(conn, account, limit)

    def check(self) -> ledger.Audit:
        with self.database.read() as conn:
            return ledger.check(conn)

    # -- payments ------------------------------------------------------------

    def find_order(self, app_id: str, order_id: str) -> Order | None:
        with self.database.read() as conn:
            return _order(conn, app_id, order_id)

    def charge(self, charge: Charge) -> Receipt:
        terms = _terms_digest(charge.terms())
        # Signed before the write: the writer (on SQLite, the batch's leader, for
        # everyone in the batch) should spend its time on statements only.
        now = self._now()
        tx = ledger.new_id("tx")
        signed = self.signer.sign(
            "payment",
            {
                "program": charge.app_id,
                "order_id": charge.order_id,
                "amount": charge.amount,
                "currency": charge.currency,
                "transaction_id": tx,
                "paid_at": now,
                "payer": charge.payer_id,
            },
        )
        notification = self._notification(
            charge.app_id, charge.notify_url, "payment.succeeded", signed.payload, signed.signature, now
        )

        def pay(conn: Connection) -> Receipt:
            existing = _order(conn, charge.app_id, charge.order_id, lock=True)
            if existing is not None:
                # Paid before, or earlier in the same batch: either way the caller
                # hears of it only once that payment is committed.
                return _same_order(existing, terms)
            payer = user_account(charge.user)
            self._check_daily(conn, payer, charge.currency, charge.amount, charge.daily_limit, now)
            fee = min(self.fee, charge.amount)
            ledger.post(
                conn,
                "payment",
                [
                    Entry(payer, charge.currency, -charge.amount),
                    Entry(merchant_account(charge.app_id), charge.currency, charge.amount - fee),
                    Entry(ledger.FEES, charge.currency, fee),
                ],
                app_id=charge.app_id, reference=charge.order_id, memo=charge.description,
                transaction_id=tx, at=now,
            )
            # The order row after the entries: its primary key is what makes a
            # concurrent second payment of this order fail and roll back.
            conn.execute(
                _INSERT_ORDER,
                {
                    "app_id": charge.app_id, "order_id": charge.order_id, "user": charge.user, "terms": terms,
                    "amount": charge.amount, "currency": charge.currency, "refunded": 0, "transaction_id": tx,
                    "paid_at": now, "payload": signed.payload, "signature": signed.signature,
                },
            )
            _queue_notification(conn, notification)
            return Receipt(tx, charge.order_id, charge.amount, charge.currency, now, signed.payload, signed.signature)

        try:
            receipt = self._write(pay)
        except IntegrityError:
            # Another payment of this order committed first: answer as a replay.
            existing = self.find_order(charge.app_id, charge.order_id)
            if existing is None:
                raise
            return _same_order(existing, terms)
        if receipt.transaction_id == tx:  # this call's payment, not an earlier one of the same order
            count_payment(charge.currency, charge.amount)
        return receipt

    def _check_daily(self, conn: Connection, account: str, currency: str, amount: int, limit: int | None, now: int) -> None:
        """Count `amount` against the day, then check the daily limit: a refused movement
        takes the count back with it (its transaction, or its savepoint in a batch)."""
        spent = ledger.add_spend(conn, account, currency, now, amount)
        if limit is not None and spent > limit:
            # What the user spent today is theirs, not the program's: only the limit is named.
            raise PaymentDeclined(
                f"the daily limit of {limit} {currency} minor units would be passed; "
                "try again tomorrow or pay less"
            )

    # -- refunds -------------------------------------------------------------

    def refund(
        self, app_id: str, order_id: str, refund_id: str, amount: int, reason: str, notify_url: str | None = None
    ) -> RefundReceipt:
        def give_back(conn: Connection) -> RefundReceipt:
            done = _refund(conn, app_id, refund_id)
            if done is not None:
                return _same_refund(done, order_id, amount)
            order = _order(conn, app_id, order_id, lock=True)
            if order is None:
                raise InvalidArgument(f"no paid order {order_id!r} in this program; query-order lists what exists")
            remaining = order.amount - order.refunded
            if amount > remaining:
                raise InvalidArgument(
                    f"refund of {amount} exceeds what is left to refund on order {order_id!r} "
                    f"({remaining} of {order.amount} {order.currency} minor units)"
                )
            now = self._now()
            tx = ledger.new_id("tx")
            signed = self.signer.sign(
                "refund",
                {
                    "program": app_id, "order_id": order_id, "refund_id": refund_id, "amount": amount,
                    "currency": order.currency, "transaction_id": tx, "refunded_at": now,
                },
            )
            ledger.post(
                conn, "refund",
                [Entry(merchant_account(app_id), order.currency, -amount), Entry(user_account(order.user), order.currency, amount)],
                app_id=app_id, reference=refund_id, memo=reason, transaction_id=tx, at=now,
            )
            conn.execute(
                orders.update()
                .where(orders.c.app_id == app_id, orders.c.order_id == order_id)
                .values(refunded=orders.c.refunded + amount)
            )
            conn.execute(
                refunds.insert().values(
                    app_id=app_id, refund_id=refund_id, order_id=order_id, amount=amount, transaction_id=tx,
                    refunded_at=now, payload=signed.payload, signature=signed.signature,
                )
            )
            _queue_notification(
                conn, self._notification(app_id, notify_url, "refund.succeeded", signed.payload, signed.signature, now)
            )
            return RefundReceipt(refund_id, order_id, amount, order.currency, now, signed.payload, signed.signature)

        try:
            return self._write(give_back)
        except IntegrityError:
            with self.database.read() as conn:
                done = _refund(conn, app_id, refund_id)
            if done is None:
                raise
            return _same_refund(done, order_id, amount)

    # -- between users ----------------------------------------------------------

    def transfer(
        self, app_id: str, payer: str, payer_id: str, payee: str, payee_id: str, amount: int, currency: str, note: str,
        daily_limit: int | None,
    ) -> Receipt:
        source = user_account(payer)
        # Signed before the write, as a payment is: a batch's leader runs only statements.
        now = self._now()
        tx = ledger.new_id("tx")
        signed = self.signer.sign(
            "transfer",
            {
                "program": app_id, "order_id": tx, "amount": amount, "currency": currency,
                "transaction_id": tx, "paid_at": now, "payer": payer_id, "payee": payee_id,
            },
        )

        def move(conn: Connection) -> Receipt:
            self._check_daily(conn, source, currency, amount, daily_limit, now)
            ledger.post(
                conn, "transfer", [Entry(source, currency, -amount), Entry(user_account(payee), currency, amount)],
                app_id=app_id, reference=payee_id, memo=note, transaction_id=tx, at=now,
            )
            return Receipt(tx, tx, amount, currency, now, signed.payload, signed.signature)

        return self._write(move)

    def create_envelope(
        self, app_id: str, sender: str, total: int, currency: str, count: int, note: str, expires_in: int,
        daily_limit: int | None,
    ) -> Envelope:
        if total < count:
            raise InvalidArgument(f"{total} minor units cannot make {count} shares of at least 1 each")
        amounts = split_at_random(total, count)
        source = user_account(sender)
        envelope_id = f"env_{uuid.uuid4().hex}"

        def fill(conn: Connection) -> Envelope:
            now = self._now()
            self._check_daily(conn, source, currency, total, daily_limit, now)
            ledger.post(
                conn, "envelope", [Entry(source, currency, -total), Entry(ESCROW, currency, total)],
                app_id=app_id, reference=envelope_id, memo=note, at=now,
            )
            conn.execute(
                envelopes.insert().values(
                    id=envelope_id, app_id=app_id, sender=sender, currency=currency, total=total, shares=count,
                    claimed=0, note=note, expires_at=now + expires_in * 1000, state="open",
                )
            )
            conn.execute(
                shares.insert(),
                [{"envelope_id": envelope_id, "share": i, "amount": a, "claimed_by": None} for i, a in enumerate(amounts)],
            )
            return Envelope(envelope_id, total, currency, count, 0, now + expires_in * 1000, "open", tuple(amounts))

        return self._write(fill)

    def claim_envelope(self, app_id: str, envelope_id: str, user: str) -> int:
        def claim(conn: Connection) -> int:
            # Locking the envelope row serializes claims of one envelope on PostgreSQL.
            row = conn.execute(
                sa.select(envelopes).where(envelopes.c.id == envelope_id, envelopes.c.app_id == app_id).with_for_update()
            ).first()
            if row is None:
                raise InvalidArgument(f"no red envelope {envelope_id!r} in this program")
            now = self._now()
            if row.state != "open" or row.expires_at <= now:
                raise PaymentDeclined(f"red envelope {envelope_id} has expired; its remainder went back to the sender")
            mine = conn.execute(
                sa.select(shares.c.amount).where(shares.c.envelope_id == envelope_id, shares.c.claimed_by == user)
            ).first()
            if mine is not None:
                raise PaymentConflict(f"you already claimed {mine[0]} from red envelope {envelope_id}; one share each")
            share = conn.execute(
                sa.select(shares.c.share, shares.c.amount)
                .where(shares.c.envelope_id == envelope_id, shares.c.claimed_by.is_(None))
                .order_by(shares.c.share)
                .limit(1)
            ).first()
            if share is None:
                raise PaymentDeclined(f"red envelope {envelope_id} is empty: all {row.shares} shares were claimed")
            conn.execute(
                shares.update()
                .where(shares.c.envelope_id == envelope_id, shares.c.share == share.share)
                .values(claimed_by=user)
            )
            conn.execute(envelopes.update().where(envelopes.c.id == envelope_id).values(claimed=envelopes.c.claimed + 1))
            ledger.post(
                conn, "claim", [Entry(ESCROW, row.currency, -share.amount), Entry(user_account(user), row.currency, share.amount)],
                app_id=app_id, reference=envelope_id, at=now,
            )
            return int(share.amount)

        return self._write(claim)

    def expire_envelopes(self) -> int:
        """Send every expired envelope's unclaimed remainder back to its sender; returns how many."""
        now = self._now()
        with self.database.read() as conn:
            due = [r[0] for r in conn.execute(
                sa.select(envelopes.c.id).where(envelopes.c.state == "open", envelopes.c.expires_at <= now)
            )]

        def settle(envelope_id: str) -> Callable[[Connection], None]:
            def work(conn: Connection) -> None:
                row = conn.execute(sa.select(envelopes).where(envelopes.c.id == envelope_id).with_for_update()).first()
                if row is None or row.state != "open":
                    return  # another host settled it
                left = conn.execute(
                    sa.select(sa.func.coalesce(sa.func.sum(shares.c.amount), 0)).where(
                        shares.c.envelope_id == envelope_id, shares.c.claimed_by.is_(None)
                    )
                ).scalar_one()
                ledger.post(
                    conn, "envelope-expiry",
                    [Entry(ESCROW, row.currency, -int(left)), Entry(user_account(row.sender), row.currency, int(left))],
                    app_id=row.app_id, reference=envelope_id, at=now,
                )
                conn.execute(envelopes.update().where(envelopes.c.id == envelope_id).values(state="settled"))

            return work

        for envelope_id in due:
            self._write(settle(envelope_id))
        return len(due)

    # -- merchants -----------------------------------------------------------------

    def orders(self, app_id: str) -> list[Order]:
        with self.database.read() as conn:
            rows = conn.execute(sa.select(orders).where(orders.c.app_id == app_id).order_by(orders.c.paid_at))
            return [_order_from(row) for row in rows]

    def _notification(
        self, app_id: str, url: str | None, event: str, payload: str, signature: str, now: int
    ) -> dict[str, object] | None:
        """The outbox row of a merchant notification (signed), or None without a URL."""
        if not url:
            return None
        event_id = f"evt_{uuid.uuid4().hex}"
        body = canonical_json(
            {"event_id": event_id, "type": event, "created_at": now, "receipt": {"payload": payload, "signature": signature}}
        )
        return {
            "event_id": event_id, "app_id": app_id, "url": url, "body": body, "signature": self.signer.sign_bytes(body),
            "state": "pending", "attempts": 0, "next_attempt_at": now / 1000,
        }


def _queue_notification(conn: Connection, row: dict[str, object] | None) -> None:
    """Queue a notification in the same transaction as its movement (an outbox):
    a committed payment always has its notification, a rolled-back one never."""
    if row is not None:
        conn.execute(_INSERT_OUTBOX, row)


def split_at_random(total: int, count: int) -> list[int]:
    """`total` cut at `count - 1` distinct random points: `count` shares of at least 1 each,
    summing to `total` exactly (integers, so nothing is lost to rounding)."""
    rng = secrets.SystemRandom()
    cuts = sorted(rng.sample(range(1, total), count - 1)) if count > 1 else []
    points = [0, *cuts, total]
    return [b - a for a, b in zip(points, points[1:])]


_ORDER = sa.select(orders).where(orders.c.app_id == sa.bindparam("b_app"), orders.c.order_id == sa.bindparam("b_order"))
_ORDER_LOCKED = _ORDER.with_for_update()
_INSERT_ORDER = orders.insert()
_INSERT_OUTBOX = outbox.insert()


def _order(conn: Connection, app_id: str, order_id: str, *, lock: bool = False) -> Order | None:
    row = conn.execute(_ORDER_LOCKED if lock else _ORDER, {"b_app": app_id, "b_order": order_id}).first()
    return _order_from(row) if row else None


def _order_from(row: sa.Row) -> Order:
    receipt = Receipt(row.transaction_id, row.order_id, row.amount, row.currency, row.paid_at, row.payload, row.signature)
    return Order(row.order_id, row.transaction_id, row.amount, row.refunded, row.currency, row.user, row.terms, receipt)


def _same_order(order: Order, terms: str) -> Receipt:
    if order.terms != terms:
        raise PaymentConflict(
            f"order {order.order_id!r} was already paid with other terms (payer, amount, currency, description "
            "or items); use a new order id for a new payment"
        )
    return order.receipt


def _refund(conn: Connection, app_id: str, refund_id: str) -> sa.Row | None:
    return conn.execute(sa.select(refunds).where(refunds.c.app_id == app_id, refunds.c.refund_id == refund_id)).first()


def _same_refund(row: sa.Row, order_id: str, amount: int) -> RefundReceipt:
    if row.order_id != order_id or row.amount != amount:
        raise PaymentConflict(
            f"refund id {row.refund_id!r} was already used for {row.amount} on order {row.order_id!r}; "
            "use a new refund id for another refund"
        )
    payload = json.loads(row.payload)
    return RefundReceipt(row.refund_id, row.order_id, row.amount, payload["currency"], row.refunded_at, row.payload, row.signature)
