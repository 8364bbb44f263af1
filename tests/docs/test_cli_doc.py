"""docs/cli.md and the `capsule` command agree: every command and option that
exists is named in the page, and every command the page names exists."""

from __future__ import annotations

import re
from typing import Any, Iterator

import typer

from capsule.cli.main import app

from ..conftest import REPO

DOC = REPO / "docs" / "cli.md"


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every leaf command under `command`, with its words after `capsule`."""
    if hasattr(command, "list_commands"):
        context = type(command).context_class(command)
        for name in command.list_commands(context):
            yield from commands(command.get_command(context, name), (*path, name))
    else:
        yield path, command


def test_every_command_and_option_is_in_the_cli_reference():
    text = DOC.read_text(encoding="utf-8")
    missing = []
    for path, command in commands(typer.main.get_command(app)):
        if not all(word in text for word in path) or f"capsule {path[0]}" not in text:
            missing.append(" ".join(path))
        for parameter in command.params:
            missing += [f"{' '.join(path)} {option}" for option in parameter.opts if option.startswith("--") and option != "--help" and option not in text]
    assert not missing, f"docs/cli.md does not name: {missing}"


def test_every_command_the_reference_names_exists():
    known = [path for path, _ in commands(typer.main.get_command(app))]
    # `capsule WORD [WORD]`: a command, or the start of one (a group, or a command and its first argument).
    for words in set(re.findall(r"`capsule ([a-z][a-z-]*(?: [a-z][a-z-]*)?)", DOC.read_text(encoding="utf-8"))):
        said = tuple(words.split())
        assert any(path[: len(said)] == said or path == said[:1] for path in known), (
            f"docs/cli.md names `capsule {words}`, which does not exist"
        )


def test_single_commands_offer_no_shell_completion_options():
    group = typer.main.get_command(app)
    for path, command in commands(group):
        assert not any("completion" in option for parameter in command.params for option in parameter.opts), path
