"""Capsule packages: the signed ZIP format, developer keys, and the loader
that opens untrusted packages. See docs/packages.md."""

from .archive import PackageInfo, pack, pack_members
from .digest import package_digest
from .keys import KeyInfo, generate_key, load_signing_key
from .limits import PackageLimits
from .loader import VerifiedPackage, open_package

__all__ = [
    "KeyInfo",
    "PackageInfo",
    "PackageLimits",
    "VerifiedPackage",
    "generate_key",
    "load_signing_key",
    "open_package",
    "pack",
    "pack_members",
    "package_digest",
]
