"""Writing a package: a deterministic, signed ZIP, published atomically."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..errors import PackageError
from .digest import package_digest
from .format import ASSETS, COMPONENT, MANIFEST, SIGNATURE, check_name
from .limits import PackageLimits
from .loader import open_package
from .signing import sign

#: ZIP cannot store dates before 1980; one fixed date makes the bytes reproducible.
EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class PackageInfo:
    path: Path
    digest: str
    size: int
    key_id: str


def _read(source: bytes | os.PathLike[str] | str) -> bytes:
    return source if isinstance(source, bytes) else Path(source).read_bytes()


def _asset_members(assets: Mapping[str, bytes | os.PathLike[str]] | os.PathLike[str] | str | None) -> dict[str, bytes]:
    """Assets by member name. A mapping's keys are member names ("assets/x.png");
    a directory is the assets folder itself, walked recursively."""
    if assets is None:
        return {}
    if isinstance(assets, (str, os.PathLike)):
        root = Path(assets)
        return {ASSETS + p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    members = {}
    for name, source in assets.items():
        if not name.startswith(ASSETS) or name == ASSETS:
            raise PackageError(
                f"asset name {name!r} must be a path under {ASSETS!r}, like 'assets/logo.png'",
                code="unexpected-member",
            )
        members[name] = _read(source)
    return members


def pack(
    out_path: str | os.PathLike[str],
    manifest_bytes: bytes,
    component: bytes | str | os.PathLike[str],
    assets: Mapping[str, bytes | os.PathLike[str]] | str | os.PathLike[str] | None,
    signing_key: Ed25519PrivateKey,
    *,
    limits: PackageLimits | None = None,
) -> PackageInfo:
    """Write and sign a `component` package at `out_path`; same input, same bytes."""
    members = {MANIFEST: manifest_bytes, COMPONENT: _read(component), **_asset_members(assets)}
    return pack_members(out_path, members, signing_key, limits=limits)


def pack_members(
    out_path: str | os.PathLike[str],
    members: Mapping[str, bytes],
    signing_key: Ed25519PrivateKey,
    *,
    limits: PackageLimits | None = None,
) -> PackageInfo:
    """Write and sign a package of these members (any kind) at `out_path`; same input, same bytes.

    The result is opened with `open_package` before it replaces `out_path`, so
    a package this returns is one every host with these limits accepts.
    """
    limits = limits or PackageLimits()
    members = dict(members)
    for name in members:
        check_name(name, limits.max_path_length)
    digest = package_digest(members)
    members[SIGNATURE] = sign(signing_key, digest)

    out = Path(out_path)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w") as archive:
                for name in sorted(members):
                    info = zipfile.ZipInfo(name, EPOCH)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.create_system = 3  # Unix, whatever the platform, so attributes mean the same
                    info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
                    archive.writestr(info, members[name], compresslevel=9)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; a package is meant to be shared
        verified = open_package(tmp, limits)
        os.replace(tmp, out)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
    return PackageInfo(out, verified.digest, verified.size, verified.key_id)
