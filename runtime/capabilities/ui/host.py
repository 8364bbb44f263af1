"""Host side of `capsule:app/ui`: views, toasts and modals."""

from __future__ import annotations

import time
from typing import Any, Mapping

from ...errors import LimitExceeded, ViewError
from ...engine.turn import current_turn
from ...prompter import ConfirmRequest
from ...views import parse_view
from ..base import CallContext, Capability, HostFunction, InvalidArgument

MAX_TOAST_CHARS = 200
MAX_MODAL_CHARS = 2_000


class UiCapability(Capability):
    name = "ui"

    def functions(self) -> Mapping[str, HostFunction]:
        return {"render": render, "toast": toast, "modal": modal}


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
    ctx.session.add_toast(message, kind)


def modal(ctx: CallContext, title: str, message: str, confirm_label: str, cancel_label: Any) -> bool:
    if len(title) + len(message) > MAX_MODAL_CHARS:
        raise InvalidArgument(f"modal title and message together must stay under {MAX_MODAL_CHARS} characters")
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
