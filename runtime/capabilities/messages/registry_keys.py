"""A host checks merchant keys against the registry that owns the program ids.

Shown a key, the host fetches the key's record from the registry (signed by
the registry key the host pins, see registry/merchant_keys.py), compares the
secret's hash, and keeps the record for `fresh` seconds, so a merchant
server's steady stream of requests costs one registry call a minute. A key
the owner revokes stops working at once where the host hears of it (the
web host listens to its registry, which tells every host on its database:
`forget`), and within that minute anywhere else. When the registry
cannot be reached, a kept record that said "live" is used for up to `grace`
seconds after it was fetched; past that the request is refused (503).
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Protocol

from ...registry.errors import RegistryError
from ...registry.merchant_keys import check_record
from .keys import KeyCheckUnavailable, KeyRefused, ServerKey, parse_key, secret_matches

#: How long a fetched key record is used before it is fetched again.
FRESH_SECONDS = 60.0
#: How long a record saying "live" still counts while the registry is unreachable.
GRACE_SECONDS = 3600.0
#: Records kept at most (the oldest go first).
MAX_KEPT = 10_000


class KeyRecords(Protocol):
    """A registry in the same process (`Registry`) or over HTTP (`RegistryClient`)."""

    def merchant_key(self, key_id: str) -> dict[str, Any]: ...


class RegistryServerKeys:
    """The merchant keys the registry whose public key is `registry_key` says are live."""

    def __init__(
        self, records: KeyRecords, registry_key: str, *, fresh: float = FRESH_SECONDS, grace: float = GRACE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._records = records
        self._registry_key = registry_key
        self._fresh = fresh
        self._grace = grace
        self._clock = clock
        self._kept: dict[str, tuple[dict[str, Any], float]] = {}
        self._lock = threading.Lock()

    def verify(self, token: str) -> ServerKey:
        key_id, secret = parse_key(token)
        record = self._record(key_id)
        if not secret_matches(record["secret_hash"], secret):
            raise KeyRefused("unknown merchant key; the program's owner creates keys with `capsule messages key create APP_ID`")
        if record["status"] != "live":
            raise KeyRefused(f"merchant key {key_id} was revoked by the program's owner; create a new one")
        # Only what the registry signed is used: the label is not, so it is left out.
        return ServerKey(key_id, record["app_id"], "", float(record["at"]), None)

    def forget(self, key_id: str) -> None:
        """Drop the kept record of `key_id` (it was revoked): the next request fetches it anew."""
        with self._lock:
            self._kept.pop(key_id, None)

    def _record(self, key_id: str) -> dict[str, Any]:
        now = self._clock()
        with self._lock:
            kept = self._kept.get(key_id)
        if kept is not None and now - kept[1] < self._fresh:
            return kept[0]
        try:
            record = check_record(self._registry_key, self._records.merchant_key(key_id), key_id, now)
        except RegistryError as error:
            if error.status == 404:
                with self._lock:
                    self._kept.pop(key_id, None)
                raise KeyRefused(
                    "unknown merchant key; the program's owner creates keys with `capsule messages key create APP_ID`"
                ) from None
            if kept is not None and kept[0]["status"] == "live" and now - kept[1] < self._grace:
                return kept[0]
            raise KeyCheckUnavailable(
                f"this host cannot check the key with the registry now ({error.message[:200]}); try again shortly"
            ) from None
        except ValueError as error:
            raise KeyRefused(f"the registry's record of this key does not hold ({error}); ask the host's operator") from None
        with self._lock:
            if len(self._kept) >= MAX_KEPT:
                self._kept.pop(next(iter(self._kept)))
            self._kept[key_id] = (record, now)
        return record
