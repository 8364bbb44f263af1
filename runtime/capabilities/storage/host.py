"""Host side of `capsule:app/storage`: key-value text per (program, user), with a quota.

Storage needs no prompt: declaring it in the manifest is enough, and each
program only ever sees its own user's keys. Calls are audited like any other.
"""

from __future__ import annotations

from typing import Mapping

from ..base import CallContext, Capability, HostFunction, InvalidArgument, LimitReached
from ..wit import record
from .provider import QuotaExceeded, StorageProvider

#: A program's quota per user when its manifest names none.
DEFAULT_QUOTA_BYTES = 10 * 1024 * 1024
MAX_KEY_CHARS = 256
#: Keys returned by one `list-keys` call.
MAX_LISTED_KEYS = 1000


class StorageCapability(Capability):
    name = "storage"

    def __init__(self, provider: StorageProvider, *, default_quota_bytes: int = DEFAULT_QUOTA_BYTES) -> None:
        self.provider = provider
        self.default_quota_bytes = default_quota_bytes

    def functions(self) -> Mapping[str, HostFunction]:
        return {"get": self.get, "set": self.set, "delete": self.delete, "list-keys": self.list_keys, "usage": self.usage}

    def quota(self, ctx: CallContext) -> int:
        declared = getattr(ctx.app.manifest.permission("storage"), "quota_bytes", None)
        return declared or self.default_quota_bytes

    def get(self, ctx: CallContext, key: str) -> list[str]:
        _check_key(key)
        value = self.provider.get(ctx.app.id, ctx.user, key)
        return [] if value is None else [value]

    def set(self, ctx: CallContext, key: str, value: str) -> None:
        _check_key(key)
        try:
            self.provider.set(ctx.app.id, ctx.user, key, value, self.quota(ctx))
        except QuotaExceeded as error:
            raise LimitReached(f"storage quota: {error}; delete keys you no longer need") from None
        ctx.bytes_out = 0  # nothing leaves the host on a write

    def delete(self, ctx: CallContext, key: str) -> bool:
        _check_key(key)
        return self.provider.delete(ctx.app.id, ctx.user, key)

    def list_keys(self, ctx: CallContext, prefix: str) -> list[str]:
        if len(prefix) > MAX_KEY_CHARS:
            raise InvalidArgument(f"prefix is longer than {MAX_KEY_CHARS} characters")
        return self.provider.keys(ctx.app.id, ctx.user, prefix, MAX_LISTED_KEYS)

    def usage(self, ctx: CallContext):
        used = self.provider.usage(ctx.app.id, ctx.user)
        return record(used_bytes=used.used_bytes, quota_bytes=self.quota(ctx), keys=used.keys)


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_CHARS:
        raise InvalidArgument(f"key must be 1 to {MAX_KEY_CHARS} characters, got {len(key)}")
    if "\x00" in key:
        raise InvalidArgument("key must not contain NUL characters")
