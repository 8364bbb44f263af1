"""Two `capsule registry serve` processes on one PostgreSQL schema: one registry.

What one process accepted (a package, an approval) the other serves, signed
with the same registry key; neither keeps the package only on its own disk.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from capsule.runtime import Home
from capsule.runtime.registry.client import Credentials
from capsule.runtime.webhost.server import free_port
from capsule.sdk.toolchain.build import build_program

from ..cli.test_cli import CAPSULE
from ..conftest import HELLO
from .test_hosts import database  # noqa: F401 - the module's PostgreSQL schema

pytestmark = pytest.mark.slow


def serve(home: Path, database_url: str, *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "CAPSULE_HOME": str(home), "NO_COLOR": "1"}
    process = subprocess.Popen(
        [CAPSULE, "registry", "serve", "--port", str(port), "--database", database_url, *extra],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"capsule registry serve exited {process.returncode}: {process.stderr.read()}")
        try:
            if httpx.get(f"{url}/key", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("capsule registry serve did not start")


@pytest.fixture(scope="module")
def registries(home: Home, database: str, tmp_path_factory) -> Iterator[tuple[str, str, Home]]:  # noqa: F811
    root = tmp_path_factory.mktemp("registries")
    first_home = home.sharing_caches(root / "one")
    processes = []
    try:
        first, first_url = serve(first_home.root, database, "--dev")
        processes.append(first)
        second, second_url = serve(home.sharing_caches(root / "two").root, database)
        processes.append(second)
        yield first_url, second_url, first_home
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def test_what_one_registry_process_released_the_other_serves_under_the_same_key(registries, tmp_path) -> None:
    first, second, first_home = registries
    assert httpx.get(f"{first}/key").json() == httpx.get(f"{second}/key").json()
    token = Credentials.load(first_home, first).token
    hello = build_program(HELLO, home=first_home, out_dir=tmp_path / "out")
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(headers=auth, timeout=60) as client:
        published = client.post(f"{first}/packages", content=hello.package.read_bytes())
        assert published.status_code == 201, published.text
        review = published.json()["review_id"]
        deadline = time.monotonic() + 60
        while client.get(f"{second}/reviews/{review}").json()["status"] == "auditing":
            assert time.monotonic() < deadline, "the audit did not finish"
            time.sleep(0.2)
        assert client.post(f"{first}/reviews/{review}/approve", json={}).status_code == 200
    info = httpx.get(f"{second}/apps/dev.capsule.samples.hello/versions/1.0.0").json()
    assert info["countersignature"] == httpx.get(f"{first}/apps/dev.capsule.samples.hello/versions/1.0.0").json()["countersignature"]
    package = httpx.get(f"{second}/apps/dev.capsule.samples.hello/versions/1.0.0/package")
    assert package.status_code == 200 and package.content == hello.package.read_bytes()
