"""What a package may contain: the member names and the rules they follow.

Shared by the writer and the loader, so `pack` can never produce a package
that `open_package` refuses for its names.
"""

from __future__ import annotations

import re

from ..errors import PackageError

#: Names the format; also the domain-separation prefix of the signed message.
FORMAT = "capsule-package-v1"
EXTENSION = ".capsule"

MANIFEST = "manifest.json"
COMPONENT = "program.wasm"
SIGNATURE = "signature.json"
ASSETS = "assets/"
REQUIRED = (MANIFEST, COMPONENT, SIGNATURE)

_DRIVE = re.compile(r"^[A-Za-z]:")
# NUL and newline would make digest lines ambiguous; no control character has
# a legitimate place in a file name.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_name(name: str, max_length: int) -> None:
    """Refuse a member name that is not a plain relative POSIX path.

    `name` is the name as stored (a directory entry without its trailing `/`).
    """
    if _CONTROL.search(name):
        raise PackageError(
            f"member {name!r} has a control character in its name; rename the file",
            code="bad-path",
        )
    if len(name.encode("utf-8", "surrogatepass")) > max_length:
        raise PackageError(
            f"member name {name[:60]!r}... is longer than {max_length} bytes; use a shorter path",
            code="path-too-long",
        )
    if name.startswith("/") or "\\" in name or _DRIVE.match(name):
        raise PackageError(
            f"member {name!r} has an absolute or Windows-style path; members must be relative POSIX paths "
            "like 'assets/logo.png' (rebuild the package with `capsule build`)",
            code="absolute-path",
        )
    if any(part in ("", ".", "..") for part in name.split("/")):
        raise PackageError(
            f"member {name!r} has an empty, '.' or '..' path segment; members must stay inside the package "
            "(rebuild the package with `capsule build`)",
            code="path-traversal",
        )


def is_expected(name: str) -> bool:
    """True for the members the format defines: the required three and `assets/**`."""
    return name in REQUIRED or (name.startswith(ASSETS) and len(name) > len(ASSETS))
