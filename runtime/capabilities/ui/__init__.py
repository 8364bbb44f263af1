"""ui: the program's view, toasts and modals. Always available, nothing to declare."""

from .host import UiCapability

__all__ = ["UiCapability"]
