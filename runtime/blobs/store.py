"""The blob store interface: immutable bytes under their digest, with a media type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..capabilities.deferred import DatabaseSource

#: The media type packages are stored under (registry uploads and installed packages share a namespace).
PACKAGE_TYPE = "application/vnd.capsule.package"
#: What a blob's name looks like: a content digest ("sha256:<hex>" or bare hex).
NAME = re.compile(r"^(sha256:)?[0-9a-f]{64}$")


@dataclass(frozen=True)
class Blob:
    data: bytes
    mime: str


@runtime_checkable
class BlobStore(Protocol):
    """Bytes kept under their digest. Blobs never change: a second `put` of a name keeps the first.

    The caller computes and checks the digest; the store only keeps bytes.
    Every method may be called from any thread.
    """

    def put(self, name: str, data: bytes, mime: str) -> bool:
        """Keep `data` under `name` (durably, before returning); False when it was there already."""
        ...

    def get(self, name: str) -> Blob | None:
        """The blob under `name`, or None."""
        ...

    def exists(self, name: str) -> bool: ...


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise ValueError(f"a blob name is a sha256 digest (64 lowercase hex digits, optionally 'sha256:'), not {name[:80]!r}")
    return name


def default_blob_store(database: "DatabaseSource", dialect: str, namespace: str) -> BlobStore | None:
    """The operator's store when `CAPSULE_BLOBS` names one (an S3 bucket); else the store hosts
    share on PostgreSQL (`DatabaseBlobs`); else None on SQLite, where the disk store stays."""
    from .config import configured_blob_stores

    configured = configured_blob_stores()
    if configured is not None:
        return configured(namespace)
    if dialect != "postgresql":
        return None
    from .database import DatabaseBlobs

    return DatabaseBlobs(database, namespace)
