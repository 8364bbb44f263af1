"""Admission: whether the host may start one more session.

Every live session holds a wasmtime store, a thread's worth of work and up to
its memory limit. Without caps, one user (or one cross-site page) opening
sessions in a loop grows the host until it falls over. Three caps, each a
setting on `Host(caps=SessionCaps(...))`:

- per user: one person cannot crowd out everyone else;
- per host: the number of live stores;
- memory: the sum of the live sessions' memory limits. The limits, not a
  measurement: wasmtime enforces the limit, so the sum is a bound the host
  can promise before a session starts, where measured memory (PSS growth,
  see docs/performance.md) is costly to read and only says what a session
  has used so far, not what it may still take.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol

from .errors import TooManySessions


class _Live(Protocol):
    user: str

    @property
    def memory_bytes(self) -> int: ...


@dataclass(frozen=True)
class SessionCaps:
    """How many sessions may live at once, and how much memory they may claim together."""

    #: Live sessions of one user (the web host keeps at most 12 per tab).
    per_user: int = 16
    #: Live sessions on the host.
    per_host: int = 128
    #: The sum of the live sessions' memory limits: 8 GiB is 128 sessions at
    #: the default 64 MiB (a small Python session really uses a few MiB).
    memory_bytes: int = 8 * 1024**3


def caps_for(sessions: int, *, memory_limit_bytes: int) -> SessionCaps:
    """Caps for a host sized to `sessions` live sessions, each limited to `memory_limit_bytes`."""
    if sessions < 1:
        raise ValueError(f"a host must admit at least one session, not {sessions}")
    return SessionCaps(per_host=sessions, memory_bytes=sessions * memory_limit_bytes)


def admit(caps: SessionCaps, live: Iterable[_Live], *, user: str, memory_bytes: int) -> None:
    """Raise TooManySessions when a new session of `user` would pass a cap."""
    sessions = list(live)
    mine = sum(1 for s in sessions if s.user == user)
    if mine >= caps.per_user:
        raise TooManySessions(
            "per_user",
            f"{user[:64]!r} already has {mine} open programs, the most one person may have "
            f"(SessionCaps.per_user = {caps.per_user}); close one and try again",
        )
    if len(sessions) >= caps.per_host:
        raise TooManySessions(
            "per_host",
            f"the host already runs {len(sessions)} programs, its most (SessionCaps.per_host = {caps.per_host}); "
            "try again when others have closed",
        )
    claimed = sum(s.memory_bytes for s in sessions)
    if claimed + memory_bytes > caps.memory_bytes:
        raise TooManySessions(
            "memory_bytes",
            f"the live programs may already use {claimed // 2**20} MiB together; one more "
            f"({memory_bytes // 2**20} MiB) would pass SessionCaps.memory_bytes = {caps.memory_bytes // 2**20} MiB; "
            "try again when others have closed",
        )
