"""The package digest: one name for a package's content, independent of
how the ZIP was compressed or ordered."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from .format import SIGNATURE


def package_digest(members: Mapping[str, bytes]) -> str:
    """`sha256:` + sha256 over one `name\\0sha256(content)\\n` line per member,
    sorted by name; `signature.json` is left out (it signs this digest)."""
    lines = "".join(
        f"{name}\0{hashlib.sha256(members[name]).hexdigest()}\n" for name in sorted(members) if name != SIGNATURE
    )
    return "sha256:" + hashlib.sha256(lines.encode("utf-8")).hexdigest()
