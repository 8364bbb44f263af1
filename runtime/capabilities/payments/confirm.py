"""Asking the user to confirm a movement of their money, with their PIN.

The sheet asks for the PIN (or, for a user who has none yet, to choose one)
unless the amount is below the user's own no-PIN amount. A wrong PIN asks
again with what went wrong, until the user cancels or the fifth wrong PIN
locks their payments; then the user is told until when, and the program
hears `declined`. The PIN goes from the prompter to `PinStore` and nowhere
else: the program never sees it.
"""

from __future__ import annotations

from dataclasses import replace

from ...prompter import SECRET_NEW_PIN, SECRET_PIN, Approval, ConfirmRequest
from ..base import CallContext, InvalidArgument
from .errors import PaymentCancelled, PaymentDeclined
from .pin import MAX_FAILURES, MAX_SECRET_CHARS, PinAlreadySet, PinError, PinLocked, PinStore
from .sheet import locked_notice

#: Sheets shown for one payment at most: a prompter that keeps answering
#: something unusable (malformed new PINs, say) cannot hold the turn forever.
MAX_ASKS = MAX_FAILURES + 2


def confirm_payment(ctx: CallContext, pins: PinStore, sheet: ConfirmRequest) -> None:
    """Returns when the user confirmed (with the right PIN where one is needed); raises otherwise."""
    user = ctx.user
    try:
        pins.check_unlocked(user)
    except PinLocked as locked:
        _locked(ctx, locked)
    amount = sheet.amount
    if amount is not None and not pins.needs_pin(user, amount.amount, amount.currency):
        if _answer(ctx, sheet) is False:
            raise PaymentCancelled("the user cancelled the payment sheet or did not answer in time")
        return
    problem: PinError | InvalidArgument | None = None
    for _ in range(MAX_ASKS):
        mode = SECRET_PIN if pins.status(user).is_set else SECRET_NEW_PIN
        asked = replace(sheet, secret=mode, problem=str(problem), codes={"problem": problem.coded()}) if problem is not None else replace(sheet, secret=mode)
        answer = _answer(ctx, asked)
        if answer is False:
            raise PaymentCancelled("the user cancelled the payment sheet or did not answer in time")
        secret = answer.secret if isinstance(answer, Approval) else None
        if not isinstance(secret, str) or not secret or len(secret) > MAX_SECRET_CHARS:
            raise PaymentCancelled("the payment needs the user's payment PIN and none was entered")
        try:
            if mode == SECRET_NEW_PIN:
                _choose(pins, user, secret)
            else:
                pins.verify(user, secret)
            return
        except PinLocked as locked:
            _locked(ctx, locked)
        except (PinError, InvalidArgument) as error:
            problem = error
    raise PaymentCancelled("the payment sheet was answered without a usable PIN too many times")


def _choose(pins: PinStore, user: str, secret: str) -> None:
    """The first PIN; if another tab set one meanwhile, what was typed must be that PIN."""
    try:
        pins.set(user, secret)
    except PinAlreadySet:
        pins.verify(user, secret)


def _answer(ctx: CallContext, request: ConfirmRequest) -> bool | Approval:
    """The prompter's answer: False for no, a timeout, or anything that is not a yes."""
    try:
        answer = ctx.session.ask(lambda prompter, timeout: prompter.confirm(request, timeout))
    except TimeoutError:  # a prompter that signals its timeout instead of answering "no"
        return False
    if isinstance(answer, Approval):
        return answer
    return answer is True


def _locked(ctx: CallContext, locked: PinLocked) -> None:
    """Tell the user why nothing happens, then decline (the program learns only that)."""
    try:
        ctx.session.ask(lambda prompter, timeout: prompter.confirm(locked_notice(ctx, locked), timeout))
    except TimeoutError:
        pass
    raise PaymentDeclined(str(locked))
