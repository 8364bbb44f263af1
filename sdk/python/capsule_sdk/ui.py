"""Toasts and modals (the view itself is rendered by `App`)."""

from __future__ import annotations

from ._bindings import call, interface


def toast(message: str, kind: str = "info") -> None:
    """A short message: kind is info, success, warning or error."""
    call("ui", "toast", message, getattr(interface("ui").ToastKind, kind.upper()))


def modal(title: str, message: str, confirm: str = "OK", cancel: str | None = "Cancel") -> bool:
    """Ask the user; True when they choose `confirm`."""
    return bool(call("ui", "modal", title, message, confirm, cancel))
