"""Programs as source on the shared Python runtime: the standard library works
wherever it is imported, a built package and `capsule dev` show the same
views, and installing a source package compiles nothing."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest

from capsule.runtime import Host, PolicyPrompter
from capsule.runtime.devmode import DevProgram
from capsule.sdk.toolchain.build import build_program

from ..conftest import PROGRAMS, texts

STDLIB = PROGRAMS / "stdlib"
APP_ID = "dev.capsule.tests.stdlib"


@pytest.fixture(scope="module")
def stdlib_package(home, tmp_path_factory) -> Path:
    return build_program(STDLIB, home=home, out_dir=tmp_path_factory.mktemp("stdlib")).package


def results(view: dict) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in texts(view) if ": " in line)


def test_standard_modules_imported_inside_handlers_work(home, stdlib_package):
    host = Host(home, prompter=PolicyPrompter())
    try:
        host.install(stdlib_package)
        session = host.launch(APP_ID, user="ann")
        session.dispatch("run")
        found = results(session.view)
        assert len(found) >= 30
        assert found["datetime.strptime"] == "2026-12-04T10:30:00"
        assert found["decimal"] == "0.30"
        assert found["mimetypes"] == "image/jpeg"
        assert found["urllib.parse"].startswith("q=%E5%92%96%E5%95%A1+shop")
        assert found["zoneinfo"] == "2026-01-01T20:00:00+08:00"
        assert found["uuid"] == str(uuid.uuid5(uuid.NAMESPACE_DNS, "capsule.dev"))
        assert found["hashlib"] == hashlib.sha256(b"capsule").hexdigest()[:16]
        assert found["statistics"] == "3"
        assert found["csv"] == "[['a', 'b,c'], ['1', '2']]"
        assert found["html"] == "&lt;b&gt;&amp;&lt;/b&gt;"
        assert found["xml"] == "hi"
        assert found["unicodedata"] == "CJK UNIFIED IDEOGRAPH-5496"
        assert found["quopri"] == "caf=C3=A9"
        session.dispatch("own")
        assert results(session.view) == {"helpers": "HI!", "tinyslug": "hello-world"}
    finally:
        host.close()


def test_installing_a_source_package_compiles_nothing(home, stdlib_package):
    host = Host(home, prompter=PolicyPrompter())
    try:
        host.python_runtime.prepare()  # the runtime itself: once per machine, before any install
        before = host.engine.cache.compiles
        host.install(stdlib_package)
        host.launch(APP_ID, user="ann").close()
        assert host.engine.cache.compiles == before
    finally:
        host.close()


def test_developer_mode_and_the_built_package_show_the_same_views(home, stdlib_package):
    host = Host(home, prompter=PolicyPrompter())
    try:
        host.install(stdlib_package)
        built = host.launch(APP_ID, user="ann")
        built_views = [built.view]
        for event in ("run", "own"):
            built.dispatch(event)
            built_views.append(built.view)
        built.close()
        with DevProgram(host, STDLIB) as dev:
            assert dev.last.ok, dev.last.problem
            developed = dev.launch(user="ann")
            dev_views = [developed.view]
            for event in ("run", "own"):
                developed.dispatch(event)
                dev_views.append(developed.view)
        assert built_views == dev_views
    finally:
        host.close()
