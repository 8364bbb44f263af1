"""For merchants' backends: verify Capsule receipts and notifications offline.

    from capsule.sdk.merchant import verify_receipt
    fields = verify_receipt(receipt.payload, receipt.signature, HOST_PUBLIC_KEY_B64)
    assert fields["order_id"] == my_order and fields["amount"] == my_amount

Only the host's public key is needed (`capsule wallet host-key` prints it);
no call to the host. Check the fields against your own order: a valid
signature proves the host wrote the receipt, not that it is for this order.

`MessagesClient` sends messages to the program's users through the host's
merchant API, with one of the program's server keys (see messages.py).
"""

from .receipts import ReceiptError, verify_receipt
from .messages import MessagesClient, MessagesRefused
from .notifications import SIGNATURE_HEADER, NotificationInbox, verify_notification

__all__ = [
    "SIGNATURE_HEADER",
    "MessagesClient",
    "MessagesRefused",
    "NotificationInbox",
    "ReceiptError",
    "verify_notification",
    "verify_receipt",
]
