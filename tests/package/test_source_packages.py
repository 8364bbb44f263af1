"""Source packages (kind `python`): what they may hold, and a host refusing a runtime it lacks by name."""

from __future__ import annotations

import json

import pytest

from capsule.runtime import Host
from capsule.runtime.errors import PackageError
from capsule.runtime.package import open_package
from capsule.runtime.package.loader import runtime_json

from .zips import LOGO, craft

MANIFEST = json.dumps(
    {
        "id": "com.example.source",
        "version": "1.0.0",
        "default_locale": "en",
        "name": {"en": "Source"},
        "description": {"en": "A source package."},
        "category": "tools",
        "pages": [{"name": "index", "title": {"en": "Source"}}],
        "permissions": {},
        "min_host_version": "0.1.0",
    }
).encode()
APP = b"from capsule_sdk import App\napp = App()\n"


def source(**extra: bytes) -> list[tuple[str, bytes]]:
    members = {
        "manifest.json": MANIFEST,
        "runtime.json": runtime_json("python", "capsule-python-1"),
        "app.py": APP,
        "lib/helper/__init__.py": b"X = 1\n",
        "assets/logo.png": LOGO,
        **extra,
    }
    return list(members.items())


def refused(path, code: str) -> PackageError:
    with pytest.raises(PackageError) as caught:
        open_package(path)
    assert caught.value.code == code, caught.value.message
    return caught.value


def test_a_source_package_without_its_kinds_entry_file_is_refused(tmp_path):
    error = refused(craft(tmp_path / "js.capsule", source(**{"runtime.json": runtime_json("js", "capsule-js-1")})), "missing-file")
    assert "app.js" in error.message


def test_a_source_package_opens_with_its_files(tmp_path):
    package = open_package(craft(tmp_path / "ok.capsule", source()))
    assert package.kind == "python" and package.runtime == "capsule-python-1" and package.component is None
    assert set(package.files) == {"runtime.json", "app.py", "lib/helper/__init__.py", "assets/logo.png"}
    assert package.assets == {"assets/logo.png": LOGO}


@pytest.mark.parametrize(
    "name", ["lib/fast.cpython-314-wasm32-wasi.so", "speedups.so", "lib/x/_native.pyd", "m.abi3.so", "z.dylib", "w.dll"]
)
def test_native_extension_modules_are_refused_by_name(tmp_path, name):
    error = refused(craft(tmp_path / "native.capsule", source(**{name: b"\x7fELF"})), "native-code")
    assert name in error.message and "pure Python" in error.message


@pytest.mark.parametrize("name", ["app.pyc", "__pycache__/app.cpython-314.pyc", "lib/__pycache__/notes.txt", "x.pyo"])
def test_bytecode_is_refused_so_the_code_that_runs_is_the_code_reviewed(tmp_path, name):
    refused(craft(tmp_path / "bytecode.capsule", source(**{name: b"\x00\x01"})), "bytecode")


def test_a_source_package_cannot_carry_a_component_too(tmp_path):
    refused(craft(tmp_path / "both.capsule", source(**{"program.wasm": b"\0asm"})), "unexpected-member")


def test_a_source_package_needs_app_py(tmp_path):
    members = [(name, data) for name, data in source() if name != "app.py"]
    error = refused(craft(tmp_path / "noapp.capsule", members), "missing-file")
    assert "app.py" in error.message


@pytest.mark.parametrize(
    "document",
    [b"not json", b"[]", b'{"kind": "python"}', b'{"kind": "python", "runtime": 1}', b'{"kind": "python", "runtime": "x", "extra": "y"}',
     b'{"kind": "python", "runtime": "' + b"x" * 100 + b'"}', b'{"kind": "py\\u0000", "runtime": "x"}'],
)  # fmt: skip
def test_a_malformed_runtime_json_is_refused(tmp_path, document):
    refused(craft(tmp_path / "runtime.capsule", source(**{"runtime.json": document})), "bad-runtime")


@pytest.mark.parametrize(
    ("kind", "runtime", "code"),
    [("python", "capsule-python-2", "unknown-runtime"), ("js", "capsule-js-2", "unknown-runtime"), ("lua", "capsule-lua-1", "unknown-kind")],
)
def test_a_host_without_the_runtime_refuses_the_package_by_name(home, tmp_path, kind, runtime, code):
    path = craft(tmp_path / "future.capsule", source(**{"runtime.json": runtime_json(kind, runtime), "app.js": b"1"}))
    host = Host(home)
    try:
        with pytest.raises(PackageError) as caught:
            host.install(path)
        assert caught.value.code == code and runtime in caught.value.message or kind in caught.value.message
        assert any(known in caught.value.message for known in ("capsule-python-1", "capsule-js-1", "component"))
    finally:
        host.close()
