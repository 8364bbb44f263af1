"""Phased rollout: which users get the newest release."""

from __future__ import annotations

import hashlib


def bucket(app_id: str, user: str) -> int:
    """A user's bucket, 0-99, for one app: the same every time, different per app
    (so the same 10% of users are not the guinea pigs of every rollout)."""
    digest = hashlib.sha256(f"{app_id}\n{user}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def gets_new_version(app_id: str, user: str | None, percent: int) -> bool:
    """Whether `user` is inside a rollout to `percent`%; no user means "not inside" below 100%."""
    if percent >= 100:
        return True
    return user is not None and bucket(app_id, user) < percent
