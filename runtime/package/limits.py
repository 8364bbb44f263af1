"""How much of a package the loader is willing to read."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class PackageLimits:
    """Bounds on an untrusted package, checked before anything is decompressed
    and again while reading. Defaults fit any reasonable mini-program; a host
    may tighten them (`Host(package_limits=...)`).
    """

    #: Size of the `.capsule` file itself.
    max_package_bytes: int = 96 * MiB
    #: Uncompressed size of any one member.
    max_member_bytes: int = 64 * MiB
    #: Uncompressed size of all members together.
    max_total_bytes: int = 128 * MiB
    #: Number of entries in the archive (directory entries included).
    max_members: int = 2000
    #: Uncompressed/compressed ratio allowed for a member over `ratio_floor_bytes`
    #: (and for the archive as a whole); deflate rarely beats 10:1 on real files.
    max_compression_ratio: int = 100
    #: Members smaller than this are exempt from the ratio check: tiny
    #: repetitive files compress absurdly well and cost nothing.
    ratio_floor_bytes: int = 1 * MiB
    #: Length of a member name, in bytes of UTF-8.
    max_path_length: int = 255
    #: Size of manifest.json.
    max_manifest_bytes: int = 256 * 1024
