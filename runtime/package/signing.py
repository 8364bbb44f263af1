"""`signature.json`: an Ed25519 signature over the package digest."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import PackageError
from .format import FORMAT, SIGNATURE
from .keys import key_id, raw_public_key

ALGORITHM = "ed25519"
#: signature.json is a few hundred bytes; anything far bigger is not one.
MAX_SIGNATURE_BYTES = 16 * 1024

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_FIELDS = {"format", "algorithm", "public_key", "key_id", "digest", "signature"}


def signed_message(digest: str) -> bytes:
    # The prefix separates this use of the key from any other thing it might sign.
    return f"{FORMAT}\n".encode() + digest.encode("ascii")


@dataclass(frozen=True)
class Signature:
    public_key: bytes  # raw, 32 bytes
    key_id: str
    digest: str
    signature: bytes  # raw, 64 bytes

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_key).decode("ascii")

    def verify(self) -> None:
        """Raise `bad-signature` unless the signature matches the digest and key."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(self.signature, signed_message(self.digest))
        except (InvalidSignature, ValueError):  # ValueError: bytes that are no curve point
            raise PackageError(
                f"the signature in {SIGNATURE} does not verify with its public key {self.key_id}; "
                "the package was altered or signed wrongly: get a fresh copy from its developer",
                code="bad-signature",
            ) from None


def sign(key: Ed25519PrivateKey, digest: str) -> bytes:
    """The content of signature.json for `digest`."""
    raw = raw_public_key(key.public_key())
    document = {
        "format": FORMAT,
        "algorithm": ALGORITHM,
        "public_key": base64.b64encode(raw).decode("ascii"),
        "key_id": key_id(raw),
        "digest": digest,
        "signature": base64.b64encode(key.sign(signed_message(digest))).decode("ascii"),
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def _bad(problem: str) -> PackageError:
    return PackageError(
        f"{SIGNATURE} is malformed: {problem}; rebuild and re-sign the package with `capsule build`",
        code="bad-signature-file",
    )


def _b64(document: dict[str, object], field: str, size: int) -> bytes:
    value = document[field]
    try:
        if not isinstance(value, str):
            raise ValueError
        raw = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        raise _bad(f"'{field}' is not base64") from None
    if len(raw) != size:
        raise _bad(f"'{field}' decodes to {len(raw)} bytes, expected {size}")
    return raw


def parse_signature(data: bytes) -> Signature:
    """Parse signature.json strictly: exactly the known fields, each well formed."""
    if len(data) > MAX_SIGNATURE_BYTES:
        raise _bad(f"it is {len(data)} bytes, more than {MAX_SIGNATURE_BYTES}")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad("it is not UTF-8 JSON") from None
    if not isinstance(document, dict):
        raise _bad("it is not a JSON object")
    if set(document) != _FIELDS:
        raise _bad(f"expected exactly the fields {sorted(_FIELDS)}, found {sorted(document)}")
    if document["format"] != FORMAT:
        raise _bad(f"format is {document['format']!r}, this host reads {FORMAT!r}")
    if document["algorithm"] != ALGORITHM:
        raise _bad(f"algorithm is {document['algorithm']!r}, only {ALGORITHM!r} is supported")
    digest = document["digest"]
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        raise _bad("'digest' is not 'sha256:' and 64 lowercase hex digits")
    public_key = _b64(document, "public_key", 32)
    if document["key_id"] != key_id(public_key):
        raise _bad("'key_id' does not belong to 'public_key'")
    return Signature(public_key, key_id(public_key), digest, _b64(document, "signature", 64))
