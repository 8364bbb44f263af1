"""`capsule bench` where a part's tools are missing (an install without the test
extras, a machine without Chromium or outside a checkout): that part is skipped
with what to install, and asking for it by name fails with the same words."""

from __future__ import annotations

import sys

from typer.testing import CliRunner

from capsule.bench import PARTS, runnable, suite, web
from capsule.cli.main import app

runner = CliRunner()


def test_without_playwright_the_web_part_is_skipped_and_the_others_run(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "playwright", None)  # as after `pip install capsule-platform`
    ready, skipped = runnable([part for part in PARTS if part != "cluster"])  # cluster needs PostgreSQL, not Playwright
    assert ready == ["runtime", "js", "host", "payments", "registry", "messages"]  # messages without its screen figure
    assert skipped == {"web": web.PLAYWRIGHT_MISSING}
    assert "pip install" in web.PLAYWRIGHT_MISSING


def test_asking_for_a_part_whose_tools_are_missing_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "playwright", None)
    result = runner.invoke(app, ["bench", "--only", "web"])
    assert result.exit_code == 1, result.output
    said = " ".join(result.stderr.split())
    assert "bench part web cannot run here: Playwright is not installed" in said and "capsule-platform[test]" in said
    assert "Traceback" not in result.output and "ModuleNotFoundError" not in result.output


def test_without_chromium_the_web_part_says_how_to_get_one(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CAPSULE_CHROMIUM", str(tmp_path / "no-chromium"))
    result = runner.invoke(app, ["bench", "--only", "web", "--json"])
    assert result.exit_code == 1, result.output
    assert "Chromium is not installed" in result.stderr and "CAPSULE_CHROMIUM" in result.stderr


def test_without_the_hello_sample_the_parts_that_run_it_are_skipped(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(suite, "HELLO", tmp_path / "hello")
    ready, skipped = runnable(["runtime", "payments", "registry"])
    assert ready == ["payments"]
    assert set(skipped) == {"runtime", "registry"} and "hello sample" in skipped["runtime"]


def test_without_node_the_js_part_says_how_to_get_it(monkeypatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    ready, skipped = runnable(["js"])
    assert ready == [] and "apt-get install nodejs npm" in skipped["js"]
