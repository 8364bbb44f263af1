"""Host side of `capsule:app/ui`: views, toasts and modals."""

from __future__ import annotations

import time
from typing import Any, Mapping

from ...errors import LimitExceeded, ViewError
from ...engine.turn import current_turn
from ...prompter import ConfirmRequest
from ...views import parse_view
from ..base import CallContext, Capability, HostFunction, InvalidArgument, LimitReached

MAX_TOAST_CHARS = 200
MAX_MODAL_CHARS = 2_000
MAX_LABEL_CHARS = 40
#: Toasts one turn may show; each is a message the host must draw.
MAX_TOASTS_PER_TURN = 5


class UiCapability(Capability):
    name = "ui"

    def functions(self) -> Mapping[str, HostFunction]:
        return {"render": render, "toast": toast, "modal": modal, "sleep": sleep}


def render(ctx: CallContext, view_json: str) -> None:
    limit = ctx.session.limits.view_bytes
    # A character is at least one byte: only measure the bytes when it matters.
    if len(view_json) > limit // 4 and len(view_json.encode()) > limit:
        raise LimitExceeded(
            "view_bytes",
            f"the program sent a view of {len(view_json.encode())} bytes; the limit is {limit} bytes",
        )
    try:
        view = parse_view(view_json, max_bytes=limit)
    except ViewError as error:
        raise InvalidArgument(str(error)) from None
    ctx.session.set_view(view)


def toast(ctx: CallContext, message: str, kind: str) -> None:
    if not message or len(message) > MAX_TOAST_CHARS:
        raise InvalidArgument(f"toast message must be 1 to {MAX_TOAST_CHARS} characters, got {len(message)}")
    turn = current_turn()
    if turn.toasts >= MAX_TOASTS_PER_TURN:
        raise LimitReached(f"at most {MAX_TOASTS_PER_TURN} toasts per event; show the rest in the view")
    turn.toasts += 1
    ctx.session.add_toast(message, kind)


def modal(ctx: CallContext, title: str, message: str, confirm_label: str, cancel_label: Any) -> bool:
    if len(title) + len(message) > MAX_MODAL_CHARS:
        raise InvalidArgument(f"modal title and message together must stay under {MAX_MODAL_CHARS} characters")
    for label, text in (("confirm-label", confirm_label), ("cancel-label", cancel_label or "")):
        if len(text) > MAX_LABEL_CHARS:
            raise InvalidArgument(f"{label} must be at most {MAX_LABEL_CHARS} characters, got {len(text)}")
    request = ConfirmRequest(
        user=ctx.user,
        app_id=ctx.app.id,
        app_name=ctx.app.name,
        title=title,
        message=message,
        confirm_label=confirm_label or "OK",
        cancel_label=cancel_label,
    )
    return ctx.session.ask(lambda prompter, timeout: prompter.confirm(request, timeout))


def sleep(ctx: CallContext, milliseconds: int) -> None:
    """Wait in the host, where the wall clock can end the wait (a WASI sleep cannot be cut)."""
    turn = current_turn()
    left = turn.remaining_wall_s()
    if milliseconds / 1000 < left:
        time.sleep(milliseconds / 1000)
        return
    time.sleep(max(0.0, left))
    raise LimitExceeded(
        "wall_ms",
        f"the program slept past its turn's wall-clock limit of {ctx.session.limits.wall_ms} ms "
        f"(asked for {milliseconds} ms during {turn.what}); sleep less, or wait for the next event",
    )
