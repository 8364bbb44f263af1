"""The S3 blob store against a real S3-compatible server on loopback, and `CAPSULE_BLOBS`, which chooses it.

The shared promises (kept once, names are digests) are in test_blobs.py; here
is what only an object store has: its key layout and ContentType, writers
racing, and the service's failures turned into messages an operator can act on.
"""

from __future__ import annotations

import hashlib
import threading

import pytest

from capsule.runtime.blobs import DatabaseBlobs, default_blob_store
from capsule.runtime.blobs.config import VARIABLE, configured_blob_stores, parse_blobs_url
from capsule.runtime.blobs.s3 import S3Blobs, S3Stores, s3_client
from capsule.runtime.errors import BlobStoreError
from capsule.runtime.webhost.server import free_port

from ..cli.test_cli import capsule

DATA = b"\x89PNG\r\n\x1a\n-a photo-"
NAME = hashlib.sha256(DATA).hexdigest()


def blobs(bucket, namespace: str = "media") -> S3Blobs:
    return S3Blobs(bucket.name, prefix="capsule", namespace=namespace, endpoint_url=bucket.endpoint, region="us-east-1")


def test_a_blob_is_one_object_under_prefix_namespace_digest_with_its_media_type(s3_bucket) -> None:
    store = blobs(s3_bucket)
    assert store.put("sha256:" + NAME, DATA, "image/png") is True
    raw = s3_client(s3_bucket.endpoint, "us-east-1").get_object(Bucket=s3_bucket.name, Key=f"capsule/media/{NAME}")
    assert raw["ContentType"] == "image/png" and raw["Body"].read() == DATA
    # Both spellings of a digest are the same blob; another namespace is another store.
    assert store.get(NAME).data == DATA and store.exists("sha256:" + NAME)
    assert blobs(s3_bucket, "packages").get(NAME) is None


def test_the_first_write_stays(s3_bucket) -> None:
    store = blobs(s3_bucket)
    assert store.put(NAME, DATA, "image/png") is True
    assert store.put(NAME, b"something else", "text/html") is False
    found = store.get(NAME)
    assert found is not None and (found.data, found.mime) == (DATA, "image/png")


def test_racing_writers_one_wins_and_its_bytes_stay(s3_bucket) -> None:
    """Eight hosts put the same name at once: the conditional put lets exactly one through."""
    store = blobs(s3_bucket)
    start = threading.Barrier(8)
    created: list[tuple[bool, bytes]] = []

    def write(index: int) -> None:
        payload = DATA + bytes([index])
        start.wait()
        created.append((store.put(NAME, payload, "image/png"), payload))

    threads = [threading.Thread(target=write, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    winners = [payload for made, payload in created if made]
    assert len(created) == 8 and len(winners) == 1
    assert store.get(NAME).data == winners[0]


def test_media_types_are_bounded_and_names_checked(s3_bucket) -> None:
    store = blobs(s3_bucket)
    store.put(NAME, DATA, "image/png; " + "x" * 5000)
    assert len(store.get(NAME).mime) == 100
    with pytest.raises(ValueError, match="sha256 digest"):
        store.put("../../" + NAME, DATA, "image/png")


def test_a_missing_bucket_is_named_with_what_to_do(s3_bucket) -> None:
    store = S3Blobs("capsule-no-such-bucket", prefix="", namespace="media", endpoint_url=s3_bucket.endpoint)
    for attempt in (lambda: store.put(NAME, DATA, "image/png"), store.check, lambda: store.get(NAME)):
        with pytest.raises(BlobStoreError, match="capsule-no-such-bucket") as refused:
            attempt()
        assert "does not exist" in str(refused.value) and "mb" in str(refused.value)
        assert s3_bucket.endpoint in str(refused.value)


def test_an_endpoint_nobody_answers_at_is_named(s3_bucket) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    store = S3Blobs(s3_bucket.name, prefix="", namespace="media", endpoint_url=nowhere)
    with pytest.raises(BlobStoreError, match="does not answer") as refused:
        store.exists(NAME)
    assert nowhere in str(refused.value) and "CAPSULE_BLOBS" in str(refused.value)


def test_missing_credentials_are_named(s3_bucket, monkeypatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(BlobStoreError, match="AWS_ACCESS_KEY_ID") as refused:
        blobs(s3_bucket).put(NAME, DATA, "image/png")
    assert "no credentials" in str(refused.value)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("https://bucket/prefix", "only s3://"),
        ("s3://B!/x", "not a bucket name"),
        ("s3://bucket/../etc", "prefix"),
        ("s3://bucket?endpoint=ftp://store", "endpoint is an http"),
        ("s3://bucket?endpoint=http://a&endpoint=http://b", "twice"),
        ("s3://bucket?color=blue", "not an option"),
        ("s3://bucket?region=Mars%20One", "not a region"),
        ("s3://" + "a" * 2000, "longer than"),
    ],
)
def test_a_malformed_setting_names_the_variable_and_the_shape(value, why) -> None:
    with pytest.raises(BlobStoreError, match=why) as refused:
        parse_blobs_url(value)
    assert refused.value.code == "invalid-blob-store"
    assert VARIABLE in str(refused.value) and "s3://BUCKET[/PREFIX]" in str(refused.value)


def test_credentials_in_the_setting_are_refused_and_not_repeated() -> None:
    with pytest.raises(BlobStoreError, match="AWS_ACCESS_KEY_ID") as refused:
        parse_blobs_url("s3://AKIDEXAMPLE:hunter2secret@bucket/capsule")
    assert "hunter2secret" not in str(refused.value)
    with pytest.raises(BlobStoreError) as in_endpoint:
        parse_blobs_url("s3://bucket/capsule?endpoint=https://AKIDEXAMPLE:hunter2secret@minio.internal:9000")
    assert "hunter2secret" not in str(in_endpoint.value) and "AWS_SECRET_ACCESS_KEY" in str(in_endpoint.value)
    with pytest.raises(BlobStoreError) as other_mistake:  # refused for something else first
        parse_blobs_url("s3://bucket/capsule?endpoint=https://AKIDEXAMPLE:hunter2secret@minio.internal&colour=red")
    assert "hunter2secret" not in str(other_mistake.value)


def test_the_setting_is_parsed_into_a_location() -> None:
    location = parse_blobs_url("s3://my-bucket/capsule/prod/?endpoint=http://minio:9000&region=eu-west-1")
    assert (location.bucket, location.prefix, location.endpoint_url, location.region) == (
        "my-bucket", "capsule/prod", "http://minio:9000", "eu-west-1"
    )
    assert parse_blobs_url("s3://my-bucket").prefix == "" and parse_blobs_url("s3://my-bucket").endpoint_url is None


def test_the_setting_chooses_the_store_for_every_namespace(s3_bucket, monkeypatch, database) -> None:
    monkeypatch.setenv(VARIABLE, s3_bucket.url("tenant"))
    stores = configured_blob_stores()
    assert isinstance(stores, S3Stores)
    packages = default_blob_store(database, database.dialect, "packages")
    assert isinstance(packages, S3Blobs) and packages.key(NAME) == f"tenant/packages/{NAME}"
    monkeypatch.delenv(VARIABLE)
    unset = default_blob_store(database, database.dialect, "packages")
    assert isinstance(unset, DatabaseBlobs) if database.dialect == "postgresql" else unset is None


def test_a_bucket_that_is_not_there_stops_the_start(s3_bucket, monkeypatch) -> None:
    monkeypatch.setenv(VARIABLE, f"s3://capsule-never-made/x?endpoint={s3_bucket.endpoint}")
    with pytest.raises(BlobStoreError, match="capsule-never-made.*does not exist"):
        configured_blob_stores()


def test_the_registry_refuses_to_start_on_a_malformed_setting(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(VARIABLE, "s3://Not_A_Bucket")
    monkeypatch.setenv("CAPSULE_HOME", str(tmp_path / "home"))
    result = capsule("registry", "serve", "--port", str(free_port()), check=False)
    assert result.returncode != 0
    assert "CAPSULE_BLOBS='s3://Not_A_Bucket' is not a blob store address" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
