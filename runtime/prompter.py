"""How a capability asks the user: consent, confirmation, picking.

A host application implements `Prompter` with its own dialogs. Calls block the
session's thread (other sessions keep running) until the user answers or the
timeout passes; a timeout counts as "no".

A confirmation may ask for a secret (the payment PIN): the request's `secret`
says which, and the prompter answers `Approval(secret=...)` with what the user
typed. The runtime checks it; the program never sees it.
"""

from __future__ import annotations

import getpass
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Protocol, runtime_checkable

from .views.currency import format_amount
from .views.visible import visible

#: `ConfirmRequest.secret` values: type the payment PIN, or choose one (none is set yet).
SECRET_PIN = "pin"
SECRET_NEW_PIN = "new-pin"


@dataclass(frozen=True)
class Money:
    """An amount in integer minor units, for the host to show in its own format."""

    amount: int
    currency: str

    def __str__(self) -> str:
        return format_amount(self.amount, self.currency)


@dataclass(frozen=True)
class Approval:
    """A "yes" carrying the secret the user typed, for a confirmation that asks for one."""

    secret: str

    def __repr__(self) -> str:  # never in a log or a traceback
        return "Approval(secret=<hidden>)"


@dataclass(frozen=True)
class Choice:
    """A "yes" naming one of a confirmation's `choices` (the subscribe sheet's "always")."""

    value: str


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

    `details` are label/value lines the host shows (the merchant, the amount,
    the balance); a `Money` value is an amount for the host to format. `amount`
    is what the confirm button spends, shown after `confirm_label`.

    `secret` is None for a plain yes/no, `SECRET_PIN` when the user must type
    their payment PIN, `SECRET_NEW_PIN` when they have none and choose one now
    (the host should ask for it twice). Answer with `Approval(secret=...)`; a
    bare True is then a refusal. `problem` says why the question is asked
    again ("Wrong PIN. 4 tries left ..."). `codes` gives a stable code and its
    values for `message` and `problem` where the host wrote them, so a
    prompter can say them in the user's language (the web shell does).
    """

    user: str
    app_id: str
    app_name: str
    title: str
    message: str
    confirm_label: str = "OK"
    cancel_label: str | None = "Cancel"
    kind: str = "modal"
    details: tuple[tuple[str, str | Money], ...] = ()
    amount: Money | None = None
    secret: str | None = None
    problem: str | None = None
    #: {"message" or "problem": {"code": ..., "params": {...}}} for text the host wrote.
    codes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, hash=False)
    #: Further "yes" buttons as (value, label), e.g. (("always", "Always allow"),):
    #: the prompter answers `Choice(value)` for one. A host that shows only
    #: the confirm button still gives a valid answer (True).
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def button_text(self) -> str:
        """The confirm button as a terminal shows it: "Pay 12.50 CNY"."""
        return f"{self.confirm_label} {self.amount}" if self.amount is not None else self.confirm_label


@dataclass(frozen=True)
class PickRequest:
    """The user chooses files (photos, videos, an image to scan)."""

    user: str
    app_id: str
    app_name: str
    kind: str
    max_count: int = 1


@dataclass(frozen=True)
class ContactPickRequest:
    """The user chooses one of their contacts to receive `title` (a card from the program).

    The host shows the picker; the program learns only whether one was chosen.
    """

    user: str
    app_id: str
    app_name: str
    title: str


@runtime_checkable
class Prompter(Protocol):
    def ask_consent(self, request: ConsentRequest, timeout: float) -> bool: ...

    def confirm(self, request: ConfirmRequest, timeout: float) -> bool | Approval | Choice: ...

    def pick(self, request: PickRequest, timeout: float) -> list[Path]: ...

    # Optional (a prompter without it makes sharing to contacts "unavailable"):
    # def pick_contact(self, request: ContactPickRequest, contacts: list[str], timeout: float) -> str | None


@dataclass
class PolicyPrompter:
    """Answers from a fixed policy: for automation, tests and `capsule run`.

    `grants` maps a scope (e.g. "location.fuzzy") to yes or no; scopes not
    listed get `default`. `picks` are handed out in order to pick requests.
    `pin` is typed when a confirmation asks for the payment PIN (or to choose
    one), once: a sheet that comes back saying the PIN was wrong is answered
    "no". Without `pin`, a confirmation that asks for one is answered "no". Every question asked is kept in `asked`, so a test can
    check what the user saw.
    """

    grants: dict[str, bool] = field(default_factory=dict)
    default: bool = False
    confirm_default: bool = True
    confirms: dict[str, bool | Choice] = field(default_factory=dict)
    picks: list[list[Path]] = field(default_factory=list)
    #: Handed out in order to contact pickers (None: the user closed it).
    contact_picks: list[str | None] = field(default_factory=list)
    asked: list[object] = field(default_factory=list)
    pin: str | None = field(default=None, repr=False)

    def ask_consent(self, request: ConsentRequest, timeout: float) -> bool:
        self.asked.append(request)
        return self.grants.get(request.scope, self.default)

    def confirm(self, request: ConfirmRequest, timeout: float) -> bool | Approval | Choice:
        self.asked.append(request)
        yes = self.confirms.get(request.kind, self.confirm_default)
        if request.secret is None:
            return yes
        # A policy knows one PIN: typing it again after it was refused would only
        # use up the user's tries, so a sheet that comes back with a problem is a no.
        if yes and self.pin is not None and request.problem is None:
            return Approval(self.pin)
        return False

    def pick(self, request: PickRequest, timeout: float) -> list[Path]:
        self.asked.append(request)
        return self.picks.pop(0) if self.picks else []

    def pick_contact(self, request: ContactPickRequest, contacts: list[str], timeout: float) -> str | None:
        self.asked.append(request)
        return self.contact_picks.pop(0) if self.contact_picks else None


def refusing_prompter() -> PolicyPrompter:
    """What `Host()` answers with when it is given no prompter: no to every
    permission, every confirmation (payments included) and every picker.

    Nothing is granted or paid behind a person's back; a host application, a
    test or a tool that wants other answers passes its own prompter.
    """
    return PolicyPrompter(default=False, confirm_default=False)


class TerminalPrompter:
    """Asks on the terminal. Without a terminal it answers "no" to everything,
    so nothing is granted behind a person's back. A PIN is read without echo.
    The program's words are shown with their control characters visible
    (`visible`): a question cannot be rewritten on screen by escape sequences."""

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

    def confirm(self, request: ConfirmRequest, timeout: float) -> bool | Approval:
        if not self._interactive():
            return False
        lines = [f"\n{visible(request.title)} ({visible(request.app_name)})", f"  {visible(request.message)}"]
        lines += [f"  {visible(label)}: {visible(str(value))}" for label, value in request.details]
        if request.problem:
            lines.append(f"  {visible(request.problem)}")
        button = visible(request.button_text)
        if request.secret is None and request.choices:
            options = "".join(f"\n  [{i}] {visible(label)}" for i, (_, label) in enumerate(request.choices, 2))
            answer = self._ask("\n".join(lines) + f"\n  [1] {button}{options}\n  Choose (empty: no): ")
            if answer == "1":
                return True
            if answer.isdigit() and 2 <= int(answer) < 2 + len(request.choices):
                return Choice(request.choices[int(answer) - 2][0])
            return False
        if request.secret is None:
            answer = self._ask("\n".join(lines) + f"\n  {button}? [y/N] ")
            return answer.lower() in {"y", "yes"}
        self._out.write("\n".join(lines) + "\n")
        if request.secret == SECRET_NEW_PIN:
            self._out.write("  You have no payment PIN yet: choose 6 digits.\n")
            first = self._secret(f"  New PIN for {button} (empty to cancel): ")
            if not first or self._secret("  The same PIN again: ") != first:
                return False
            return Approval(first)
        pin = self._secret(f"  PIN for {button} (empty to cancel): ")
        return Approval(pin) if pin else False

    def _secret(self, text: str) -> str:
        """A line typed without echo (getpass), from this prompter's own streams."""
        return getpass.getpass(text, stream=self._out) if self._in is sys.stdin else self._ask(text)

    def pick_contact(self, request: ContactPickRequest, contacts: list[str], timeout: float) -> str | None:
        if not self._interactive() or not contacts:
            return None
        listing = "".join(f"\n  [{i}] {visible(name)}" for i, name in enumerate(contacts, 1))
        answer = self._ask(
            f'\n"{visible(request.app_name)}" asks you to send "{visible(request.title)}" to a contact:{listing}\n  Choose (empty: none): '
        )
        return contacts[int(answer) - 1] if answer.isdigit() and 1 <= int(answer) <= len(contacts) else None

    def pick(self, request: PickRequest, timeout: float) -> list[Path]:
        if not self._interactive():
            return []
        answer = self._ask(f"\n\"{visible(request.app_name)}\" asks you to pick {visible(request.kind)} (paths, space separated): ")
        return [Path(p).expanduser() for p in answer.split()][: request.max_count]
