"""The watcher reloads on a save and ignores editor noise."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from capsule.runtime.devmode import DevBuild, DevProgram, Watcher, awatch_program

from ..conftest import texts


def test_the_watcher_reports_program_files_only(tmp_path: Path):
    seen: list[list] = []
    got = threading.Event()

    def on_change(changes):
        seen.append(changes)
        got.set()

    watcher = Watcher(tmp_path, on_change).start()
    try:
        (tmp_path / ".app.py.swp").write_text("noise")
        (tmp_path / "__pycache__").mkdir()
        (tmp_path / "__pycache__" / "app.cpython-314.pyc").write_bytes(b"noise")
        (tmp_path / "app.py").write_text("x = 1\n")
        assert got.wait(10)
    finally:
        watcher.stop()
    paths = {change.path for batch in seen for change in batch}
    assert paths == {"app.py"}


def test_awatch_yields_batches(tmp_path: Path):
    async def main() -> list:
        stop = asyncio.Event()
        batches = []

        async def save_later():
            await asyncio.sleep(0.3)
            (tmp_path / "app.py").write_text("x = 2\n")

        task = asyncio.create_task(save_later())
        async for batch in awatch_program(tmp_path, stop_event=stop):
            batches.append(batch)
            stop.set()
        await task
        return batches

    batches = asyncio.run(asyncio.wait_for(main(), 20))
    assert [c.path for c in batches[0]] == ["app.py"]


@pytest.mark.slow
def test_a_save_reloads_the_program(dev: DevProgram, folder: Path):
    results: list[DevBuild] = []
    done = threading.Event()

    def on_reload(result: DevBuild) -> None:
        results.append(result)
        done.set()

    dev.watch(on_reload)
    text = (folder / "app.py").read_text()
    (folder / "app.py").write_text(text.replace('"Hello, {self.name}!"', '"Saved, {self.name}!"'))
    assert done.wait(10)
    assert results[-1].ok and "app.py" in results[-1].changes
    assert "Saved, world!" in texts(dev.launch(user="alice").view)


@pytest.mark.slow
def test_reloads_yields_each_result_in_an_asyncio_server(dev: DevProgram, folder: Path):
    async def main() -> DevBuild:
        stop = asyncio.Event()

        async def save_later():
            await asyncio.sleep(0.3)
            (folder / "helpers.py").write_text("X = 1\n")

        task = asyncio.create_task(save_later())
        async for result in dev.reloads(stop_event=stop):
            stop.set()
            await task
            return result
        raise AssertionError("no reload")

    result = asyncio.run(asyncio.wait_for(main(), 20))
    assert result.ok and result.changes == ("helpers.py",)
