"""Shared fixtures: one CAPSULE_HOME for the run, and real components built once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from capsule.runtime import Home, Host, PolicyPrompter
from capsule.sdk.toolchain.build import BuildResult, build_program

REPO = Path(__file__).resolve().parents[1]
PROGRAMS = Path(__file__).resolve().parent / "programs"
HELLO = REPO / "sample_programs" / "hello"
HOSTILE = PROGRAMS / "hostile"


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """A CAPSULE_HOME for the whole run; subprocesses see it too.

    Set CAPSULE_TEST_HOME to keep build and compile caches between local runs.
    """
    root = os.environ.get("CAPSULE_TEST_HOME") or tmp_path_factory.mktemp("capsule-home")
    os.environ["CAPSULE_HOME"] = str(root)
    return Home.resolve(root)


@pytest.fixture(scope="session")
def packages(home: Home, tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuildResult]:
    """Real components built by componentize-py: hello, hostile, and hostile
    built with an import its manifest does not declare."""
    out = tmp_path_factory.mktemp("packages")
    return {
        "hello": build_program(HELLO, home=home, out_dir=out / "hello"),
        "hostile": build_program(HOSTILE, home=home, out_dir=out / "hostile"),
        "undeclared": build_program(HOSTILE, home=home, out_dir=out / "undeclared", capabilities={"storage"}),
    }


@pytest.fixture
def host(home: Home, packages: dict[str, BuildResult]) -> Host:
    h = Host(home, prompter=PolicyPrompter())
    h.install(packages["hello"].package)
    h.install(packages["hostile"].package)
    yield h
    h.close()


def texts(view: dict) -> list[str]:
    """Every text in a view, depth first."""
    found: list[str] = []

    def walk(node: dict) -> None:
        if node.get("type") == "text":
            found.append(node["text"])
        for child in node.get("children", []) + node.get("items", []):
            walk(child)

    walk(view)
    return found
