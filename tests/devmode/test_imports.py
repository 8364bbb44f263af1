"""What a program can import in developer mode: the whole standard library, anywhere, as in its built package."""

from __future__ import annotations

from pathlib import Path

import pytest

from capsule.runtime import ProgramError
from capsule.runtime.devmode import DevProgram

from ..conftest import texts
from .conftest import program

pytestmark = pytest.mark.slow


def run_go(dev: DevProgram, folder: Path, go: str, top: str = "") -> list[str]:
    (folder / "app.py").write_text(program(go, top=top))
    result = dev.reload()
    assert result.ok, result.problem
    session = dev.launch(user="alice")
    session.dispatch("go")
    return texts(session.view)


def test_standard_library_modules_imported_at_load_work(dev: DevProgram, folder: Path):
    # decimal is preloaded in the runtime; mimetypes and urllib.parse load from its mounted standard library.
    go = "        self.msg = (str(decimal.Decimal('1.5') + 1), mimetypes.guess_type('a.png')[0])"
    assert run_go(dev, folder, go, top="import decimal\nimport mimetypes\nimport urllib.parse\n") == [
        "('2.5', 'image/png')"
    ]


def test_an_import_inside_a_handler_works(dev: DevProgram, folder: Path):
    # _strptime is imported by the standard library itself on first use of strptime.
    go = (
        "        import datetime, mimetypes\n"
        "        self.msg = (datetime.datetime.strptime('2026-12-04', '%Y-%m-%d').day, mimetypes.guess_type('a.csv')[0])"
    )
    assert run_go(dev, folder, go) == ["(4, 'text/csv')"]


def test_a_missing_module_names_the_file_and_line(dev: DevProgram, folder: Path):
    (folder / "app.py").write_text(program("        import no_such_module_here"))
    assert dev.reload().ok
    session = dev.launch(user="alice")
    with pytest.raises(ProgramError) as caught:
        session.dispatch("go")
    problem = dev.explain(caught.value)
    assert problem.kind == "ModuleNotFoundError" and problem.file == "app.py" and problem.line == 15


def test_a_capability_call_while_loading_fails_as_it_would_in_a_build(dev: DevProgram, folder: Path):
    (folder / "app.py").write_text(program(top='\nstorage.get("x")\n'))
    result = dev.reload()
    assert not result.ok and result.problem.file == "app.py" and result.problem.line == 5
    assert "while it loads" in result.problem.message


def test_a_program_without_app_is_reported(dev: DevProgram, folder: Path):
    (folder / "app.py").write_text("x = 1\n")
    result = dev.reload()
    assert not result.ok and "made no App()" in result.problem.message
    (folder / "app.py").unlink()
    result = dev.reload()
    assert not result.ok and result.problem.file == "app.py"
