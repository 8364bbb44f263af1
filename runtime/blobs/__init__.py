"""Blob stores: content-addressed bytes every host reaches (registry packages, media uploads).

`BlobStore` is the interface; `DatabaseBlobs` keeps blobs in the runtime's
database (the default on PostgreSQL, so hosts on one database share them with
no other moving part) and `DiskBlobs` in a folder (the default on SQLite, one
machine). `S3Blobs` keeps them in an S3-compatible bucket: an operator
chooses it with `CAPSULE_BLOBS=s3://...` (see `config`, docs/deploy.md), or
plugs in any `BlobStore` of its own with `Host(blob_stores=...)`.
"""

# The interface and the disk store first: the capabilities package (which
# `database` reaches through `deferred`) imports them from here.
from .store import PACKAGE_TYPE, Blob, BlobStore, default_blob_store  # isort: skip
from .disk import DiskBlobs  # isort: skip
from .database import DatabaseBlobs  # isort: skip

__all__ = ["PACKAGE_TYPE", "Blob", "BlobStore", "DatabaseBlobs", "DiskBlobs", "default_blob_store"]
