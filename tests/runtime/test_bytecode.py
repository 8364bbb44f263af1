"""An installed Python program's modules are compiled once, ahead of its sessions (`languages/python/bytecode.py`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from capsule.runtime import Host, PolicyPrompter
from capsule.runtime.devmode import DevProgram
from capsule.runtime.errors import LimitExceeded
from capsule.runtime.languages.python import bytecode
from capsule.runtime.languages.python.component import BYTECODE_MOUNT, component_key
from capsule.sdk.toolchain.build import build_program

from ..conftest import PROGRAMS, pack_by_hand, texts

STDLIB = PROGRAMS / "stdlib"
APP_ID = "dev.capsule.tests.stdlib"


def results(view: dict) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in texts(view) if ": " in line)


def bytecode_folder(app) -> Path | None:
    found = [Path(m.host_path) for m in app.mounts if m.guest_path == BYTECODE_MOUNT]
    return found[0] if found else None


@pytest.fixture
def fresh_home(home, tmp_path):
    """A home of its own (its own bytecode), sharing the built runtimes."""
    return home.sharing_caches(tmp_path / "home")


def program_copy(tmp_path: Path, shout: str) -> Path:
    """The stdlib test program with helpers.shout returning `shout`."""
    folder = tmp_path / f"stdlib-{shout}"
    shutil.copytree(STDLIB, folder)
    (folder / "helpers.py").write_text(f"def shout(text: str) -> str:\n    return {shout!r}\n")
    return folder


def test_an_installed_program_gets_every_module_compiled_once_and_read_only(home, tmp_path):
    package = build_program(STDLIB, home=home, out_dir=tmp_path / "out").package
    host = Host(home.sharing_caches(tmp_path / "home"), prompter=PolicyPrompter())
    try:
        app = host.install(package)
        folder = bytecode_folder(app)
        assert folder is not None and folder.name == app.digest.removeprefix("sha256:")
        compiled = sorted(p.relative_to(folder).as_posix().split(".")[0] for p in folder.rglob("*.pyc"))
        assert compiled == ["program/app", "program/helpers", "program/lib/tinyslug/__init__"]
        assert not any(m.writable for m in app.mounts)

        session = host.launch(APP_ID, user="ann")
        session.dispatch("own")
        assert results(session.view) == {"helpers": "HI!", "tinyslug": "hello-world"}
        session.close()
        # A second host on the same home finds it made: nothing compiles again.
        stamp = (folder / "program").stat().st_mtime_ns
        again = Host(host.home, prompter=PolicyPrompter())
        try:
            assert bytecode_folder(again.app(APP_ID)) == folder
            assert (folder / "program").stat().st_mtime_ns == stamp
        finally:
            again.close()
    finally:
        host.close()


def test_sessions_run_the_bytecode_not_the_source(home, tmp_path):
    """Swapping in another version's bytecode for helpers.py changes what the program says."""
    first = build_program(program_copy(tmp_path, "first"), home=home, out_dir=tmp_path / "a").package
    second = build_program(program_copy(tmp_path, "second"), home=home, out_dir=tmp_path / "b").package
    host_a = Host(home.sharing_caches(tmp_path / "home-a"), prompter=PolicyPrompter())
    host_b = Host(home.sharing_caches(tmp_path / "home-b"), prompter=PolicyPrompter())
    try:
        folder_a = bytecode_folder(host_a.install(first))
        folder_b = bytecode_folder(host_b.install(second))
        assert folder_a is not None and folder_b is not None and folder_a != folder_b
        (helpers_a,) = folder_a.rglob("helpers.*.pyc")
        (helpers_b,) = folder_b.rglob("helpers.*.pyc")
        shutil.copyfile(helpers_b, helpers_a)

        session = host_a.launch(APP_ID, user="ann")
        session.dispatch("own")
        assert results(session.view)["helpers"] == "second"
    finally:
        host_a.close()
        host_b.close()


def test_developer_mode_compiles_from_source(home):
    host = Host(home, prompter=PolicyPrompter())
    try:
        with DevProgram(host, STDLIB) as dev:
            assert dev.last.ok, dev.last.problem
            assert bytecode_folder(dev.app) is None
            session = dev.launch(user="ann")
            session.dispatch("own")
            assert results(session.view)["helpers"] == "HI!"
    finally:
        host.close()


def test_a_module_that_does_not_compile_is_left_to_fail_where_it_is_imported(home, fresh_home, tmp_path):
    folder = program_copy(tmp_path, "fine")
    (folder / "broken.py").write_text("def broken(:\n")  # never imported; `capsule build` would refuse it
    package = pack_by_hand(folder, home, tmp_path / "broken.capsule").package
    host = Host(fresh_home, prompter=PolicyPrompter())
    try:
        folder = bytecode_folder(host.install(package))
        assert folder is not None
        assert sorted(p.name.split(".")[0] for p in (folder / "program").glob("*.pyc")) == ["app", "helpers"]
        assert not list(folder.rglob("broken.*.pyc"))
        session = host.launch(APP_ID, user="ann")
        session.dispatch("own")
        assert results(session.view)["helpers"] == "fine"
    finally:
        host.close()


def test_a_failed_compile_leaves_the_program_compiling_its_source(home, fresh_home, tmp_path, monkeypatch):
    def breach(*args, **kwargs):
        raise LimitExceeded("cpu_ms", "the compile ran past its CPU time")

    monkeypatch.setattr(bytecode, "_compile", breach)
    package = build_program(STDLIB, home=home, out_dir=tmp_path / "out").package
    host = Host(fresh_home, prompter=PolicyPrompter())
    try:
        app = host.install(package)
        assert bytecode_folder(app) is None
        session = host.launch(APP_ID, user="ann")
        session.dispatch("own")
        assert results(session.view)["helpers"] == "HI!"
    finally:
        host.close()


def test_bytecode_of_an_earlier_runtime_is_removed(home, fresh_home, tmp_path):
    stale = bytecode.bytecode_root(fresh_home, "an-earlier-runtime") / "sha256-of-something"
    stale.mkdir(parents=True)
    package = build_program(STDLIB, home=home, out_dir=tmp_path / "out").package
    host = Host(fresh_home, prompter=PolicyPrompter())
    try:
        host.install(package)
        assert not stale.parent.exists()
        assert bytecode.bytecode_root(fresh_home, component_key()).is_dir()
    finally:
        host.close()
