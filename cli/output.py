"""How the CLI speaks: rich tables and colour for people, plain JSON for programs."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console

from capsule.runtime.errors import CapsuleError, DocumentError

# soft_wrap: a long path, digest or message stays on one line to copy; tables still fit the width.
console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


def emit_json(value: Any) -> None:
    """One JSON document on one line of stdout."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str) + "\n")
    sys.stdout.flush()


def fail(error: CapsuleError | str, *, code: int = 1, as_json: bool = False) -> NoReturn:
    """Report an error (named, with what to do) and exit."""
    if as_json:
        payload: dict[str, Any] = {"error": getattr(error, "code", "error"), "message": str(error)}
        if isinstance(error, DocumentError):
            payload["problems"] = [{"pointer": p.pointer, "message": p.message} for p in error.problems]
        sys.stderr.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        errors.print(f"[bold red]error[/]: {error}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    errors.print(f"[yellow]warning[/]: {message}", soft_wrap=True)


def note(message: str) -> None:
    errors.print(f"[dim]{message}[/]", soft_wrap=True)
