"""The `payments` capability: host side, provider protocol, embedded ledger.

The manifest section is `permission.py`; it is not imported here because the
manifest package imports it while this package is still loading.
"""

from .embedded import EmbeddedProvider
from .errors import PaymentCancelled, PaymentConflict, PaymentDeclined
from .host import PaymentsCapability
from .limits import PaymentLimits
from .pin import PinLocked, PinStore, WrongPin
from .provider import Charge, Envelope, Order, PaymentProvider, Receipt, RefundReceipt
from .receipts import ReceiptSigner

__all__ = [
    "Charge",
    "EmbeddedProvider",
    "Envelope",
    "Order",
    "PaymentCancelled",
    "PaymentConflict",
    "PaymentDeclined",
    "PaymentLimits",
    "PaymentProvider",
    "PaymentsCapability",
    "PinLocked",
    "PinStore",
    "Receipt",
    "ReceiptSigner",
    "RefundReceipt",
    "WrongPin",
]
