"""The browser as the `Prompter`: questions go to the tab, answers come back.

A capability asks from the session's worker thread and blocks there; the
question travels to the tab as a `prompt` message and the thread waits until
the tab answers (or the timeout passes, which counts as "no"). Other sessions
and the socket itself keep running meanwhile.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..capabilities.payments.pin import MAX_SECRET_CHARS
from ..prompter import Approval, Choice, ConfirmRequest, ConsentRequest, ContactPickRequest, Money, PickRequest

Send = Callable[[dict[str, Any]], None]


@dataclass
class PendingPrompt:
    id: str
    session_id: str
    user: str
    kind: str
    done: threading.Event = field(default_factory=threading.Event)
    answer: Any = None


class BrowserPrompter:
    """One per session: `send` puts a message on the socket of the session's tab."""

    def __init__(self, send: Send, session_id: Callable[[], str], pending: dict[str, PendingPrompt]) -> None:
        self._send = send
        self._session_id = session_id
        #: Shared host-wide, so an answer (a socket message, or files posted
        #: over HTTP) finds its prompt; ids are unguessable.
        self._pending = pending

    def ask_consent(self, request: ConsentRequest, timeout: float) -> bool:
        return self._ask(
            "consent",
            {"app_name": request.app_name, "scope": request.scope, "reason": request.reason},
            timeout,
            request.user,
        ) is True

    def confirm(self, request: ConfirmRequest, timeout: float) -> bool | Approval | Choice:
        """Amounts go as {"amount", "currency"} so the shell formats all money one way."""
        fields = {
            "sheet": request.kind,
            "app_name": request.app_name,
            "title": request.title,
            "message": request.message,
            "confirm_label": request.confirm_label,
            "cancel_label": request.cancel_label,
            "details": [[label, _value(value)] for label, value in request.details],
            "amount": _value(request.amount) if request.amount is not None else None,
            "secret": request.secret,
            "problem": request.problem,
            # Stable codes and values for the text above the host wrote: the shell says it in the user's language.
            "codes": {name: dict(found) for name, found in request.codes.items()},
            "choices": [[value, label] for value, label in request.choices],
        }
        answered = self._ask("confirm", fields, timeout, request.user)
        if isinstance(answered, Choice):
            # Only a choice the sheet offered; anything else is a plain yes.
            return answered if any(answered.value == value for value, _ in request.choices) else True
        if isinstance(answered, Approval):
            return answered if request.secret is not None else True
        return answered is True

    def pick(self, request: PickRequest, timeout: float) -> list[Path]:
        answer = self._ask("pick", {"app_name": request.app_name, "pick": request.kind, "max_count": request.max_count}, timeout, request.user)
        if not isinstance(answer, list):
            return []
        return [Path(path) for path in answer][: request.max_count]

    def pick_contact(self, request: ContactPickRequest, contacts: list[str], timeout: float) -> str | None:
        """The tab shows the user's own contacts; the program gets only whether one was chosen."""
        answered = self._ask(
            "contact", {"app_name": request.app_name, "title": request.title, "contacts": list(contacts)}, timeout, request.user
        )
        return answered.value if isinstance(answered, Choice) and answered.value in contacts else None

    def _ask(self, kind: str, fields: dict[str, Any], timeout: float, user: str) -> Any:
        prompt = PendingPrompt(secrets.token_urlsafe(12), self._session_id(), user, kind)
        self._pending[prompt.id] = prompt
        try:
            self._send({"type": "prompt", "prompt": prompt.id, "session": prompt.session_id, "kind": kind, **fields})
            if not prompt.done.wait(timeout):
                self._send({"type": "prompt_closed", "prompt": prompt.id})
                return None
            return prompt.answer
        finally:
            self._pending.pop(prompt.id, None)


def _value(value: str | Money) -> str | dict[str, Any]:
    if isinstance(value, Money):
        return {"amount": value.amount, "currency": value.currency}
    return value


def with_secret(value: bool, secret: Any, choice: Any = None) -> bool | Approval | Choice:
    """A tab's yes with the PIN typed into the sheet (anything unusable as a PIN is no PIN),
    or with the choice it picked (a sheet's "Always allow", a contact)."""
    if value and isinstance(choice, str) and 0 < len(choice) <= 200:
        return Choice(choice)
    if value and isinstance(secret, str) and 0 < len(secret) <= MAX_SECRET_CHARS:
        return Approval(secret)
    return value


def answer(pending: dict[str, PendingPrompt], prompt_id: str, value: Any, *, user: str) -> bool:
    """Hand `user`'s answer to the waiting thread; False when nothing of theirs waits for it."""
    prompt = pending.get(prompt_id)
    if prompt is None or prompt.user != user or prompt.done.is_set():
        return False
    prompt.answer = value
    prompt.done.set()
    return True


def cancel_sessions(pending: dict[str, PendingPrompt], session_ids: set[str]) -> None:
    """The tab went away: its open questions are answered "no"."""
    for prompt in list(pending.values()):
        if prompt.session_id in session_ids:
            answer(pending, prompt.id, None, user=prompt.user)
