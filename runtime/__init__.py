"""The Capsule runtime: the host side of the platform.

Embed it in a host application with `Host`; see docs/embedding.md.
"""

from .admission import SessionCaps
from .engine.limits import TurnLimits
from .errors import (
    AuditError,
    CapsuleError,
    LimitExceeded,
    ManifestError,
    PackageError,
    ProgramError,
    ProgramTrapped,
    SessionEnded,
    TooManySessions,
    ViewError,
)
from .home import Home
from .host import Host
from .prompter import (
    Approval,
    ConfirmRequest,
    ConsentRequest,
    Money,
    PickRequest,
    PolicyPrompter,
    Prompter,
    TerminalPrompter,
)
from .session import Event, Session

__all__ = [
    "Approval",
    "AuditError",
    "CapsuleError",
    "ConfirmRequest",
    "ConsentRequest",
    "Event",
    "Home",
    "Host",
    "LimitExceeded",
    "ManifestError",
    "Money",
    "PackageError",
    "PickRequest",
    "PolicyPrompter",
    "ProgramError",
    "ProgramTrapped",
    "Prompter",
    "Session",
    "SessionCaps",
    "SessionEnded",
    "TerminalPrompter",
    "TooManySessions",
    "TurnLimits",
    "ViewError",
]
