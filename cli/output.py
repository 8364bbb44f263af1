"""How the CLI speaks: rich tables and colour for people, plain JSON for programs.

Text the CLI did not write itself (a manifest's name, a program's log line, a
registry's answer, an error quoting a value) reaches the terminal only through
`literal`: rich markup in it is not interpreted and its control characters are
shown, not obeyed.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from capsule.runtime.errors import CapsuleError, DocumentError
from capsule.runtime.views.visible import visible

# soft_wrap: a long path, digest or message stays on one line to copy; tables still fit the width.
# emoji off: ":warning:" in a program's text is those nine characters, not a picture.
console = Console(highlight=False, soft_wrap=True, emoji=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

# Characters JSON leaves raw that a terminal may still obey (C1 controls, bidi
# controls, line separators) or that cannot be encoded (lone surrogates).
#: Where the log capability passes a program's lines on to Python's logging.
PROGRAM_LOGGERS = "capsule.program."
#: Backslashes right before a "[" that rich will not read as a tag (the pattern is rich's own for tags).
_BACKSLASH_BEFORE_TEXT = re.compile(r"(\\+)\[(?![a-z#/@][^[]*?])")
_JSON_HIDDEN = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def literal(value: object, *, lines: bool = False) -> str:
    """`value` as rich markup that prints exactly as typed, controls shown as escapes (\\x1b).

    Every string a program, manifest, registry or user supplies goes through
    this before it is put in a markup string, a table cell or a title. With
    `lines`, newlines stay line breaks.
    """
    text = visible(str(value), lines=lines)
    body = text.rstrip("\\")
    trailing = len(text) - len(body)
    # rich drops one backslash before any "[" that does not open a tag ("\\[link=x"
    # would print "[link=x"); escape() only handles tags, so double it here.
    body = _BACKSLASH_BEFORE_TEXT.sub(r"\1\\[", escape(body))
    if not trailing:
        return body
    # rich reads backslashes right before a tag as escapes, so a value ending in
    # "\\" followed by our own "[/]" would lose the backslash or the tag. Doubled
    # and closed by an empty tag pair, they print as typed whatever follows.
    return body + "\\" * (2 * trailing) + "[dim][/dim]"


def json_text(value: Any) -> str:
    """`value` as one line of JSON that is also safe to show in a terminal."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    # Such characters occur only inside JSON strings, where the escape means the same.
    return _JSON_HIDDEN.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def emit_json(value: Any) -> None:
    """One JSON document on one line of stdout."""
    sys.stdout.write(json_text(value) + "\n")
    sys.stdout.flush()


def fail(error: CapsuleError | str, *, code: int = 1, as_json: bool = False) -> NoReturn:
    """Report an error (named, with what to do) and exit."""
    if as_json:
        payload: dict[str, Any] = {"error": getattr(error, "code", "error"), "message": str(error)}
        if isinstance(error, DocumentError):
            payload["problems"] = [{"pointer": p.pointer, "message": p.message} for p in error.problems]
        sys.stderr.write(json_text(payload) + "\n")
    elif isinstance(error, DocumentError):
        # One problem per line, as the message is laid out; each problem's own
        # text (a field name, a value from the file) still cannot break its line.
        where = f" in {error.source}" if error.source else ""
        errors.print(f"[bold red]error[/]: invalid {literal(error.document)}{literal(where)}:")
        for problem in error.problems:
            errors.print(f"  {literal(problem)}")
    else:
        # A message of several lines (a program's traceback under "does not load") keeps
        # them, indented under the error, so no line of it passes for the CLI's own.
        first, *rest = str(error).rstrip("\n").split("\n")
        errors.print(f"[bold red]error[/]: {literal(first)}")
        for line in rest:
            errors.print(f"  {literal(line)}")
    raise typer.Exit(code)


def warn(message: str) -> None:
    errors.print(f"[yellow]warning[/]: {literal(message)}")


def note(message: str) -> None:
    errors.print(f"[dim]{literal(message)}[/]")


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test runner swaps it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


class _VisibleLogFormatter(logging.Formatter):
    """Log records on the terminal: a program's words in them with their controls shown."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return visible(super().formatMessage(record))


def log_to_stderr() -> None:
    """The runtime's warnings on stderr, shown literally.

    Without a handler Python prints every warning raw, escape sequences
    included, a program's own log lines among them. Those are left out here:
    they are shown where the program runs (`capsule run`, the web inspector).
    """
    logger = logging.getLogger("capsule")
    if not any(isinstance(handler.formatter, _VisibleLogFormatter) for handler in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(_VisibleLogFormatter("%(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.WARNING)
        handler.addFilter(lambda record: not record.name.startswith(PROGRAM_LOGGERS))
        logger.addHandler(handler)
