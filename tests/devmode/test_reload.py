"""A program folder in developer mode: launch, edit, reload, errors with file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capsule.runtime import Host, ProgramError
from capsule.runtime.devmode import DevProgram
from capsule.runtime.devmode.program import DEV_KEY_ID

from ..conftest import texts
from .conftest import HELLO_ID, program

pytestmark = pytest.mark.slow


def edit(folder: Path, old: str, new: str, file: str = "app.py") -> None:
    path = folder / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_the_hello_sample_launches_from_its_folder(dev: DevProgram, dev_host: Host):
    assert dev.last.ok and dev.version == 1
    assert dev.id == HELLO_ID
    session = dev_host.launch(dev.id, user="alice", query={"name": "Ada"})
    assert "Hello, Ada!" in texts(session.view)
    session.dispatch("increment")
    assert "You pressed the button 1 time." in texts(session.view)
    assert session.app.key_id == DEV_KEY_ID and session.app.mounts[0].host_path == str(session.app.path)


def test_an_edit_shows_after_a_reload(dev: DevProgram, folder: Path):
    session = dev.launch(user="alice")
    edit(folder, 'f"Hello, {self.name}!"', 'f"Howdy, {self.name}!"')
    result = dev.reload(("app.py",))
    assert result.ok and result.version == 2 and result.changes == ("app.py",)
    assert "Hello, world!" in texts(session.view)  # a live session keeps its version until relaunched
    new = dev.relaunch(session)
    assert "Howdy, world!" in texts(new.view)
    assert not session.alive and new.alive
    assert dev.sessions() == [new]


def test_a_syntax_error_names_file_and_line_and_the_previous_version_keeps_running(dev: DevProgram, folder: Path):
    session = dev.launch(user="alice")
    source = (folder / "app.py").read_text().splitlines()
    line = source.index("    def render(self):") + 1
    source[line - 1] = "    def render(self:"
    (folder / "app.py").write_text("\n".join(source) + "\n")
    result = dev.reload()
    assert not result.ok and result.version == 1
    assert result.problem.kind == "SyntaxError"
    assert (result.problem.file, result.problem.line) == ("app.py", line)
    entry = dev.inspector.entries(kinds={"build"})[-1].as_dict()
    assert entry["ok"] is False and entry["file"] == "app.py" and entry["line"] == line
    # The running session and new launches still get the last good version.
    session.dispatch("increment")
    assert "You pressed the button 1 time." in texts(session.view)
    assert "Hello, world!" in texts(dev.relaunch(session).view)


def test_an_exception_while_loading_keeps_the_previous_version(dev: DevProgram, folder: Path):
    (folder / "app.py").write_text(program(top="\nvalue = undefined_name + 1\n"))
    result = dev.reload()
    assert not result.ok and result.problem.kind == "NameError"
    assert result.problem.file == "app.py" and result.problem.line == 5
    assert "Hello, world!" in texts(dev.launch(user="alice").view)


def test_an_exception_in_a_handler_reports_file_and_line(dev: DevProgram, folder: Path):
    (folder / "app.py").write_text(program("        self.msg = 1 / 0"))
    assert dev.reload().ok
    session = dev.launch(user="alice")
    with pytest.raises(ProgramError) as caught:
        session.dispatch("go")
    problem = dev.explain(caught.value)
    assert problem.kind == "ZeroDivisionError"
    assert problem.file == "app.py" and problem.line == program().splitlines().index("    def go(self, data):") + 2
    assert "ZeroDivisionError" in problem.message
    assert session.alive
    logged = [e.data["message"] for e in dev.inspector.entries(session=session.id, kinds={"log"})]
    assert any('File "/program/app.py"' in message for message in logged)


def test_a_second_module_works_and_its_edits_are_picked_up(dev: DevProgram, folder: Path):
    (folder / "helpers.py").write_text("def greeting():\n    return 'from helpers v1'\n")
    (folder / "app.py").write_text(program("        self.msg = helpers.greeting()", top="import helpers\n"))
    assert dev.reload().ok
    session = dev.launch(user="alice")
    session.dispatch("go")
    assert texts(session.view) == ["from helpers v1"]

    (folder / "helpers.py").write_text("def greeting():\n    return 'from helpers v2'\n")
    assert dev.reload(("helpers.py",)).ok
    session = dev.relaunch(session)
    session.dispatch("go")
    assert texts(session.view) == ["from helpers v2"]

    (folder / "helpers.py").write_text("def greeting():\n    raise KeyError('nope')\n")
    assert dev.reload().ok
    session = dev.relaunch(session)
    with pytest.raises(ProgramError) as caught:
        session.dispatch("go")
    assert (dev.explain(caught.value).file, dev.explain(caught.value).line) == ("helpers.py", 2)


def test_the_program_reads_its_folder_but_cannot_write_it_or_read_outside(dev: DevProgram, folder: Path):
    attempts = {
        "own": "open('/program/manifest.json').read()[:1]",
        "write": "open('/program/new.txt', 'w').write('x')",
        "create": "open('/program/assets/evil.svg', 'x')",
        "dotdot": "open('/program/../../etc/passwd').read()",
        "absolute": "open('/etc/passwd').read()",
        "root": "__import__('os').listdir('/')",
        "tmp": "open('/tmp/x', 'w')",
    }
    body = "\n".join(
        [
            "        import_results = {}",
            *[
                f"        try:\n            import_results[{name!r}] = repr({expr})\n"
                f"        except OSError as error:\n            import_results[{name!r}] = type(error).__name__"
                for name, expr in attempts.items()
            ],
            "        self.msg = __import__('json').dumps(import_results)",
        ]
    )
    (folder / "app.py").write_text(program(body, top="import json\n"))
    assert dev.reload().ok
    session = dev.launch(user="alice")
    session.dispatch("go")
    results = json.loads(texts(session.view)[0])
    assert results["own"] == "'{'"
    assert results["write"] == "PermissionError" and results["create"] == "PermissionError"
    assert results["dotdot"] == "PermissionError"
    assert results["absolute"] == "FileNotFoundError"
    assert results["root"] == "FileNotFoundError"
    assert results["tmp"] == "FileNotFoundError"
    assert not (folder / "new.txt").exists() and not (folder / "assets" / "evil.svg").exists()


def test_the_mount_is_a_snapshot_of_the_folder_not_the_folder(dev: DevProgram, folder: Path):
    (folder / "data.txt").write_text("v1")
    (folder / "app.py").write_text(program("        self.msg = open('/program/data.txt').read()"))
    assert dev.reload().ok
    session = dev.launch(user="alice")
    (folder / "data.txt").write_text("v2")  # saved, not yet reloaded
    session.dispatch("go")
    assert texts(session.view) == ["v1"]
    assert dev.reload().ok
    session = dev.relaunch(session)
    session.dispatch("go")
    assert texts(session.view) == ["v2"]


def test_a_version_that_fails_in_on_load_leaves_the_session_running(dev: DevProgram, folder: Path):
    session = dev.launch(user="alice")
    edit(folder, 'self.name = query.get("name", "world")', 'self.name = query["missing"]')
    assert dev.reload().ok  # it loads; its first page fails when it opens
    with pytest.raises(ProgramError) as caught:
        dev.relaunch(session)
    problem = dev.explain(caught.value)
    assert problem.kind == "KeyError" and problem.file == "app.py"
    assert session.alive and dev.sessions() == [session]
