"""Whether a package may replace the installed program with the same id.

A program's id is where its users' data lives: storage, grants, pairwise ids,
payments. So a package that names an installed id must come from the same
developer key, and must move forward:

- another signing key is a takeover, unless the old key signed a rotation to
  the new one (`KeyRotation`), or the registry the host pins countersigned the
  package (the registry checked the uploader owns the id);
- a lower version, or the same version with other content, is a downgrade
  (an old version may have a hole the new one closed), unless that registry
  countersigned it (a rollback it decided on).

Reinstalling exactly what is installed (same version, same digest) is fine.
A developer's own tools (`capsule run DIR`, the test helper) install what they
just built from a folder with `rebuilt=True`: the version rule then gives way
(an edit without a version bump), the key rule never does.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import PackageError
from ..manifest.version import Version
from .keys import key_id, raw_public_key

_ROTATION_PREFIX = b"capsule-key-rotation-v1\n"


@dataclass(frozen=True)
class Installed:
    """What identifies one installed (or arriving) version of a program."""

    app_id: str
    version: str
    digest: str
    key_id: str


@dataclass(frozen=True)
class KeyRotation:
    """The old key's word that `new_key_id` now signs `app_id`.

    `old_public_key` is base64 of the raw Ed25519 key (its id must be the
    installed key id); `signature` is base64 over `rotation_message(...)`.
    """

    app_id: str
    old_public_key: str
    new_key_id: str
    signature: str


@dataclass(frozen=True)
class Countersignature:
    """A registry's countersignature of the package (with the time it was issued),
    and that registry's pinned key."""

    registry_key: str
    signature: str
    issued_at: int


def rotation_message(app_id: str, new_key_id: str) -> bytes:
    # Its own prefix: no package signature or countersignature can pass for a rotation.
    return _ROTATION_PREFIX + f"{app_id}\n{new_key_id}".encode()


def sign_rotation(old_key: Ed25519PrivateKey, app_id: str, new_key_id: str) -> KeyRotation:
    """What the holder of the old key hands over when a program changes keys."""
    raw = raw_public_key(old_key.public_key())
    signature = old_key.sign(rotation_message(app_id, new_key_id))
    return KeyRotation(app_id, base64.b64encode(raw).decode(), new_key_id, base64.b64encode(signature).decode())


def check_replacement(
    installed: Installed | None,
    incoming: Installed,
    *,
    rotation: KeyRotation | None = None,
    countersignature: Countersignature | None = None,
    rebuilt: bool = False,
) -> None:
    """Raise PackageError (`key-changed` or `downgrade`) unless `incoming` may replace `installed`."""
    if installed is None or installed == incoming:
        return
    registry = countersignature is not None and _countersigned(incoming, countersignature)
    if installed.key_id != incoming.key_id and not registry and not _rotated(installed, incoming, rotation):
        raise PackageError(
            f"{incoming.app_id} is installed signed by key {installed.key_id}, and this package "
            f"({incoming.version}) is signed by key {incoming.key_id}: another developer cannot take over "
            "an installed program (its users' data, grants and ids). If the developer changed keys, install "
            "it with a key rotation signed by the old key, or from the registry that released it",
            code="key-changed",
        )
    if registry or rebuilt:
        return
    old, new = Version.parse(installed.version), Version.parse(incoming.version)
    if new < old:
        raise PackageError(
            f"{incoming.app_id} {installed.version} is installed; this package is the older {incoming.version}. "
            "Going back could bring back what a newer version fixed: install a version above "
            f"{installed.version}, or install the older one from the registry that rolled it back",
            code="downgrade",
        )
    if new == old and installed.digest != incoming.digest:
        raise PackageError(
            f"{incoming.app_id} {incoming.version} is installed with content {installed.digest}; this package "
            f"has the same version with other content ({incoming.digest}). A changed program needs a new "
            "version: raise `version` in manifest.json and rebuild",
            code="downgrade",
        )


def _rotated(installed: Installed, incoming: Installed, rotation: KeyRotation | None) -> bool:
    if rotation is None or rotation.app_id != incoming.app_id or rotation.new_key_id != incoming.key_id:
        return False
    try:
        raw = base64.b64decode(rotation.old_public_key, validate=True)
        if key_id(raw) != installed.key_id:
            return False
        Ed25519PublicKey.from_public_bytes(raw).verify(
            base64.b64decode(rotation.signature, validate=True), rotation_message(incoming.app_id, incoming.key_id)
        )
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _countersigned(incoming: Installed, countersignature: Countersignature) -> bool:
    from ..registry.countersign import verify_countersignature  # the registry builds on packages, not the reverse

    try:
        verify_countersignature(
            countersignature.registry_key,
            incoming.app_id,
            incoming.version,
            incoming.digest,
            countersignature.issued_at,
            countersignature.signature,
        )
    except PackageError:
        return False
    return True
