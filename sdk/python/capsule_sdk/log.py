"""Diagnostics for the developer: `log.info("...")`. Shown by `capsule run` and `capsule dev`."""

from __future__ import annotations

from ._bindings import interface


def _write(level: str, message: str) -> None:
    module = interface("log")
    module.write(getattr(module.Level, level), str(message))


def debug(message: object) -> None:
    """Write `str(message)` at level DEBUG: detail only useful while developing."""
    _write("DEBUG", str(message))


def info(message: object) -> None:
    """Write `str(message)` at level INFO: what the program did."""
    _write("INFO", str(message))


def warn(message: object) -> None:
    """Write `str(message)` at level WARN: something looks wrong, the program goes on."""
    _write("WARN", str(message))


def error(message: object) -> None:
    """Write `str(message)` at level ERROR: something failed."""
    _write("ERROR", str(message))
