"""Blob stores: content-addressed bytes every host reaches (registry packages, media uploads).

`BlobStore` is the interface; `DatabaseBlobs` keeps blobs in the runtime's
database (the default on PostgreSQL, so hosts on one database share them with
no other moving part) and `DiskBlobs` in a folder (the default on SQLite, one
machine). An operator with an S3-compatible object store plugs in its own
`BlobStore` (see docs/architecture.md, Many hosts).
"""

# The interface and the disk store first: the capabilities package (which
# `database` reaches through `deferred`) imports them from here.
from .store import PACKAGE_TYPE, Blob, BlobStore, default_blob_store  # isort: skip
from .disk import DiskBlobs  # isort: skip
from .database import DatabaseBlobs  # isort: skip

__all__ = ["PACKAGE_TYPE", "Blob", "BlobStore", "DatabaseBlobs", "DiskBlobs", "default_blob_store"]
