"""How a capability asks the user: consent, confirmation, picking.

A host application implements `Prompter` with its own dialogs. Calls block the
session's thread (other sessions keep running) until the user answers or the
timeout passes; a timeout counts as "no".
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from .views.visible import visible


@dataclass(frozen=True)
class ConsentRequest:
    """May `app_name` use `scope`? `reason` comes from the program's manifest."""

    user: str
    app_id: str
    app_name: str
    scope: str
    reason: str


@dataclass(frozen=True)
class ConfirmRequest:
    """A yes/no dialog: a modal, or a sheet such as the payment sheet.

    `details` are label/value lines the host shows as they are (the merchant,
    the amount, the balance).
    """

    user: str
    app_id: str
    app_name: str
    title: str
    message: str
    confirm_label: str = "OK"
    cancel_label: str | None = "Cancel"
    kind: str = "modal"
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PickRequest:
    """The user chooses files (photos, videos, an image to scan)."""

    user: str
    app_id: str
    app_name: str
    kind: str
    max_count: int = 1


@runtime_checkable
class Prompter(Protocol):
    def ask_consent(self, request: ConsentRequest, timeout: float) -> bool: ...

    def confirm(self, request: ConfirmRequest, timeout: float) -> bool: ...

    def pick(self, request: PickRequest, timeout: float) -> list[Path]: ...


@dataclass
class PolicyPrompter:
    """Answers from a fixed policy: for automation, tests and `capsule run`.

    `grants` maps a scope (e.g. "location.fuzzy") to yes or no; scopes not
    listed get `default`. `picks` are handed out in order to pick requests.
    Every question asked is kept in `asked`, so a test can check what the user saw.
    """

    grants: dict[str, bool] = field(default_factory=dict)
    default: bool = False
    confirm_default: bool = True
    confirms: dict[str, bool] = field(default_factory=dict)
    picks: list[list[Path]] = field(default_factory=list)
    asked: list[object] = field(default_factory=list)

    def ask_consent(self, request: ConsentRequest, timeout: float) -> bool:
        self.asked.append(request)
        return self.grants.get(request.scope, self.default)

    def confirm(self, request: ConfirmRequest, timeout: float) -> bool:
        self.asked.append(request)
        return self.confirms.get(request.kind, self.confirm_default)

    def pick(self, request: PickRequest, timeout: float) -> list[Path]:
        self.asked.append(request)
        return self.picks.pop(0) if self.picks else []


class TerminalPrompter:
    """Asks on the terminal. Without a terminal it answers "no" to everything,
    so nothing is granted behind a person's back. The program's words are shown
    with their control characters visible (`visible`): a question cannot be
    rewritten on screen by escape sequences in it."""

    def __init__(self, stream_in=None, stream_out=None) -> None:
        self._in = stream_in or sys.stdin
        self._out = stream_out or sys.stderr

    def _interactive(self) -> bool:
        return bool(getattr(self._in, "isatty", lambda: False)())

    def _ask(self, text: str) -> str:
        self._out.write(text)
        self._out.flush()
        return self._in.readline().strip()

    def ask_consent(self, request: ConsentRequest, timeout: float) -> bool:
        if not self._interactive():
            return False
        answer = self._ask(
            f'\n"{visible(request.app_name)}" asks to use {visible(request.scope)}.\n  Reason: {visible(request.reason)}\n  Allow? [y/N] '
        )
        return answer.lower() in {"y", "yes"}

    def confirm(self, request: ConfirmRequest, timeout: float) -> bool:
        if not self._interactive():
            return False
        lines = [f"\n{visible(request.title)} ({visible(request.app_name)})", f"  {visible(request.message)}"]
        lines += [f"  {visible(label)}: {visible(value)}" for label, value in request.details]
        answer = self._ask("\n".join(lines) + f"\n  {visible(request.confirm_label)}? [y/N] ")
        return answer.lower() in {"y", "yes"}

    def pick(self, request: PickRequest, timeout: float) -> list[Path]:
        if not self._interactive():
            return []
        answer = self._ask(f"\n\"{visible(request.app_name)}\" asks you to pick {visible(request.kind)} (paths, space separated): ")
        return [Path(p).expanduser() for p in answer.split()][: request.max_count]
