"""Diagnostics for the developer: `log.info("...")`. Shown by `capsule run` and `capsule dev`."""

from __future__ import annotations

from ._bindings import interface


def _write(level: str, message: str) -> None:
    module = interface("log")
    module.write(getattr(module.Level, level), str(message))


def debug(message: object) -> None:
    _write("DEBUG", str(message))


def info(message: object) -> None:
    _write("INFO", str(message))


def warn(message: object) -> None:
    _write("WARN", str(message))


def error(message: object) -> None:
    _write("ERROR", str(message))
