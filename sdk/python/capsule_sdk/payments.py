"""Payments the user confirms on the host's payment sheet. Amounts are integer minor units."""

from __future__ import annotations

from typing import Any

from ._bindings import call, interface


def request_payment(
    order_id: str, amount: int, currency: str, description: str, items: list[tuple[str, int, int]] = ()
) -> Any:
    """Ask the user to pay; returns the signed receipt. `items` are (name, quantity, unit_amount)."""
    m = interface("payments")
    lines = [m.LineItem(name=n, quantity=q, unit_amount=u) for n, q, u in items]
    return call("payments", "request_payment", m.PaymentRequest(order_id, amount, currency, description, lines))


def query_order(order_id: str) -> Any | None:
    found = call("payments", "query_order", order_id)
    return found[0] if found else None


def refund(order_id: str, refund_id: str, amount: int, reason: str = "") -> Any:
    return call("payments", "refund", order_id, refund_id, amount, reason)


def transfer(to_user: str, amount: int, currency: str, note: str = "") -> Any:
    return call("payments", "transfer", to_user, amount, currency, note)


def create_red_envelope(total: int, currency: str, shares: int, note: str = "", expires_in_seconds: int = 86400) -> Any:
    return call("payments", "create_red_envelope", total, currency, shares, note, expires_in_seconds)


def claim_red_envelope(envelope_id: str) -> int:
    return int(call("payments", "claim_red_envelope", envelope_id))
