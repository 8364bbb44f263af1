"""The operator's choice of blob store: `CAPSULE_BLOBS`, read here and nowhere else.

Unset or empty, hosts keep the default (the database on PostgreSQL, the disk
on SQLite). `s3://BUCKET/PREFIX?endpoint=URL&region=REGION` puts every
namespace ("packages", "media") in one S3-compatible bucket; credentials come
from boto3's chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ...), never
from the value, so it can be logged.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

from ..errors import BlobStoreError
from .store import BlobStore

VARIABLE = "CAPSULE_BLOBS"
SHAPE = "s3://BUCKET[/PREFIX][?endpoint=http(s)://HOST:PORT][&region=REGION]"
#: A value longer than this is no bucket address.
MAX_VALUE = 1000

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_PREFIX = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")
_REGION = re.compile(r"^[a-z0-9-]{1,40}$")


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None


def parse_blobs_url(value: str) -> S3Location:
    """`CAPSULE_BLOBS`'s value as a bucket address; `BlobStoreError` naming the variable and its shape otherwise."""
    if len(value) > MAX_VALUE:
        raise _refused(value[:80] + "...", f"longer than {MAX_VALUE} characters")
    parts = urlsplit(value)
    if parts.scheme != "s3":
        raise _refused(value, "only s3:// stores are built in")
    if "@" in parts.netloc:
        raise _refused(value, "credentials do not go in the address; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    if not _BUCKET.match(parts.netloc):
        raise _refused(value, f"{parts.netloc[:80]!r} is not a bucket name (3-63 of a-z, 0-9, '.', '-')")
    prefix = parts.path.strip("/")
    if prefix and (not _PREFIX.match(prefix) or ".." in prefix.split("/") or len(prefix) > 200):
        raise _refused(value, f"the prefix {prefix[:80]!r} may hold only letters, digits, '.', '_', '-' and '/' between them")
    if parts.fragment:
        raise _refused(value, "it has a '#' part")
    options: dict[str, str] = {}
    for name, option in parse_qsl(parts.query, keep_blank_values=True):
        if name not in ("endpoint", "region"):
            raise _refused(value, f"{name[:40]!r} is not an option (endpoint, region)")
        if name in options:
            raise _refused(value, f"{name} is given twice")
        options[name] = option
    endpoint = options.get("endpoint")
    if endpoint is not None:
        target = urlsplit(endpoint)
        if "@" in target.netloc:
            raise _refused(value, "credentials do not go in the endpoint; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        if target.scheme not in ("http", "https") or not target.hostname:
            raise _refused(value, "endpoint is an http:// or https:// URL with a host name")
    region = options.get("region")
    if region is not None and not _REGION.match(region):
        raise _refused(value, f"{region[:40]!r} is not a region name (such as us-east-1)")
    return S3Location(parts.netloc, prefix, endpoint, region)


def configured_blob_stores() -> Callable[[str], BlobStore] | None:
    """The stores `CAPSULE_BLOBS` names, by namespace, or None when it is unset (the defaults stay).

    The first call for a value checks the bucket is there and reachable, so a
    host or registry refuses to start on a store it cannot use.
    """
    value = os.environ.get(VARIABLE, "").strip()
    if not value:
        return None
    return _stores(value)


@functools.lru_cache(maxsize=4)
def _stores(value: str) -> Callable[[str], BlobStore]:
    from .s3 import S3Stores

    location = parse_blobs_url(value)
    stores = S3Stores(location.bucket, prefix=location.prefix, endpoint_url=location.endpoint_url, region=location.region)
    stores.check()
    return stores


def _refused(shown: str, why: str) -> BlobStoreError:
    if "@" in shown:  # a user:secret@ anywhere in it: the value is not repeated back
        shown = "s3://...@..."
    return BlobStoreError(
        f"{VARIABLE}={shown!r} is not a blob store address: {why}. Expected {SHAPE}, "
        "with credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or unset it for the default store)",
        code="invalid-blob-store",
    )
