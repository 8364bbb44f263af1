"""Key-value storage per (program, user). Values are text (store JSON for structure)."""

from __future__ import annotations

import json
from typing import Any

from ._bindings import call


def get(key: str, default: str | None = None) -> str | None:
    found = call("storage", "get", key)
    return found[0] if found else default


def set(key: str, value: str) -> None:  # noqa: A001 - reads naturally as storage.set
    call("storage", "set", key, value)


def delete(key: str) -> bool:
    return bool(call("storage", "delete", key))


def keys(prefix: str = "") -> list[str]:
    return list(call("storage", "list_keys", prefix))


def usage() -> dict[str, int]:
    u = call("storage", "usage")
    return {"used_bytes": u.used_bytes, "quota_bytes": u.quota_bytes, "keys": u.keys}


def get_json(key: str, default: Any = None) -> Any:
    text = get(key)
    return default if text is None else json.loads(text)


def set_json(key: str, value: Any) -> None:
    set(key, json.dumps(value, separators=(",", ":")))
