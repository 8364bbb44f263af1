"""The capabilities a host provides, one subpackage each.

Each subpackage has the same shape: `permission.py` (its manifest section),
`host.py` (the host side of its WIT interface) and, where a host application
plugs in its own backend, `provider.py`. A capability whose host side is not
built yet answers "unavailable" to every call (see `NotYetAvailable`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from ..services import HostServices


def default_capabilities(services: "HostServices") -> dict[str, Capability]:
    """The capabilities this host implements today, by interface name.

    Each is built from the host's shared `services` (database, keys, identities).
    """
    # Imported here, not above: a capability's permission.py (which the
    # manifest model imports) must load without every host side and backend.
    from .log import LogCapability
    from .payments import PaymentsCapability
    from .ui import UiCapability
    from .user_data import user_data_capabilities

    return {
        "ui": UiCapability(),
        "log": LogCapability(),
        "payments": PaymentsCapability(services),
        **user_data_capabilities(services),
    }


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
