"""The provider protocol: what a host's payment processor implements.

The host side (`host.py`) validates arguments, enforces limits it can check up
front, shows the payment sheet and maps errors; a provider moves the money.
Every method is called after the user confirmed (where confirmation applies),
must be atomic (all of a movement or none of it) and idempotent where the
arguments carry an id. `EmbeddedProvider` (`embedded.py`) is the default: a
ledger in the runtime's database.

Providers raise `PaymentDeclined` (funds, limits), `PaymentConflict` (an id
reused with other terms) or `InvalidArgument`/`Unavailable` from
`capsule.runtime.capabilities`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Receipt:
    """Proof of a payment or transfer: `payload` is the signed canonical JSON."""

    transaction_id: str
    order_id: str
    amount: int
    currency: str
    paid_at: int
    payload: str
    signature: str


@dataclass(frozen=True)
class Charge:
    """A confirmed payment to carry out for `app_id`'s merchant."""

    app_id: str
    user: str
    #: The payer as the program knows them (pseudonymous); goes in the receipt.
    payer_id: str
    order_id: str
    amount: int
    currency: str
    description: str
    #: (name, quantity, unit amount) lines as the program sent them.
    items: tuple[tuple[str, int, int], ...] = ()
    #: The most the user may pay out in `currency` today, this payment included.
    daily_limit: int | None = None
    #: Where to send a signed notification once paid (None: no notification).
    notify_url: str | None = None

    def terms(self) -> dict[str, object]:
        """What must match for a repeated order id to be "the same payment"."""
        return {
            "user": self.user,
            "amount": self.amount,
            "currency": self.currency,
            "description": self.description,
            "items": [list(i) for i in self.items],
        }


@dataclass(frozen=True)
class Order:
    """A paid order as the merchant sees it."""

    order_id: str
    transaction_id: str
    amount: int
    refunded: int
    currency: str
    user: str
    terms: str
    receipt: Receipt

    @property
    def state(self) -> str:
        if self.refunded == 0:
            return "paid"
        return "refunded" if self.refunded >= self.amount else "partially-refunded"


@dataclass(frozen=True)
class RefundReceipt:
    refund_id: str
    order_id: str
    amount: int
    currency: str
    refunded_at: int
    payload: str
    signature: str


@dataclass(frozen=True)
class Envelope:
    envelope_id: str
    total: int
    currency: str
    shares: int
    claimed: int
    expires_at: int
    state: str = "open"
    amounts: tuple[int, ...] = field(default=(), repr=False)


@runtime_checkable
class PaymentProvider(Protocol):
    """Implement this to plug a real payment processor into the host."""

    def balance(self, user: str, currency: str) -> int:
        """The user's spendable balance, for the payment sheet."""
        ...

    def find_order(self, app_id: str, order_id: str) -> Order | None: ...

    def charge(self, charge: Charge) -> Receipt:
        """Debit the user and credit the merchant once per (app_id, order_id).

        The same order id with the same `terms()` returns the first receipt;
        other terms raise `PaymentConflict`.
        """
        ...

    def refund(
        self, app_id: str, order_id: str, refund_id: str, amount: int, reason: str, notify_url: str | None = None
    ) -> RefundReceipt:
        """Give back part or all of a paid order, idempotent by `refund_id`; never more than was paid."""
        ...

    def transfer(
        self, app_id: str, payer: str, payer_id: str, payee: str, payee_id: str, amount: int, currency: str, note: str,
        daily_limit: int | None,
    ) -> Receipt: ...

    def create_envelope(
        self, app_id: str, sender: str, total: int, currency: str, shares: int, note: str, expires_in: int,
        daily_limit: int | None,
    ) -> Envelope: ...

    def claim_envelope(self, app_id: str, envelope_id: str, user: str) -> int: ...
