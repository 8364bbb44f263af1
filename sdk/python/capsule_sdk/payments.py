"""Payments the user confirms on the host's payment sheet. Amounts are integer minor units.

Every function raises `PaymentCancelled` (the user said no or did not answer),
`PaymentDeclined` (insufficient funds, a limit, an empty or expired envelope),
`PaymentConflict` (an order or refund id reused with other terms) or one of the
shared errors (`InvalidArgument`, `NotDeclared`, ...). See docs/payments.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._bindings import call, interface
from ._checks import U32, whole
from .types import Envelope, Order, OrderState, Receipt, RefundReceipt, from_wit

__all__ = [
    "Envelope",
    "Order",
    "OrderState",
    "Receipt",
    "RefundReceipt",
    "claim_red_envelope",
    "create_red_envelope",
    "query_order",
    "refund",
    "request_payment",
    "transfer",
]


def request_payment(
    order_id: str, amount: int, currency: str, description: str, items: Sequence[tuple[str, int, int]] = ()
) -> Receipt:
    """Ask the user to pay `amount` minor units of `currency`; the host's signed `Receipt`.

    `items` are (name, quantity, unit_amount) and must add up to `amount`. Asking
    again with the same order id and terms returns the same receipt, charged once.
    """
    m = interface("payments")
    lines = [
        m.LineItem(name=n, quantity=whole(q, f"items[{i}] quantity", most=U32), unit_amount=whole(u, f"items[{i}] unit amount"))
        for i, (n, q, u) in enumerate(items)
    ]
    request = m.PaymentRequest(order_id, whole(amount, "amount"), currency, description, lines)
    return from_wit(Receipt, call("payments", "request_payment", request))


def query_order(order_id: str) -> Order | None:
    """The paid `Order` with this id (amount, refunded, state), or None when there is none."""
    found = call("payments", "query_order", order_id)
    return from_wit(Order, found[0], state=OrderState.from_wit(found[0].state)) if found else None


def refund(order_id: str, refund_id: str, amount: int, reason: str = "") -> RefundReceipt:
    """Give back `amount` of a paid order (never more than was paid); idempotent by `refund_id`."""
    return from_wit(RefundReceipt, call("payments", "refund", order_id, refund_id, whole(amount, "amount"), reason))


def transfer(to_user: str, amount: int, currency: str, note: str = "") -> Receipt:
    """Pay another user of this program, named by the id `profile.user_id()` gave them; a signed `Receipt`."""
    return from_wit(Receipt, call("payments", "transfer", to_user, whole(amount, "amount"), currency, note))


def create_red_envelope(
    total: int, currency: str, shares: int, note: str = "", expires_in_seconds: int = 86400
) -> Envelope:
    """Put `total` in escrow, cut at random into `shares`; the remainder returns on expiry."""
    made = call(
        "payments",
        "create_red_envelope",
        whole(total, "total"),
        currency,
        whole(shares, "shares", most=U32),
        note,
        whole(expires_in_seconds, "expires_in_seconds", most=U32),
    )
    return from_wit(Envelope, made)


def claim_red_envelope(envelope_id: str) -> int:
    """Claim one share (once per user); the minor units received."""
    return int(call("payments", "claim_red_envelope", envelope_id))
