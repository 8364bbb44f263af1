"""What a new developer tripped over: missing paths, unknown scopes, Python type names in --help."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from capsule.cli.main import app
from capsule.runtime.consent import SCOPES

from ..conftest import REPO

runner = CliRunner()


def _command_paths(command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [path]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        paths += _command_paths(sub, (*path, name))
    return paths


@pytest.mark.parametrize("path", _command_paths(typer.main.get_command(app)), ids=lambda path: " ".join(path) or "capsule")
def test_help_names_values_in_words_not_python_types(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "--help" in result.output
    assert not re.search(r"<[a-z][a-z_\[\]|, ]*>", result.output), result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "nosuch.capsule"], "no such file or folder: nosuch.capsule; give a package (.capsule) or a program folder"),
        (["audit", "nosuch.capsule"], "no such file: nosuch.capsule; give a package (.capsule)"),
        (["audit", str(REPO / "cli")], "is a folder; give a package (.capsule)"),
        (["publish", "nosuch.capsule"], "no such file: nosuch.capsule; give a package (.capsule)"),
        (["build", "nosuch-folder"], "no such folder: nosuch-folder; give a program folder (one with manifest.json)"),
        (["dev", "nosuch-folder"], "no such folder: nosuch-folder; give a program folder (one with manifest.json)"),
        (["host", "--samples", "nosuch-folder"], "no such folder: nosuch-folder; give a folder of program folders"),
        (["qr", "scan", "nosuch.png"], "no such file: nosuch.png; give a PNG or JPEG image"),
        (["qr", "make", "a.b", "--out", "/nosuch-folder/code.png"], "no such folder: /nosuch-folder; give an --out path"),
    ],
    ids=lambda value: " ".join(value[:2]) if isinstance(value, list) else "",
)
def test_a_path_that_is_not_there_is_named_with_what_to_give_instead(home, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


@pytest.mark.parametrize("option", ["--grant", "--deny"])
def test_run_refuses_an_unknown_scope_and_lists_the_known_ones(home, option: str) -> None:
    result = runner.invoke(app, ["run", "nosuch.capsule", option, "location", option, "location.fuzzy"])
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.split())
    assert "unknown scope 'location' for --grant/--deny" in said
    assert "known scopes: location.fuzzy, location.precise, profile, profile.phone, payments" in said


def test_privacy_refuses_to_store_an_unknown_scope(home) -> None:
    result = runner.invoke(app, ["privacy", "grant", "com.example.app", "locaton.fuzzy", "--user", "ada"])
    assert result.exit_code == 2, result.output
    assert "unknown scope 'locaton.fuzzy'; known scopes: location.fuzzy" in " ".join(result.stderr.split())


def test_the_known_scopes_are_every_scope_a_capability_asks_for() -> None:
    asked = set()
    for source in (REPO / "runtime" / "capabilities").rglob("*.py"):
        for line in source.read_text().splitlines():
            if "consent.require(" in line:
                asked.update(re.findall(r'"([a-z.]+)"', line))
    assert asked and asked == set(SCOPES)
