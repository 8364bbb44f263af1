"""The capabilities a host provides, one subpackage each.

Each subpackage has the same shape: `permission.py` (its manifest section),
`host.py` (the host side of its WIT interface) and, where a host application
plugs in its own backend, `provider.py`. A capability whose host side is not
built yet answers "unavailable" to every call (see `NotYetAvailable`).
"""

from __future__ import annotations

from .base import (
    CallContext,
    Capability,
    CapabilityError,
    InvalidArgument,
    LimitReached,
    NotDeclared,
    NotYetAvailable,
    Refused,
    Unavailable,
)
from .binding import CallRecord, Observer
from .log import LogCapability
from .ui import UiCapability


def default_capabilities() -> dict[str, Capability]:
    """The capabilities this host implements today, by interface name."""
    return {"ui": UiCapability(), "log": LogCapability()}


__all__ = [
    "CallContext",
    "CallRecord",
    "Capability",
    "CapabilityError",
    "InvalidArgument",
    "LimitReached",
    "NotDeclared",
    "NotYetAvailable",
    "Observer",
    "Refused",
    "Unavailable",
    "default_capabilities",
]
