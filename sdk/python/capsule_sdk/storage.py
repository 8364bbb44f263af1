"""Key-value storage per (program, user). Values are text (store JSON for structure)."""

from __future__ import annotations

import json
from typing import Any

from ._bindings import call
from .types import QuotaUsage, from_wit

__all__ = ["QuotaUsage", "delete", "get", "get_json", "keys", "set", "set_json", "usage"]


def get(key: str, default: str | None = None) -> str | None:
    """The value stored under `key`, or `default` when there is none."""
    found = call("storage", "get", key)
    return found[0] if found else default


def set(key: str, value: str) -> None:  # noqa: A001 - reads naturally as storage.set
    """Store `value` under `key`, whole or not at all; `LimitExceeded` past the quota."""
    call("storage", "set", key, value)


def delete(key: str) -> bool:
    """Remove `key`; True when it existed."""
    return bool(call("storage", "delete", key))


def keys(prefix: str = "") -> list[str]:
    """The keys starting with `prefix`, sorted (at most 1000)."""
    return list(call("storage", "list_keys", prefix))


def usage() -> QuotaUsage:
    """This user's `QuotaUsage`: bytes used, the quota, and how many keys."""
    return from_wit(QuotaUsage, call("storage", "usage"))


def get_json(key: str, default: Any = None) -> Any:
    """The value under `key` parsed as JSON, or `default` when there is none."""
    text = get(key)
    return default if text is None else json.loads(text)


def set_json(key: str, value: Any) -> None:
    """Store `value` as compact JSON under `key`."""
    set(key, json.dumps(value, separators=(",", ":")))
