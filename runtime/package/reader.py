"""Reading an untrusted ZIP archive: every bound is checked on the central
directory before a byte is inflated, and again on the bytes actually read.

Only member names decide membership; nothing here touches the disk except
the archive itself.
"""

from __future__ import annotations

import os
import stat
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from ..errors import PackageError
from .format import MANIFEST, REQUIRED, RUNTIME, SIGNATURE, check_member, check_name, package_kind
from .limits import PackageLimits
from .signing import MAX_SIGNATURE_BYTES

CHUNK = 64 * 1024
#: runtime.json names a kind and a runtime: a few dozen bytes.
MAX_RUNTIME_BYTES = 4096
#: Per central-directory entry: 46 fixed bytes, the name, and generous room
#: for extra fields and a comment. Bounds the directory before zipfile parses it.
_ENTRY_OVERHEAD = 46 + 1024

# What zipfile and zlib raise on damaged input (UnicodeDecodeError is a ValueError).
_ZIP_ERRORS = (
    zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError, struct.error,
)


def read_members(path: Path, limits: PackageLimits) -> tuple[dict[str, bytes], int]:
    """The file members of the package at `path`, by name, and the archive's size."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise PackageError(f"cannot read {path}: {error.strerror}; check the path", code="not-a-package") from None
    if not stat.S_ISREG(mode):
        raise PackageError(f"{path} is not a regular file; pass the path of a .capsule file", code="not-a-package")
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size  # of the file we opened, not of whatever `path` names now
            if size > limits.max_package_bytes:
                raise PackageError(
                    f"{path} is {size} bytes, more than the {limits.max_package_bytes} this host accepts; "
                    "make the program smaller or raise PackageLimits.max_package_bytes",
                    code="package-too-large",
                )
            _check_directory_size(f, limits)
            with zipfile.ZipFile(f) as archive:
                return _read_all(archive, _plan(archive.infolist(), size, limits), limits), size
    except _ZIP_ERRORS as error:
        raise PackageError(
            f"{path} is not a readable package ({error}); it may be truncated or corrupt: "
            "download or build it again",
            code="not-a-package",
        ) from None


def _read_all(archive: zipfile.ZipFile, files: list[zipfile.ZipInfo], limits: PackageLimits) -> dict[str, bytes]:
    members: dict[str, bytes] = {}
    used = 0
    for info in files:
        name = info.orig_filename
        with archive.open(info) as stream:
            members[name] = read_bounded(
                stream, name, cap=_cap(name, limits), remaining=limits.max_total_bytes - used,
                compressed_size=info.compress_size, limits=limits,
            )
        used += len(members[name])
    return members


def _check_directory_size(f: BinaryIO, limits: PackageLimits) -> None:
    """Refuse a huge central directory before zipfile turns it into objects."""
    end_record = getattr(zipfile, "_EndRecData", None)  # private, but in every CPython since 2.x
    if end_record is None:
        return
    end = end_record(f)
    if end is None:
        raise zipfile.BadZipFile("no end of central directory record: not a ZIP archive, or truncated")
    entries, directory_bytes = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]
    if entries > limits.max_members:
        raise _too_many(f"the package declares {entries} entries", limits)
    if directory_bytes > limits.max_members * (_ENTRY_OVERHEAD + limits.max_path_length):
        raise _too_many(
            f"the package's table of contents is {directory_bytes} bytes, more than that many entries can need", limits
        )


def _too_many(what: str, limits: PackageLimits) -> PackageError:
    return PackageError(
        f"{what}; at most {limits.max_members} entries are allowed: "
        "ship fewer asset files (bundle them) or raise PackageLimits.max_members",
        code="too-many-members",
    )


def _cap(name: str, limits: PackageLimits) -> int:
    """The most bytes member `name` may hold."""
    if name == MANIFEST:
        return min(limits.max_member_bytes, limits.max_manifest_bytes)
    if name == SIGNATURE:
        return min(limits.max_member_bytes, MAX_SIGNATURE_BYTES)
    if name == RUNTIME:
        return min(limits.max_member_bytes, MAX_RUNTIME_BYTES)
    return limits.max_member_bytes


def _plan(infos: list[zipfile.ZipInfo], archive_size: int, limits: PackageLimits) -> list[zipfile.ZipInfo]:
    """Check every entry of the central directory; the file members to read."""
    if len(infos) > limits.max_members:
        raise _too_many(f"the package has {len(infos)} entries", limits)
    files: list[zipfile.ZipInfo] = []
    names = _Names()
    total = 0
    kind = package_kind(info.orig_filename for info in infos)
    for info in infos:
        name = info.orig_filename  # zipfile's `filename` silently cuts at a NUL
        is_dir = name.endswith("/")
        check_name(name[:-1] if is_dir else name, limits.max_path_length)
        _check_kind(name, info, is_dir)
        if is_dir:
            continue  # folders follow from file names; their entries carry nothing
        check_member(name, kind)
        names.add(name)
        if info.flag_bits & 0x1:
            raise zipfile.BadZipFile(f"member {name!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise zipfile.BadZipFile(f"member {name!r} uses compression method {info.compress_type}, not deflate")
        _check_size(name, info.file_size, _cap(name, limits), limits.max_total_bytes - total, limits)
        _check_ratio(name, info.file_size, info.compress_size, limits)
        total += info.file_size
        files.append(info)
    _check_ratio("the archive as a whole", total, archive_size, limits)
    missing = [name for name in REQUIRED[kind] if name not in names]
    if missing:
        raise PackageError(
            f"the package has no {', '.join(missing)}; build it with `capsule build`, which writes all of "
            f"{', '.join(REQUIRED[kind])} for a {kind} package",
            code="missing-file",
        )
    return files


def _check_kind(name: str, info: zipfile.ZipInfo, is_dir: bool) -> None:
    """Regular files and folders only; Unix tools store the file type in the
    high half of the external attributes (0 when another system wrote it)."""
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind not in ((0, stat.S_IFDIR) if is_dir else (0, stat.S_IFREG)):
        what = "a symbolic link" if kind == stat.S_IFLNK else f"a special file (type {kind:o})"
        raise PackageError(
            f"member {name!r} is {what}; packages hold regular files only: put the real file in its place "
            "and rebuild",
            code="link",
        )


class _Names:
    """Member names as a case-insensitive, normalising file system sees them:
    two members that land on one path there (or a file where another member
    needs a folder) are refused everywhere, so extraction means the same on
    every machine."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.folders: dict[str, str] = {}

    def add(self, name: str) -> None:
        key = unicodedata.normalize("NFC", name).casefold()
        parts = key.split("/")
        folders = ["/".join(parts[:depth]) for depth in range(1, len(parts))]
        other = self.files.get(key) or self.folders.get(key)
        other = other or next((self.files[f] for f in folders if f in self.files), None)
        if other is not None:
            raise PackageError(
                f"member {name!r} collides with {other!r} (the same name, the same ignoring case or "
                "accents' encoding, or a file where a folder is needed); rename one of them and rebuild",
                code="duplicate-member",
            )
        self.files[key] = name
        for folder in folders:
            self.folders.setdefault(folder, name)

    def __contains__(self, name: str) -> bool:
        return name in self.files.values()


def _check_size(name: str, size: int, cap: int, remaining: int, limits: PackageLimits) -> None:
    if size > cap:
        raise PackageError(
            f"member {name!r} is {size} bytes uncompressed, more than the {cap} allowed for it; "
            "make it smaller or raise the limit in PackageLimits",
            code="member-too-large",
        )
    if size > remaining:
        raise PackageError(
            f"member {name!r} brings the package past {limits.max_total_bytes} bytes uncompressed; "
            "ship less or raise PackageLimits.max_total_bytes",
            code="total-too-large",
        )


def _check_ratio(name: str, size: int, compressed: int, limits: PackageLimits) -> None:
    if size > limits.ratio_floor_bytes and size > limits.max_compression_ratio * compressed:
        what = name if name.startswith("the ") else f"member {name!r}"
        raise PackageError(
            f"{what} inflates from {compressed} to {size} bytes, more than {limits.max_compression_ratio} times; "
            "this looks like a decompression bomb (store such data compressed differently, or raise "
            "PackageLimits.max_compression_ratio)",
            code="decompression-bomb",
        )


def read_bounded(
    stream: BinaryIO, name: str, *, cap: int, remaining: int, compressed_size: int, limits: PackageLimits
) -> bytes:
    """Read one member in chunks, counting real bytes: declared sizes can lie."""
    chunks: list[bytes] = []
    count = 0
    while chunk := stream.read(CHUNK):
        count += len(chunk)
        _check_size(name, count, cap, remaining, limits)
        _check_ratio(name, count, compressed_size, limits)
        chunks.append(chunk)
    return b"".join(chunks)
