"""The registry's countersignature: "this registry reviewed and released this
digest at this time".

A host that installs from a registry pins the registry's public key and
refuses any package whose (app id, version, digest) the registry did not sign.
A countersignature never expires by itself; what says a version is still good
is its signed status (`status.py`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import PackageError
from ..database import Database
from ..database.secrets import shared_signing_key
from ..home import Home
from ..package.keys import key_id, raw_public_key

#: The registry's key: its name among the platform secrets (and its file name before them).
KEY_NAME = "registry"
_PREFIX = b"capsule-registry-countersignature-v2\n"


def countersigned_message(app_id: str, version: str, digest: str, issued_at: int) -> bytes:
    # A distinct prefix: a developer signature can never pass for a countersignature.
    return _PREFIX + f"{app_id}\n{version}\n{digest}\n{issued_at}".encode()


@dataclass(frozen=True)
class RegistryKey:
    private: Ed25519PrivateKey

    @classmethod
    def shared(cls, database: Database, home: Home) -> "RegistryKey":
        """The registry's key, one for every registry process on `database` (a platform
        secret; a key file an older registry kept in `home` is adopted the first time)."""
        return cls(shared_signing_key(database, KEY_NAME, legacy=home.keys / f"{KEY_NAME}.key"))

    @property
    def public_key(self) -> str:
        return base64.b64encode(raw_public_key(self.private.public_key())).decode("ascii")

    @property
    def key_id(self) -> str:
        return key_id(raw_public_key(self.private.public_key()))

    def countersign(self, app_id: str, version: str, digest: str, issued_at: int) -> str:
        return self.sign(countersigned_message(app_id, version, digest, issued_at))

    def sign(self, message: bytes) -> str:
        """The base64 signature of `message`; callers give each kind of message its own prefix."""
        return base64.b64encode(self.private.sign(message)).decode("ascii")


def signed_by(public_key: str, message: bytes, signature: object) -> bool:
    """Whether `signature` (base64) is the signature of `message` by `public_key` (base64)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), message)  # type: ignore[arg-type]
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def verify_countersignature(public_key: str, app_id: str, version: str, digest: str, issued_at: object, signature: object) -> None:
    """Raise PackageError `not-countersigned` unless the registry signed exactly this."""
    good = isinstance(issued_at, int) and not isinstance(issued_at, bool)
    if not good or not signed_by(public_key, countersigned_message(app_id, version, digest, issued_at), signature):  # type: ignore[arg-type]
        raise PackageError(
            f"{app_id} {version} ({digest}) has no valid countersignature from the registry key you trust; "
            "it was not released by that registry: do not install it",
            code="not-countersigned",
        )
