"""Developer signing keys: Ed25519, one PEM file per key under CAPSULE_HOME/keys."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import PackageError
from ..home import Home

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class KeyInfo:
    """A key on disk: `path` is the private key file."""

    name: str
    key_id: str
    public_key_b64: str
    path: Path


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    """Short, stable name of a public key: first 16 hex digits of its sha256."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def key_info(name: str, key: Ed25519PrivateKey, path: Path) -> KeyInfo:
    raw = raw_public_key(key.public_key())
    return KeyInfo(name, key_id(raw), base64.b64encode(raw).decode("ascii"), path)


def _paths(home: Home, name: str) -> tuple[Path, Path]:
    # The name becomes a file name: keep it to one plain path component.
    if not _NAME.match(name):
        raise PackageError(
            f"key name {name!r} is not allowed; use letters, digits, '.', '_' or '-' (up to 64)",
            code="bad-key-name",
        )
    return home.keys / f"{name}.key", home.keys / f"{name}.pub"


def _write(path: Path, data: bytes, mode: int, *, replace: bool) -> None:
    """Write whole or not at all; without `replace`, never clobber an existing file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # atomic and fails if `path` exists, unlike rename
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def generate_key(home: Home, name: str = "default", *, force: bool = False) -> KeyInfo:
    """Make `<home.keys>/<name>.key` (PKCS8 PEM, mode 0600) and `<name>.pub`."""
    private_path, public_path = _paths(home, name)
    if private_path.exists() and not force:
        raise PackageError(
            f"a key named {name!r} already exists at {private_path}; pass --force to replace it "
            "(packages signed with the old key will no longer match your new key id)",
            code="key-exists",
        )
    try:
        os.chmod(home.keys, 0o700)
    except OSError:
        pass  # best effort: the key file itself is 0600 regardless
    key = Ed25519PrivateKey.generate()
    pem = private_pem(key)
    pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        _write(private_path, pem, 0o600, replace=force)
    except FileExistsError:
        raise PackageError(
            f"a key named {name!r} was just created at {private_path} by someone else; pass --force to replace it",
            code="key-exists",
        ) from None
    _write(public_path, pub, 0o644, replace=True)
    return key_info(name, key, private_path)


def load_signing_key(home: Home, name: str = "default") -> Ed25519PrivateKey:
    """The private key `name`; PackageError `key-missing` or `bad-key` otherwise."""
    private_path, _ = _paths(home, name)
    try:
        pem = private_path.read_bytes()
    except FileNotFoundError:
        option = "" if name == "default" else f" --name {name}"
        raise PackageError(
            f"no signing key named {name!r} at {private_path}; make one with `capsule keygen{option}`",
            code="key-missing",
        ) from None
    return signing_key_from_pem(pem, str(private_path))


def private_pem(key: Ed25519PrivateKey) -> bytes:
    """`key` as unencrypted PKCS8 PEM (what key files and the database's platform secrets hold)."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def signing_key_from_pem(pem: bytes, where: str) -> Ed25519PrivateKey:
    """The Ed25519 key in `pem`; PackageError `bad-key` naming `where` it came from otherwise."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise PackageError(
            f"{where} is not a readable unencrypted PEM private key ({error}); "
            f"restore it from your backup or replace it with `capsule keygen --force`",
            code="bad-key",
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise PackageError(
            f"{where} holds a {type(key).__name__}, not an Ed25519 key; "
            "replace it with `capsule keygen --force`",
            code="bad-key",
        )
    return key
