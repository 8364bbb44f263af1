"""Typed exceptions for capability calls that did not succeed."""

from __future__ import annotations


class CapabilityError(Exception):
    """Base class: a capability call the host did not carry out."""


class Refused(CapabilityError):
    """The user said no (now, or earlier and the host remembered)."""


class NotDeclared(CapabilityError):
    """The manifest does not declare this capability or scope."""


class LimitExceeded(CapabilityError):
    """A quota, rate or size limit was reached."""


class Unavailable(CapabilityError):
    """The host cannot serve this now."""


class InvalidArgument(CapabilityError):
    """An argument was malformed; the message names it."""


class PaymentCancelled(CapabilityError):
    """The user cancelled the payment sheet, or let it time out."""


class PaymentDeclined(CapabilityError):
    """Insufficient funds, or a limit."""


class PaymentConflict(CapabilityError):
    """The order id was already used with different terms."""


_BY_CASE = {
    "Refused": Refused,
    "NotDeclared": NotDeclared,
    "LimitExceeded": LimitExceeded,
    "Unavailable": Unavailable,
    "InvalidArgument": InvalidArgument,
    "Cancelled": PaymentCancelled,
    "Declined": PaymentDeclined,
    "Conflict": PaymentConflict,
}


def from_wit(value: object) -> CapabilityError:
    """The exception for a WIT error value (e.g. `Error_Refused("...")`)."""
    case = type(value).__name__.rpartition("_")[2]
    payload = getattr(value, "value", "")
    if case == "Failed":  # payment-error wraps the shared error
        return from_wit(payload)
    return _BY_CASE.get(case, CapabilityError)(str(payload))
