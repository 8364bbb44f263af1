"""`capsule host` as a newcomer starts it: first start publishes, later starts reuse."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from capsule.runtime import Home
from capsule.runtime.webhost.server import free_port

from ..cli.test_cli import CAPSULE
from ..conftest import HELLO

pytestmark = pytest.mark.slow


def start_host(home: Path, samples: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "CAPSULE_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.Popen(
        [CAPSULE, "host", "--demo", "--port", str(port), "--samples", str(samples)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_until_serving(process: subprocess.Popen, url: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"capsule host exited {process.returncode}:\n{process.stderr.read()}")
        try:
            if httpx.get(f"{url}/signin", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("capsule host did not start serving in time")


@contextmanager
def signed_in(url: str, user: str = "alice") -> Iterator[httpx.Client]:
    """A client that is one of the host's own pages, signed in with a demo account."""
    with httpx.Client(base_url=url, headers={"origin": url}) as client:
        answer = client.post("/api/signin/demo", json={"name": user})
        assert answer.status_code == 200, answer.text
        client.headers["x-capsule-csrf"] = answer.json()["csrf"]
        yield client


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
    return stderr


def test_first_start_publishes_the_samples_and_a_restart_reuses_everything(home: Home, tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(HELLO, samples / "hello", ignore=shutil.ignore_patterns("tests", "dist", "__pycache__"))
    web_home = home.sharing_caches(tmp_path / "home")
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    first = start_host(web_home.root, samples, port)
    try:
        wait_until_serving(first, url)
        assert httpx.get(f"{url}/api/search").status_code == 401  # nobody is signed in
        with signed_in(url) as client:
            found = client.get("/api/search", params={"q": "hello"}).json()["results"]
            assert [hit["app_id"] for hit in found] == ["dev.capsule.samples.hello"]
            balance = client.get("/api/me/wallet").json()["balances"]
        assert httpx.get(f"{url}/registry/apps/dev.capsule.samples.hello/latest").json()["version"] == "1.0.0"
    finally:
        log = stop(first)
    assert "approving as the local reviewer" in log

    again = start_host(web_home.root, samples, port)
    try:
        wait_until_serving(again, url, timeout=120)
        with signed_in(url) as client:
            assert client.get("/api/me/wallet").json()["balances"] == balance  # not topped up twice
    finally:
        log = stop(again)
    assert "approving" not in log and "componentizing" not in log
