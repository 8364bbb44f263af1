"""Help pages in words: `--user USER`, `PACKAGE`, not Python's `<str>`, `<path>`, `<list[str]>`.

Typer shows each parameter's Python type in `--help`. The `capsule` group
names every value by its parameter instead (or by the metavar a command
gives it) and shows nothing for flags, on every command beneath it.
"""

from __future__ import annotations

from typing import Any

from typer import _click
from typer.core import TyperArgument, TyperGroup


class PlainHelpGroup(TyperGroup):
    """The `capsule` command group: every command under it shows its values by name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_values(self)


def name_values(command: _click.Command) -> None:
    for param in command.params:
        _name(param)
    # The help flag is made on first use and then kept: make it now to name it too.
    help_option = command.get_help_option(_click.Context(command))
    if help_option is not None:
        help_option.metavar = ""
    for subcommand in getattr(command, "commands", {}).values():
        name_values(subcommand)


def _name(param: _click.Parameter) -> None:
    if isinstance(param, TyperArgument):
        param.metavar = param.metavar or param.name.upper()
        # An argument's type column ignores its metavar: the name column says it all.
        param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
    elif getattr(param, "is_flag", False) or getattr(param, "count", False):
        param.metavar = ""
    elif param.metavar is None:
        param.metavar = param.name.upper()
