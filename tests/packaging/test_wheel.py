"""The distribution: a wheel built from the checkout holds everything the checkout
ships, under the one `capsule` namespace, and building it warns about nothing
in the project's own configuration."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from ..conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[zipfile.ZipFile, str]:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-cache-dir", "-w", str(out), "-v"],
        capture_output=True, text=True, timeout=600,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (path,) = out.glob("capsule_platform-*.whl")
    return zipfile.ZipFile(path), built.stdout + built.stderr


def test_building_the_wheel_warns_about_nothing_in_the_project(wheel) -> None:
    _, log = wheel
    assert "is absent from the `packages` configuration" not in log
    assert "SetuptoolsDeprecationWarning" not in log and "_Warning:" not in log


def test_the_wheel_holds_every_file_the_checkout_ships(wheel) -> None:
    archive, _ = wheel
    names = set(archive.namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "runtime", "sdk", "cli", "bench"], capture_output=True, text=True, cwd=REPO, check=True
    ).stdout.split()
    assert tracked
    missing = [path for path in tracked if f"capsule/{path}" not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert "capsule/bench/program/manifest.json" in names and "capsule/runtime/webhost/static/index.html" in names


def test_the_wheel_ships_the_samples_without_their_tests(wheel) -> None:
    archive, _ = wheel
    names = set(archive.namelist())
    tracked = subprocess.run(["git", "ls-files", "sample_programs"], capture_output=True, text=True, cwd=REPO, check=True).stdout.split()
    shipped = [path.split("/", 1)[1] for path in tracked if "/tests/" not in path]
    assert "hello/manifest.json" in shipped
    missing = [path for path in shipped if f"capsule/samples/{path}" not in names]
    assert not missing, f"samples not in the wheel: {missing}"
    assert not [name for name in names if name.startswith("capsule/samples/") and "/tests/" in name]


def test_the_wheel_installs_nothing_outside_the_capsule_namespace(wheel) -> None:
    archive, _ = wheel
    tops = {name.split("/", 1)[0] for name in archive.namelist()}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"capsule"}
