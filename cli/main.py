"""The `capsule` command line."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import typer
from typer import _click

from .help import PlainHelpGroup, name_values
from .output import log_to_stderr

#: Every command, in the order `capsule --help` lists them, and the
#: `capsule.cli` module and attribute that define it: a command function or a
#: Typer group. A module is imported only when its command runs, so
#: `capsule search` does not first load wasmtime, the database layer and
#: every benchmark.
COMMANDS: dict[str, tuple[str, str]] = {
    "new": ("new", "new"),
    "build": ("build", "build"),
    "run": ("run", "run"),
    "audit": ("audit", "audit"),
    "keygen": ("keygen", "keygen"),
    "bench": ("bench", "bench"),
    "host": ("host", "host"),
    "dev": ("dev", "dev"),
    "wallet": ("wallet", "app"),
    "privacy": ("privacy", "app"),
    "qr": ("qr", "app"),
    "messages": ("messages", "app"),
    "publish": ("publish", "publish"),
    "search": ("search", "search"),
    "registry": ("registry", "app"),
    "review": ("review", "app"),
    "release": ("release", "app"),
}


class CapsuleCommands(PlainHelpGroup):
    """The top-level group: its commands come from `COMMANDS`, loaded when first asked for."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in self.commands:
            module, attribute = COMMANDS[cmd_name]
            self.commands[cmd_name] = _command(cmd_name, getattr(import_module(f"{__package__}.{module}"), attribute))
        return self.commands[cmd_name]


def _command(name: str, target: Any) -> _click.Command:
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)
    else:
        single = typer.Typer(add_completion=False)  # the top-level app has none either: no shell-completion options on one command
        single.command(name=name)(target)
        command = typer.main.get_command(single)
    command.name = name
    name_values(command)
    return command


app = typer.Typer(
    name="capsule",
    help="Build, run, audit and benchmark Capsule mini-programs. State lives in CAPSULE_HOME (default ~/.capsule).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=CapsuleCommands,
)


@app.callback()
def _every_command() -> None:
    log_to_stderr()


def main() -> None:
    app()
