"""The bounds of one turn: every call into a program runs inside them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TurnLimits:
    """Limits for one export call ("turn") and for the session's store.

    Defaults suit a Python guest on a small machine; a host may tighten them.
    """

    #: Time the guest itself may run in one turn (host calls not counted).
    cpu_ms: int = 2_000
    #: Time one turn may take in all, host calls included (prompts excluded:
    #: a person answering a dialog is not the program's doing).
    wall_ms: int = 30_000
    #: Linear memory of the whole session (a Python guest starts near 13 MiB).
    memory_bytes: int = 64 * 1024 * 1024
    #: Guest-to-host calls in one turn.
    host_calls: int = 2_000
    #: Size of one view document, in bytes of JSON.
    view_bytes: int = 256 * 1024
    #: Log bytes one turn may write; the rest is dropped with a notice.
    log_bytes: int = 64 * 1024

    def describe(self) -> dict[str, int]:
        return {
            "cpu_ms": self.cpu_ms,
            "wall_ms": self.wall_ms,
            "memory_bytes": self.memory_bytes,
            "host_calls": self.host_calls,
            "view_bytes": self.view_bytes,
            "log_bytes": self.log_bytes,
        }
