"""The tutorial's program and test, taken from docs/tutorial.md, work as the page says."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from ..cli.test_cli import capsule
from ..conftest import REPO

TUTORIAL = REPO / "docs" / "tutorial.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_tutorial_works_from_capsule_new_to_audit(home, tmp_path):
    program, test = python_blocks()
    capsule("new", "tea-house", "--lang", "python", cwd=tmp_path)
    folder = tmp_path / "tea-house"
    (folder / "app.py").write_text(program, encoding="utf-8")
    (folder / "tests" / "test_app.py").write_text(test, encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["pages"].append({"name": "order", "title": {"en": "Your order"}})
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    run = capsule("run", str(folder), "--tap", "pick", "--data", '{"tea": "jasmine"}', "--tap", "more")
    assert "picked jasmine" in run.stdout + run.stderr
    assert "2 x Jasmine" in run.stdout and "Total: 32.00 CNY" in run.stdout

    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder / "tests")],
                           capture_output=True, text=True, cwd=folder)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout

    package = next((folder / "dist").glob("*.capsule"))
    audit = capsule("audit", str(package))
    assert "allowed (always)" in audit.stdout and "locked down" in audit.stdout
