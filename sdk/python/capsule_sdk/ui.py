"""Toasts and modals (the view itself is rendered by `App`)."""

from __future__ import annotations

from ._bindings import call, interface
from .types import ToastKind

__all__ = ["ToastKind", "modal", "toast"]


def toast(message: str, kind: ToastKind | str = ToastKind.INFO) -> None:
    """A short, non-blocking message (1 to 200 characters); kind is info, success, warning or error."""
    wanted = ToastKind.parse(kind, "kind")
    call("ui", "toast", message, wanted.to_wit(interface("ui").ToastKind))


def modal(title: str, message: str, confirm: str = "OK", cancel: str | None = "Cancel") -> bool:
    """Ask the user in the host's dialog; True when they choose `confirm`."""
    return bool(call("ui", "modal", title, message, confirm, cancel))
