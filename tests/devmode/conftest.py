"""Developer mode on the real Python runtime: built once per run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from capsule.runtime import Home, Host, PolicyPrompter
from capsule.runtime.devmode import DevProgram
from capsule.runtime.languages.python import RuntimeComponent, ensure_component

from ..conftest import HELLO

HELLO_ID = "dev.capsule.samples.hello"

#: The top of a test program; the page below shows `self.msg` and runs `go`.
HEAD = "from capsule_sdk import App, NotDeclared, Page, handler, storage, view as v\n\napp = App()\n"


def program(go: str = "        pass", *, top: str = "", title: str = "Test") -> str:
    """An app.py whose page shows `self.msg`; `go` is the body of handler `go` (8 spaces in)."""
    return HEAD + top + f'''

@app.page("index")
class Index(Page):
    msg = "none"

    def render(self):
        return v.page("{title}", v.text(str(self.msg)))

    @handler
    def go(self, data):
{go}
'''


@pytest.fixture(scope="session")
def python_runtime(home: Home) -> RuntimeComponent:
    """Built by componentize-py once (about 15 s), then cached in the run's CAPSULE_HOME."""
    return ensure_component(home)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A private copy of the hello sample to edit."""
    target = tmp_path / "hello"
    shutil.copytree(HELLO, target, ignore=shutil.ignore_patterns("tests", "dist", "__pycache__"))
    return target


@pytest.fixture
def dev_host(home: Home, python_runtime: RuntimeComponent, tmp_path: Path):
    host = Host(home, prompter=PolicyPrompter(), database_url=f"sqlite:///{tmp_path / 'host.db'}")
    yield host
    host.close()


@pytest.fixture
def dev(dev_host: Host, folder: Path):
    program = DevProgram(dev_host, folder)
    yield program
    program.close()


def declare(folder: Path, capability: str, section: dict | None = None) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["permissions"][capability] = section or {"reason": "The tests need it."}
    (folder / "manifest.json").write_text(json.dumps(manifest))
