"""Blob stores: the database's (shared by hosts), the disk's (one machine) and an S3 bucket's
(an operator's object store, here a real S3-compatible server on loopback) keep the same promises."""

from __future__ import annotations

import hashlib

import pytest

from capsule.runtime.blobs import Blob, BlobStore, DatabaseBlobs, DiskBlobs
from capsule.runtime.blobs.database import CHUNK_BYTES


@pytest.fixture(params=["database", "disk", "s3"])
def store(request, database, tmp_path) -> BlobStore:
    if request.param == "s3":
        from capsule.runtime.blobs.s3 import S3Blobs

        bucket = request.getfixturevalue("s3_bucket")
        return S3Blobs(bucket.name, prefix="capsule", namespace="media", endpoint_url=bucket.endpoint, region="us-east-1")
    return DatabaseBlobs(database, "media") if request.param == "database" else DiskBlobs(tmp_path / "blobs")


def test_a_blob_is_kept_once_under_its_digest(store) -> None:
    data = bytes(range(256)) * (CHUNK_BYTES // 256 * 2 + 3)  # more than two chunks
    name = hashlib.sha256(data).hexdigest()
    assert isinstance(store, BlobStore)
    assert not store.exists(name) and store.get(name) is None
    assert store.put(name, data, "image/png") is True
    assert store.put(name, data, "image/png") is False  # immutable: the first stays
    assert store.exists(name) and store.get(name) == Blob(data, "image/png")
    empty = hashlib.sha256(b"").hexdigest()
    assert store.put("sha256:" + empty, b"", "application/octet-stream") and store.get("sha256:" + empty).data == b""


def test_names_are_digests_and_nothing_else(store) -> None:
    for bad in ("../../etc/passwd", "ABC", "sha256:" + "g" * 64, "0" * 63):
        assert store.get(bad) is None and not store.exists(bad)
        with pytest.raises(ValueError, match="sha256 digest"):
            store.put(bad, b"x", "text/plain")


def test_namespaces_are_apart(database) -> None:
    name = hashlib.sha256(b"photo").hexdigest()
    DatabaseBlobs(database, "media").put(name, b"photo", "image/jpeg")
    assert DatabaseBlobs(database, "packages").get(name) is None
