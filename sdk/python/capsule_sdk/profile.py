"""Who the user is, as far as this program may know."""

from __future__ import annotations

from ._bindings import call
from .types import UserProfile, from_wit

__all__ = ["UserProfile", "get_profile", "phone_number", "user_id"]


def user_id() -> str:
    """A pseudonymous id ("u_" and 32 hex digits): stable for this program, different in every other one."""
    return str(call("profile", "user_id"))


def get_profile() -> UserProfile:
    """The user's `UserProfile`; asks consent (scope `profile`) the first time.

    Fields the manifest's `fields` do not list come back empty. Raises
    `Refused`, or `NotDeclared` when `fields` lists none of nickname, avatar, locale.
    """
    return from_wit(UserProfile, call("profile", "get_profile"))


def phone_number() -> str:
    """The user's phone number; asks consent (scope `profile.phone`) on every call.

    Raises `Refused`, `NotDeclared` ("phone" not in the manifest's `fields`),
    `Unavailable` (the host has no number).
    """
    return str(call("profile", "phone_number"))
