"""The messages probe program, built once per run, and a host with it installed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capsule.runtime import Home, Host, PolicyPrompter
from capsule.sdk.toolchain.build import BuildResult, build_program

from ..conftest import PROGRAMS, texts

PROBE = PROGRAMS / "messages"
PROBE_ID = "dev.capsule.tests.messages"


@pytest.fixture(scope="session")
def messages_probe(home: Home, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build_program(PROBE, home=home, out_dir=tmp_path_factory.mktemp("messages-probe"))


@pytest.fixture
def prompter() -> PolicyPrompter:
    return PolicyPrompter()


@pytest.fixture
def messages_host(home: Home, messages_probe: BuildResult, prompter: PolicyPrompter, tmp_path: Path):
    host = Host(home, prompter=prompter, database_url=f"sqlite:///{tmp_path / 'host.db'}")
    host.install(messages_probe.package)
    yield host
    host.close()


def outcome(session) -> str:
    return texts(session.view)[0]


def result(session):
    text = outcome(session)
    assert not text.startswith("error"), text
    return json.loads(text)
