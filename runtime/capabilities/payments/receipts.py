"""Signed receipts: canonical JSON, signed with the host's Ed25519 key.

Canonical means sorted keys, no spaces, UTF-8: the bytes a merchant verifies
are exactly the `payload` string it was handed, so it never re-serializes.
The merchant side of this (`capsule.sdk.merchant`) needs only the host's
public key, no call to the host.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ...package.keys import key_id, raw_public_key

#: Bumped if the payload's meaning ever changes; verifiers check it.
RECEIPT_VERSION = 1


def canonical_json(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Signed:
    """A canonical JSON payload and its base64 Ed25519 signature."""

    payload: str
    signature: str


class ReceiptSigner:
    """Signs receipt payloads with the host key. Ed25519 is deterministic, so the
    same payload always gets the same signature (an idempotent replay returns
    byte-identical receipts)."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        raw = raw_public_key(key.public_key())
        self.key_id = key_id(raw)
        self.public_key_b64 = base64.b64encode(raw).decode("ascii")

    def sign(self, kind: str, fields: dict[str, Any]) -> Signed:
        document = {"v": RECEIPT_VERSION, "type": kind, "key_id": self.key_id, **fields}
        payload = canonical_json(document)
        return Signed(payload, self.sign_bytes(payload))

    def sign_bytes(self, text: str) -> str:
        """Base64 Ed25519 signature over the UTF-8 of `text`."""
        return base64.b64encode(self._key.sign(text.encode("utf-8"))).decode("ascii")
