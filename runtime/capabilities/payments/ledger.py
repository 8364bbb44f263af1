"""The double-entry ledger: balanced transactions of integer entries.

Accounts are named by kind: `user:NAME`, `merchant:APP_ID` (the program's
developer is paid into its program's account), `fees`, `escrow` (red envelopes
in flight) and `external:topup` (money that came in from outside: it is the
only account allowed below zero, so the sum of all other balances always
equals the sum of top-ups). Every movement is one `post`, inside the caller's
database transaction, so a crash leaves either all of its entries or none.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from .errors import PaymentDeclined
from .tables import balances, daily_spend, entries, transactions

FEES = "fees"
ESCROW = "escrow"
EXTERNAL = "external:topup"


def user_account(user: str) -> str:
    return f"user:{user}"


def merchant_account(app_id: str) -> str:
    return f"merchant:{app_id}"


@dataclass(frozen=True)
class Entry:
    """One line of a transaction: `amount` (signed minor units) for `account`."""

    account: str
    currency: str
    amount: int


class Unbalanced(AssertionError):
    """A transaction whose entries do not sum to zero per currency: a bug, never posted."""


_INSERT_TRANSACTION = transactions.insert()
_INSERT_ENTRIES = entries.insert()


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def post(
    conn: Connection,
    kind: str,
    lines: Iterable[Entry],
    *,
    app_id: str | None = None,
    reference: str | None = None,
    memo: str = "",
    transaction_id: str | None = None,
    at: int | None = None,
) -> str:
    """Write one balanced transaction and apply it to the balances; returns its id.

    A debit that would take an account other than `external:*` below zero raises
    `PaymentDeclined`; the caller then rolls the whole movement back (its
    transaction, or its savepoint when SQLite writers are group committed).
    """
    lines = [line for line in lines if line.amount != 0]
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        if not isinstance(line.amount, int) or isinstance(line.amount, bool):
            raise Unbalanced(f"amount {line.amount!r} for {line.account} is not an integer")
        totals[line.currency] += line.amount
    if any(totals.values()):
        raise Unbalanced(f"{kind} entries do not balance: {dict(totals)}")
    tx = transaction_id or new_id("tx")
    conn.execute(
        _INSERT_TRANSACTION,
        {
            "id": tx, "kind": kind, "app_id": app_id, "reference": reference, "memo": memo[:400],
            "at": at or int(time.time() * 1000),
        },
    )
    # One order for every movement, by account: on PostgreSQL each statement locks
    # its balance row, and two movements that lock rows in one global order cannot
    # deadlock (debits first, the order before, deadlocked a transfer A to B against
    # one B to A, and a payment against a refund to the same user).
    for line in sorted(lines, key=lambda e: (e.account, e.currency)):
        _apply(conn, line)
    conn.execute(
        _INSERT_ENTRIES,
        [{"transaction_id": tx, "account": e.account, "currency": e.currency, "amount": e.amount} for e in lines],
    )
    return tx


# Statements built once: SQLAlchemy then only binds values, several times
# cheaper per call than building a statement for every payment.
_DEBIT = (
    balances.update()
    .where(
        balances.c.account == sa.bindparam("b_account"),
        balances.c.currency == sa.bindparam("b_currency"),
        balances.c.balance >= sa.bindparam("b_need"),
    )
    .values(balance=balances.c.balance - sa.bindparam("b_need"))
)
_BALANCE = sa.select(balances.c.balance).where(
    balances.c.account == sa.bindparam("b_account"), balances.c.currency == sa.bindparam("b_currency")
)
_CREDIT: dict[str, Any] = {}


def _credit_statement(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE: a credit to an account that may not exist yet."""
    if dialect not in _CREDIT:
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(balances)
        _CREDIT[dialect] = insert.on_conflict_do_update(
            index_elements=[balances.c.account, balances.c.currency],
            set_={"balance": balances.c.balance + insert.excluded.balance},
        )
    return _CREDIT[dialect]


def _apply(conn: Connection, line: Entry) -> None:
    if line.amount < 0 and not line.account.startswith("external:"):
        # Checked and applied in one statement: no window between "enough?" and "take it".
        done = conn.execute(
            _DEBIT, {"b_account": line.account, "b_currency": line.currency, "b_need": -line.amount}
        ).rowcount
        if done != 1:
            # The message reaches the program: it names neither the account nor its balance.
            raise PaymentDeclined(
                f"insufficient funds for {-line.amount} {line.currency} minor units; "
                "the payer can top up and try again"
            )
        return
    conn.execute(
        _credit_statement(conn.dialect.name),
        {"account": line.account, "currency": line.currency, "balance": line.amount},
    )


def balance(conn: Connection, account: str, currency: str) -> int:
    row = conn.execute(_BALANCE, {"b_account": account, "b_currency": currency}).first()
    return int(row[0]) if row else 0


def balances_of(conn: Connection, account: str) -> dict[str, int]:
    rows = conn.execute(
        sa.select(balances.c.currency, balances.c.balance).where(balances.c.account == account).order_by(balances.c.currency)
    )
    return {currency: int(amount) for currency, amount in rows}


DAY_MS = 86_400_000
_SPENT = sa.select(daily_spend.c.spent).where(
    daily_spend.c.account == sa.bindparam("b_account"),
    daily_spend.c.currency == sa.bindparam("b_currency"),
    daily_spend.c.day == sa.bindparam("b_day"),
)
_SPEND: dict[str, Any] = {}


def spent_on(conn: Connection, account: str, currency: str, now_ms: int) -> int:
    """What left `account` in `currency` on `now_ms`'s UTC day (refunds not deducted)."""
    row = conn.execute(_SPENT, {"b_account": account, "b_currency": currency, "b_day": now_ms // DAY_MS}).first()
    return int(row[0]) if row else 0


def add_spend(conn: Connection, account: str, currency: str, now_ms: int, amount: int) -> int:
    """Count `amount` against the account's day, in the same transaction as its entries;
    returns the day's total with it. One statement (an upsert returning the total)
    where reading then writing took two: this runs on every payment. On PostgreSQL
    the upsert locks the day's row until the transaction ends, so one account's
    movements are counted one after the other and a daily limit stays exact. A
    movement locks at most one such row, before any balance row, so this adds no
    deadlock to the balances' one order."""
    dialect = conn.dialect.name
    if dialect not in _SPEND:
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(daily_spend)
        _SPEND[dialect] = insert.on_conflict_do_update(
            index_elements=[daily_spend.c.account, daily_spend.c.currency, daily_spend.c.day],
            set_={"spent": daily_spend.c.spent + insert.excluded.spent},
        ).returning(daily_spend.c.spent)
    return int(
        conn.execute(
            _SPEND[dialect], {"account": account, "currency": currency, "day": now_ms // DAY_MS, "spent": amount}
        ).scalar_one()
    )


@dataclass(frozen=True)
class StatementLine:
    transaction_id: str
    kind: str
    at: int
    app_id: str | None
    reference: str | None
    memo: str
    currency: str
    amount: int


def statement(conn: Connection, account: str, limit: int = 100) -> list[StatementLine]:
    """The account's entries, newest first."""
    rows = conn.execute(
        sa.select(
            transactions.c.id,
            transactions.c.kind,
            transactions.c.at,
            transactions.c.app_id,
            transactions.c.reference,
            transactions.c.memo,
            entries.c.currency,
            entries.c.amount,
        )
        .select_from(entries.join(transactions, entries.c.transaction_id == transactions.c.id))
        .where(entries.c.account == account)
        .order_by(transactions.c.at.desc(), entries.c.id.desc())
        .limit(limit)
    )
    return [StatementLine(*row) for row in rows]


@dataclass(frozen=True)
class Audit:
    """What `check` found; `ok` when the books are sound."""

    problems: list[str]
    total_topups: dict[str, int]
    total_held: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.problems


def check(conn: Connection) -> Audit:
    """Re-derive the books from the entries and compare: the invariants money must keep."""
    problems: list[str] = []
    for tx, currency, total in conn.execute(
        sa.select(entries.c.transaction_id, entries.c.currency, sa.func.sum(entries.c.amount))
        .group_by(entries.c.transaction_id, entries.c.currency)
        .having(sa.func.sum(entries.c.amount) != 0)
    ):
        problems.append(f"transaction {tx} does not balance in {currency}: {total}")
    derived: dict[tuple[str, str], int] = {}
    for account, currency, total in conn.execute(
        sa.select(entries.c.account, entries.c.currency, sa.func.sum(entries.c.amount)).group_by(
            entries.c.account, entries.c.currency
        )
    ):
        derived[(account, currency)] = int(total)
    kept = {(a, c): int(b) for a, c, b in conn.execute(sa.select(balances.c.account, balances.c.currency, balances.c.balance))}
    for key in set(derived) | set(kept):
        if derived.get(key, 0) != kept.get(key, 0):
            problems.append(f"balance of {key[0]} in {key[1]} is {kept.get(key, 0)}, entries say {derived.get(key, 0)}")
        if not key[0].startswith("external:") and kept.get(key, 0) < 0:
            problems.append(f"{key[0]} is below zero in {key[1]}")
    topups: dict[str, int] = defaultdict(int)
    held: dict[str, int] = defaultdict(int)
    for (account, currency), amount in kept.items():
        if account.startswith("external:"):
            topups[currency] -= amount
        else:
            held[currency] += amount
    for currency in set(topups) | set(held):
        if topups.get(currency, 0) != held.get(currency, 0):
            problems.append(f"{currency}: accounts hold {held.get(currency, 0)}, top-ups brought {topups.get(currency, 0)}")
    return Audit(problems, dict(topups), dict(held))
