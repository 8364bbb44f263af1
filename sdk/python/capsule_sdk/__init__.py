"""The Capsule guest SDK for Python programs.

    from capsule_sdk import App, Page, handler, view as v

Capabilities are modules: `storage`, `payments`, `profile`, `location`, `media`,
`qr`, `network`, `messages`, `ui`, `log`. A call returns plain values or the frozen
dataclasses of `capsule_sdk.types` (enums there are `StrEnum`s); a failed call
raises a `CapabilityError` subclass.
"""

# Every module is imported here, at build time: a component cannot load
# modules later, so a lazy import would fail when the program runs.
from . import _waits, location, log, media, messages, network, payments, profile, qr, storage, types, ui, view
from .app import App, Page, handler
from .errors import (
    CapabilityError,
    InvalidArgument,
    LimitExceeded,
    NotDeclared,
    PaymentCancelled,
    PaymentConflict,
    PaymentDeclined,
    Refused,
    Unavailable,
)

# time.sleep and select wait in the host, where the turn's wall clock can end them.
_waits.install()

__all__ = [
    "App",
    "CapabilityError",
    "InvalidArgument",
    "LimitExceeded",
    "NotDeclared",
    "Page",
    "PaymentCancelled",
    "PaymentConflict",
    "PaymentDeclined",
    "Refused",
    "Unavailable",
    "handler",
    "location",
    "log",
    "media",
    "messages",
    "network",
    "payments",
    "profile",
    "qr",
    "storage",
    "types",
    "ui",
    "view",
]
