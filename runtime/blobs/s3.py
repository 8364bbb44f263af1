"""Blobs in an S3-compatible object store (AWS S3, MinIO, Ceph, ...): for operators who run one.

Each blob is one object, `<prefix>/<namespace>/<hex digest>`, its media type
the object's ContentType. Credentials come from boto3's usual chain
(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, an instance role):
nothing here holds a secret. Every failure of the service becomes a
`BlobStoreError` naming the bucket, the endpoint and what to check.
"""

from __future__ import annotations

from typing import Any

from ..errors import BlobStoreError
from .store import Blob, check_name

#: Media types are cut to what the database store keeps.
MIME_MAX = 100
#: What a service's error code may add to a message (it is the service's text, not ours).
CODE_MAX = 60
#: Codes that mean the credentials were refused.
DENIED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "403"}


def s3_client(endpoint_url: str | None = None, region: str | None = None) -> Any:
    """A boto3 S3 client with bounded timeouts and retries; one is safe to share between threads."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError as error:
        raise BlobStoreError(
            "the S3 blob store needs boto3, which is not installed: pip install 'capsule-platform[s3]'",
            code="blob-store-missing-client",
        ) from error
    config = Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
        # Checksums only where S3 requires them: several S3-compatible stores
        # refuse the newer default trailing checksums.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        # Self-hosted stores (MinIO, Ceph) answer at one host name, the bucket in the path.
        s3={"addressing_style": "path"} if endpoint_url else None,
    )
    # A session of its own: boto3's default session is not safe across threads.
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, region_name=region, config=config)


class S3Blobs:
    """A `BlobStore` of objects in one bucket, under `prefix/namespace/`.

    `put` keeps the first write: it asks whether the object exists, then puts
    it with `If-None-Match: *` (refused by the service when another writer
    got there first). A service without conditional writes gets a plain put
    after the look-up; two hosts racing there write the same bytes, because a
    name is the digest of its bytes and every reader checks the digest.
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str,
        namespace: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.namespace = namespace
        self.client = client if client is not None else s3_client(endpoint_url, region)
        self.endpoint = endpoint_url or str(getattr(getattr(self.client, "meta", None), "endpoint_url", "AWS S3"))
        self._conditional = True

    def key(self, name: str) -> str:
        hexdigest = check_name(name).partition(":")[2] or name
        return "/".join(part for part in (self.prefix, self.namespace, hexdigest) if part)

    def put(self, name: str, data: bytes, mime: str) -> bool:
        key = self.key(name)
        if self._head(key):
            return False
        from botocore.exceptions import BotoCoreError, ClientError

        while True:
            conditional = self._conditional
            try:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=data,
                    ContentType=mime[:MIME_MAX],
                    **({"IfNoneMatch": "*"} if conditional else {}),
                )
                return True
            except ClientError as error:
                status = _status(error)
                if conditional and status in (409, 412):
                    return False  # another host stored the same bytes first (412), or is storing them (409)
                if conditional and status == 501:
                    self._conditional = False  # this service has no conditional writes: plain puts from now on
                    continue
                raise self._failure(error, f"store {key}") from error
            except BotoCoreError as error:
                raise self._failure(error, f"store {key}") from error

    def get(self, name: str) -> Blob | None:
        try:
            key = self.key(name)
        except ValueError:
            return None
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
            data = response["Body"].read()
        except ClientError as error:
            if _code(error) == "NoSuchKey" or (_status(error) == 404 and _code(error) != "NoSuchBucket"):
                return None
            raise self._failure(error, f"read {key}") from error
        except BotoCoreError as error:
            raise self._failure(error, f"read {key}") from error
        mime = str(response.get("ContentType") or "application/octet-stream")[:MIME_MAX]
        return Blob(data, mime)

    def exists(self, name: str) -> bool:
        try:
            key = self.key(name)
        except ValueError:
            return False
        return self._head(key)

    def check(self) -> None:
        """Raise `BlobStoreError` unless the bucket exists and these credentials reach it (start-up's check)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            raise self._failure(error, "open the bucket", missing_bucket=_status(error) == 404) from error
        except BotoCoreError as error:
            raise self._failure(error, "open the bucket") from error

    def _head(self, key: str) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _status(error) == 404:
                return False
            raise self._failure(error, f"look up {key}") from error
        except BotoCoreError as error:
            raise self._failure(error, f"look up {key}") from error
        return True

    def _failure(self, error: Exception, doing: str, *, missing_bucket: bool = False) -> BlobStoreError:
        from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

        where = f"S3 bucket {self.bucket!r} at {self.endpoint}"
        if isinstance(error, NoCredentialsError):
            hint = "no credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or an AWS profile or role)"
        elif isinstance(error, EndpointConnectionError):
            hint = "the endpoint does not answer: check the endpoint in CAPSULE_BLOBS and that the object store is running"
        elif isinstance(error, ClientError):
            code = _code(error)[:CODE_MAX]
            if missing_bucket or code == "NoSuchBucket":
                hint = f"the bucket does not exist: create it (`aws s3 mb s3://{self.bucket}`, `mc mb`) or fix CAPSULE_BLOBS"
            elif code in DENIED:
                hint = (
                    f"the credentials were refused ({code}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                    "and that they may read and write the bucket"
                )
            else:
                hint = f"the service answered {code!r} (HTTP {_status(error)}): check the bucket, endpoint and credentials"
        else:
            hint = f"{type(error).__name__}: check the endpoint in CAPSULE_BLOBS and the network to it"
        return BlobStoreError(f"could not {doing} in {where}: {hint}", params={"bucket": self.bucket, "endpoint": self.endpoint})


class S3Stores:
    """One bucket's stores by namespace, sharing one client: what `Host(blob_stores=...)` takes."""

    def __init__(
        self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None, region: str | None = None, client: Any = None
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        self.client = client if client is not None else s3_client(endpoint_url, region)

    def __call__(self, namespace: str) -> S3Blobs:
        return S3Blobs(self.bucket, prefix=self.prefix, namespace=namespace, endpoint_url=self.endpoint_url, client=self.client)

    def check(self) -> None:
        self("").check()


def _status(error: Any) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def _code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code") or "")
