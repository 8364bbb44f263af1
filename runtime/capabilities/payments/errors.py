"""The payment-specific outcomes of the `payment-error` WIT variant.

`cancelled`, `declined` and `conflict` are their own WIT cases so a program can
tell "the user said no" from "not enough money" from "you reused an order id".
Outside a `payment-error` (e.g. `query-order`) they fall back to the shared
`error` variant's nearest case.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..base import CapabilityError
from ..wit import variant


class PaymentError(CapabilityError):
    """Base of the payment-only cases."""

    #: The case used when the function's error type is the shared `error`.
    fallback: ClassVar[str] = "unavailable"

    def lower(self, shape: str = "error") -> Any:
        if shape == "payment-error":
            return variant(self.tag, str(self))
        return variant(self.fallback, str(self))


class PaymentCancelled(PaymentError):
    """The user cancelled the sheet or let it time out."""

    tag = "cancelled"
    fallback = "refused"


class PaymentDeclined(PaymentError):
    """Insufficient funds, or a per-transaction or daily limit."""

    tag = "declined"
    fallback = "limit-exceeded"


class PaymentConflict(PaymentError):
    """The same order (or refund) id was used with different terms."""

    tag = "conflict"
    fallback = "invalid-argument"
