"""Receiving the host's payment notifications: verify, then act once per event id.

The host POSTs a JSON body with its Ed25519 signature over the exact body in
the `Capsule-Signature` header. It retries until the backend answers 2xx, so
the same event can arrive more than once; `NotificationInbox` remembers ids.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .receipts import ReceiptError, verify_receipt

SIGNATURE_HEADER = "Capsule-Signature"


def verify_notification(body: bytes | str, signature: str, public_key_b64: str) -> dict[str, Any]:
    """The event as a dict, with `receipt` replaced by its verified fields; ReceiptError if forged."""
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        key.verify(base64.b64decode(signature, validate=True), raw)
    except (binascii.Error, ValueError, InvalidSignature):
        raise ReceiptError("the notification's signature does not match its body: ignore it") from None
    try:
        event = json.loads(raw)
        receipt = event["receipt"]
        fields = verify_receipt(receipt["payload"], receipt["signature"], public_key_b64)
    except (KeyError, TypeError, json.JSONDecodeError) as error:
        raise ReceiptError(f"not a Capsule notification: {error}") from None
    return {**event, "receipt": fields}


class NotificationInbox:
    """Verified notifications, each event id accepted once. Pass a `seen` set that
    lives in your database in production: one in memory forgets on restart."""

    def __init__(self, public_key_b64: str, seen: set[str] | None = None) -> None:
        self.public_key_b64 = public_key_b64
        self.seen = seen if seen is not None else set()
        self._lock = threading.Lock()

    def accept(self, body: bytes | str, signature: str) -> dict[str, Any] | None:
        """The event if it is new, None if it was already accepted; ReceiptError if forged."""
        event = verify_notification(body, signature, self.public_key_b64)
        with self._lock:
            if event["event_id"] in self.seen:
                return None
            self.seen.add(event["event_id"])
        return event
