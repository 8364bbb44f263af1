"""Who the user is, as far as this program may know."""

from __future__ import annotations

from typing import Any

from ._bindings import call


def user_id() -> str:
    """A pseudonymous id: stable for this program, different in every other program."""
    return str(call("profile", "user_id"))


def get_profile() -> Any:
    """Nickname, avatar URL and locale; asks the user's consent the first time."""
    return call("profile", "get_profile")


def phone_number() -> str:
    """Asks the user's consent on every call."""
    return str(call("profile", "phone_number"))
