"""Receiving the host's payment notifications: verify, then act once per event id.

The host retries a notification until the backend answers 2xx, so the same
event can arrive more than once; `NotificationInbox` remembers event ids.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from .receipts import ReceiptError, verify_receipt


def verify_notification(body: bytes | str, public_key_b64: str) -> dict[str, Any]:
    """The notification as a dict, with `receipt` replaced by its verified fields."""
    try:
        event = json.loads(body)
        receipt = event["receipt"]
        fields = verify_receipt(receipt["payload"], receipt["signature"], public_key_b64)
    except (KeyError, TypeError, json.JSONDecodeError) as error:
        raise ReceiptError(f"not a Capsule notification: {error}") from None
    return {**event, "receipt": fields}


class NotificationInbox:
    """Verified notifications, each event id accepted once (keep `seen` in your
    database in production: a set in memory forgets on restart)."""

    def __init__(self, public_key_b64: str, seen: set[str] | None = None) -> None:
        self.public_key_b64 = public_key_b64
        self.seen = seen if seen is not None else set()
        self._lock = threading.Lock()

    def accept(self, body: bytes | str) -> dict[str, Any] | None:
        """The event if it is new, None if it was already accepted; ReceiptError if forged."""
        event = verify_notification(body, self.public_key_b64)
        with self._lock:
            if event["event_id"] in self.seen:
                return None
            self.seen.add(event["event_id"])
        return event
