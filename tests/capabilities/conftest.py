"""The probe program (storage, profile, location), built once per test run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capsule.runtime import Home, Host, PolicyPrompter
from capsule.sdk.toolchain.build import BuildResult, build_program

from ..conftest import PROGRAMS, texts

PROBE = PROGRAMS / "capabilities"
PROBE_ID = "dev.capsule.tests.capabilities"


@pytest.fixture(scope="session")
def probe(home: Home, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build_program(PROBE, home=home, out_dir=tmp_path_factory.mktemp("probe"))


@pytest.fixture
def prompter() -> PolicyPrompter:
    return PolicyPrompter()


@pytest.fixture
def probe_host(home: Home, probe: BuildResult, prompter: PolicyPrompter, tmp_path: Path, monkeypatch):
    """A host with the probe installed, its own SQLite database and a fixed position."""
    monkeypatch.setenv("CAPSULE_LOCATION", "52.3731,4.8922")
    host = Host(home, prompter=prompter, database_url=f"sqlite:///{tmp_path / 'host.db'}")
    host.install(probe.package)
    yield host
    host.close()


def outcome(session) -> str:
    """What the probe's last handler reported."""
    return texts(session.view)[0]


def result(session):
    """The last handler's JSON result; fails the test on an error."""
    text = outcome(session)
    assert not text.startswith("error"), text
    return json.loads(text)
