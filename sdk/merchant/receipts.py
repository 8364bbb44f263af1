"""Offline verification of a host-signed receipt (Ed25519 over canonical JSON)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SUPPORTED_VERSION = 1


class ReceiptError(ValueError):
    """The receipt is not one the host signed (or not one this verifier understands)."""


def verify_receipt(payload: str, signature: str, public_key_b64: str) -> dict[str, Any]:
    """The receipt's fields if `signature` is the host's over `payload`; else ReceiptError."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        raw_signature = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ReceiptError(f"malformed key or signature: {error}") from None
    try:
        key.verify(raw_signature, payload.encode("utf-8"))
    except InvalidSignature:
        raise ReceiptError("the signature does not match: the receipt was altered or signed by another key") from None
    fields = json.loads(payload)
    if fields.get("v") != SUPPORTED_VERSION:
        raise ReceiptError(f"receipt version {fields.get('v')!r} is not supported; update capsule.sdk.merchant")
    return fields
