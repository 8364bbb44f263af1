"""Developer mode's pieces that need no component."""

from __future__ import annotations

import ast

from capsule.runtime.languages.python import component
from capsule.runtime.package.folder import is_ignored
from capsule.runtime.devmode.inspector import summarize
from capsule.runtime.devmode.problems import locate


def test_guest_constants_match_the_host():
    tree = ast.parse((component.GUEST_DIR / f"{component.ENTRY_MODULE}.py").read_text())
    guest = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Constant)
    }
    for name in ("PROGRAM_MOUNT", "STDLIB_MOUNT", "LOAD_SCENE", "CHECK_SCENE", "STDLIB_OUT_MARKER"):
        assert guest[name] == getattr(component, name)


def test_editor_noise_and_build_output_are_not_the_program():
    for path in ["app.py", "pages/cart.py", "assets/icon.svg", "manifest.json"]:
        assert not is_ignored(path), path
    for path in [
        "__pycache__/app.cpython-314.pyc", "dist/x.capsule", "tests/test_app.py", ".git/index",
        ".app.py.swp", "app.py~", "4913", ".#app.py", "#app.py#", "app.py___jb_tmp___", "node_modules/x/y.js",
    ]:  # fmt: skip
        assert is_ignored(path), path


def test_arguments_are_shortened():
    assert summarize("short") == "short"
    assert summarize("x y " * 100).endswith("(400 chars)")
    assert summarize("QUJD" * 100) == "<base64, 400 chars>"
    assert summarize(b"\x00" * 9) == "<9 bytes>"
    assert summarize(list(range(25)))[-1] == "… 15 more"

    class Record:
        def __init__(self):
            self.__dict__.update({"order-id": "o1", "amount": 100})

    assert summarize(Record()) == {"order-id": "o1", "amount": 100}


def test_locate_takes_the_innermost_frame_of_the_program():
    trace = (
        'Traceback (most recent call last):\n  File "/1/capsule_sdk/_entry.py", line 30, in _guard\n'
        '  File "/program/app.py", line 12, in go\n  File "/program/lib/util.py", line 3, in f\n'
        '  File "/python/json/__init__.py", line 1, in loads\nValueError: x\n'
    )
    assert locate(trace) == ("lib/util.py", 3)
    assert locate("no frames") == (None, None)
