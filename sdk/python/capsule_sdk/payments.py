"""Payments the user confirms on the host's payment sheet. Amounts are integer minor units.

Every function raises `PaymentCancelled` (the user said no or did not answer),
`PaymentDeclined` (insufficient funds, a limit, an empty or expired envelope),
`PaymentConflict` (an order or refund id reused with other terms) or one of the
shared errors (`InvalidArgument`, `NotDeclared`, ...). See docs/payments.md.
"""

from __future__ import annotations

from typing import Any

from ._bindings import call, interface
from ._checks import U32, whole


def request_payment(
    order_id: str, amount: int, currency: str, description: str, items: list[tuple[str, int, int]] = ()
) -> Any:
    """Ask the user to pay; returns the signed receipt (`transaction_id`, `order_id`,
    `amount`, `currency`, `paid_at`, `payload`, `signature`).

    `items` are (name, quantity, unit_amount) and must add up to `amount`. Asking
    again with the same order id and terms returns the same receipt, charged once.
    """
    m = interface("payments")
    lines = [
        m.LineItem(name=n, quantity=whole(q, f"items[{i}] quantity", most=U32), unit_amount=whole(u, f"items[{i}] unit amount"))
        for i, (n, q, u) in enumerate(items)
    ]
    request = m.PaymentRequest(order_id, whole(amount, "amount"), currency, description, lines)
    return call("payments", "request_payment", request)


def query_order(order_id: str) -> Any | None:
    """The paid order (`amount`, `refunded`, `state`, `transaction_id`), or None."""
    found = call("payments", "query_order", order_id)
    return found[0] if found else None


def refund(order_id: str, refund_id: str, amount: int, reason: str = "") -> Any:
    """Give back `amount` of a paid order; idempotent by `refund_id`; returns a signed refund receipt."""
    return call("payments", "refund", order_id, refund_id, whole(amount, "amount"), reason)


def transfer(to_user: str, amount: int, currency: str, note: str = "") -> Any:
    """Pay another user of this program, named by the id `profile.user_id()` gave them."""
    return call("payments", "transfer", to_user, whole(amount, "amount"), currency, note)


def create_red_envelope(total: int, currency: str, shares: int, note: str = "", expires_in_seconds: int = 86400) -> Any:
    """Put `total` in escrow, cut at random into `shares`; the remainder returns on expiry."""
    return call(
        "payments",
        "create_red_envelope",
        whole(total, "total"),
        currency,
        whole(shares, "shares", most=U32),
        note,
        whole(expires_in_seconds, "expires_in_seconds", most=U32),
    )


def claim_red_envelope(envelope_id: str) -> int:
    """Claim one share (once per user); returns the amount received."""
    return int(call("payments", "claim_red_envelope", envelope_id))
