"""The Capsule runtime: the host side of the platform.

Embed it in a host application with `Host`; see docs/embedding.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .exports import exported_by, lazy_exports

# Imported on first use: a command that needs only the errors or the home
# (most of the CLI) does not pay for wasmtime, the database layer and every
# capability at start.
__getattr__ = lazy_exports(
    __name__,
    {
        **exported_by(".admission", "SessionCaps"),
        **exported_by(".engine.limits", "TurnLimits"),
        **exported_by(
            ".errors", "AuditError", "CapsuleError", "LimitExceeded", "ManifestError", "PackageError", "ProgramError",
            "ProgramTrapped", "SessionEnded", "TooManySessions", "ViewError",
        ),
        **exported_by(".home", "Home"),
        **exported_by(".host", "Host"),
        **exported_by(
            ".prompter", "Approval", "ConfirmRequest", "ConsentRequest", "Money", "PickRequest", "PolicyPrompter",
            "Prompter", "TerminalPrompter",
        ),
        **exported_by(".session", "Event", "Session"),
    },
)  # fmt: skip


if TYPE_CHECKING:
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
