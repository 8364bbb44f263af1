"""JavaScript programs on the shared JS runtime: hello end to end, the
platform JS developers expect, and parity with the Python SDK."""

from __future__ import annotations

import json
import zipfile

import pytest

from capsule.runtime import Host, PolicyPrompter
from capsule.runtime.package import open_package

from ..conftest import texts

HELLO_JS = "dev.capsule.samples.hellojs"
HELLO_PY = "dev.capsule.samples.hello"


@pytest.fixture
def js_host(home, js_packages):
    host = Host(home, prompter=PolicyPrompter())
    for name in ("hello", "platform"):
        host.install(js_packages[name].package, rebuilt=True)
    host.install(js_packages["hostile"].package, rebuilt=True)
    yield host
    host.close()


def test_hello_is_a_small_js_package_naming_the_js_runtime(js_packages):
    package = js_packages["hello"].package
    assert package.stat().st_size <= 20 * 1024
    verified = open_package(package)
    assert (verified.kind, verified.runtime) == ("js", "capsule-js-1")
    names = zipfile.ZipFile(package).namelist()
    assert "app.js" in names and "program.wasm" not in names


def test_hello_runs_its_handlers_and_keeps_page_state(js_host):
    session = js_host.launch(HELLO_JS, user="ann", query={"name": "Ann"})
    assert texts(session.view)[:2] == ["Hello, Ann!", "You pressed the button 0 times."]
    session.dispatch("increment")
    session.dispatch("increment")
    assert texts(session.view)[1] == "You pressed the button 2 times."
    with pytest.raises(Exception) as caught:
        session.dispatch("nothing")
    assert "has no handler" in str(caught.value) and "increment" in str(caught.value)
    assert "add it to the page's handlers" in str(caught.value)
    assert session.alive


def test_the_platform_is_what_js_developers_expect(js_host):
    session = js_host.launch("dev.capsule.tests.jsplatform", user="ann")
    report = json.loads(texts(session.view)[0])
    assert report["date"] == "2026-12-04T08:05:09.000Z" and report["nowSane"] is True
    assert report["numberEn"] == "1,234,567.891"
    assert report["currencyEn"] == "$1,234.50" and report["currencyZh"] == "¥1,234.50"
    assert report["percent"] == "26%" and report["localeNumber"] == "9,876.5"
    assert report["dateEn"] == "December 4, 2026" and report["dateZh"] == "2026年12月4日星期五"
    assert report["plural"] == ["one", "other"]
    assert report["json"] == {"a": [1, "二", None]}
    assert report["regexp"] == {"year": "2026", "month": "12", "day": "20"}
    assert report["encoded"] == [228, 189, 160] and report["decoded"] == "好"
    assert report["url"] == {"host": "shop.example.com", "bill": "E-2026-11", "amount": 12345}
    assert report["params"] == [["a", "1"], ["b", "你"]]
    assert report["randomLength"] == 16 and report["randomVaries"] is True
    assert report["promises"] == {"waited": "timer", "chained": [2, 4, 6]}
    assert report["module"] == "HI!" and report["dataFile"] == "你好"
    # No filesystem, sockets or environment: no fetch of the engine's own, no process, no `fs`.
    assert (report["noFetch"], report["noProcess"], report["noRequireFs"]) == ("undefined", "undefined", "refused")


def test_js_and_python_hello_behave_the_same(home, packages, js_packages):
    host = Host(home, prompter=PolicyPrompter())
    try:
        host.install(packages["hello"].package)
        host.install(js_packages["hello"].package, rebuilt=True)
        views = []
        for app_id in (HELLO_PY, HELLO_JS):
            session = host.launch(app_id, user="ann", query={"name": "Ann"})
            seen = [session.view]
            for _ in range(3):
                session.dispatch("increment")
                seen.append(session.view)
            views.append(seen)
        assert views[0] == views[1]
    finally:
        host.close()


def test_installing_a_js_package_compiles_nothing(home, js_packages):
    host = Host(home, prompter=PolicyPrompter())
    try:
        host.js_runtime.prepare()
        before = host.engine.cache.compiles
        host.install(js_packages["hello"].package, rebuilt=True)
        host.launch(HELLO_JS, user="ann").dispatch("increment")
        # The counter, not the cache folder: parallel test workers share that folder.
        assert host.engine.cache.compiles == before
    finally:
        host.close()


def test_a_program_written_in_typescript_is_compiled_at_build_time(home, js_packages, tmp_path):
    from capsule.sdk.toolchain.build import build_program

    from ..conftest import PROGRAMS

    built = build_program(PROGRAMS / "ts_hello", home=home, out_dir=tmp_path)
    names = set(zipfile.ZipFile(built.package).namelist())
    # The .ts a reviewer reads, and the .js the runtime runs.
    assert {"app.ts", "app.js", "lib/greet.ts", "lib/greet.js"} <= names
    host = Host(home, prompter=PolicyPrompter())
    try:
        host.install(built.package, rebuilt=True)
        session = host.launch("dev.capsule.tests.tshello", user="ann")
        session.dispatch("tap")
        assert texts(session.view) == ["Hello, TypeScript!", "1 tap"]
    finally:
        host.close()


def test_a_typescript_syntax_error_fails_the_build_with_file_and_line(home, js_packages, tmp_path):
    import shutil

    from capsule.runtime.errors import BuildError
    from capsule.sdk.toolchain.build import build_program

    from ..conftest import PROGRAMS

    folder = tmp_path / "broken"
    shutil.copytree(PROGRAMS / "ts_hello", folder)
    (folder / "lib" / "greet.ts").write_text("export function greet(name: string: string {\n}\n")
    with pytest.raises(BuildError) as caught:
        build_program(folder, home=home, out_dir=tmp_path / "dist")
    assert "lib/greet.ts:1:" in str(caught.value)
