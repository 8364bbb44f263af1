"""Hand-crafted archives for the loader tests: zipfile used directly, so each
test can break exactly one rule."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from capsule.runtime.package import package_digest
from capsule.runtime.package.signing import sign

KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()
MANIFEST = b'{"id": "com.example.test", "version": "1.0.0"}'
WASM = b"\0asm\x0d\0\x01\0" + bytes(range(256)) * 8
LOGO = b"\x89PNG not really" * 10

Entry = tuple[str | zipfile.ZipInfo, bytes]


def base() -> list[Entry]:
    return [("manifest.json", MANIFEST), ("program.wasm", WASM), ("assets/logo.png", LOGO)]


def info(name: str, mode: int | None = None) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name)
    entry.compress_type = zipfile.ZIP_DEFLATED
    if mode is not None:
        entry.external_attr = mode << 16
    return entry


def craft(
    path: Path,
    entries: list[Entry] | None = None,
    *,
    key: Ed25519PrivateKey = KEY,
    signed: bool = True,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A ZIP of `entries` plus a valid signature.json over them (unless not `signed`)."""
    entries = base() if entries is None else entries
    if signed:
        names = [(e.filename if isinstance(e, zipfile.ZipInfo) else e, data) for e, data in entries]
        content = {name: data for name, data in names if not name.endswith("/")}
        entries = [*entries, ("signature.json", sign(key, package_digest(content)))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicates some tests want
        with zipfile.ZipFile(path, "w", compression) as archive:
            for entry, data in entries:
                archive.writestr(entry, data)
    return path


def members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite(path: Path, members: dict[str, bytes]) -> Path:
    """Write `members` as they are: no re-signing."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path
