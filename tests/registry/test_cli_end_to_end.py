"""Publish, review, release, search, download and install through the CLI,
against a live `capsule registry serve --dev` on loopback (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from capsule.runtime.registry.client import Credentials

CAPSULE = str(Path(sys.executable).with_name("capsule"))


def capsule(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [CAPSULE, *args], capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "160"}, timeout=300
    )
    if check and result.returncode != 0:
        raise AssertionError(f"capsule {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(home, database_url: str):
    port = free_port()
    process = subprocess.Popen(
        [CAPSULE, "registry", "serve", "--dev", "--port", str(port), "--database", database_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CAPSULE_REGISTRY_URL": f"http://127.0.0.1:{port}"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/openapi.json", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"registry did not start: {process.communicate()}")
        time.sleep(0.1)
    os.environ["CAPSULE_REGISTRY_URL"] = url
    yield url
    del os.environ["CAPSULE_REGISTRY_URL"]
    process.terminate()
    process.wait(timeout=10)


def wait_for_audit(review_id: int) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        row = json.loads(capsule("review", "show", str(review_id), "--json").stdout)
        if row["status"] != "auditing":
            return row
        time.sleep(0.2)
    raise AssertionError("the audit did not finish")


def test_publish_review_release_search_install(server: str, home, packages) -> None:
    credentials = Credentials.load(home, server)
    assert credentials.token and credentials.registry_key

    published = capsule("publish", str(packages["hello"].package))
    assert "published dev.capsule.samples.hello 1.0.0" in published.stdout
    review_id = json.loads(capsule("review", "list", "--status", "all", "--json").stdout)[0]["review_id"]
    row = wait_for_audit(review_id)
    assert row["status"] == "pending" and row["audit"]["ok"]
    shown = capsule("review", "show", str(review_id)).stdout
    assert "Declared permissions" in shown and "network hosts" in shown

    assert json.loads(capsule("search", "hello", "--json").stdout)["results"] == []  # not live yet
    assert "live for 100%" in capsule("review", "approve", str(review_id)).stdout
    for query in ("hello", "hallo", "hel", "你好"):
        found = json.loads(capsule("search", query, "--json").stdout)["results"]
        assert [hit["id"] for hit in found] == ["dev.capsule.samples.hello"], query
    assert "Hallo" in capsule("search", "hallo", "--language", "nl").stdout
    # Why it ranks there: the dev account is an admin, who may ask.
    explained = json.loads(capsule("search", "helol", "--explain", "--json").stdout)["results"][0]["explain"]
    assert explained["tier_name"] == "typos" and explained["matched"][0]["how"] == "typo"
    shown = capsule("search", "helol", "--explain").stdout
    assert "5 typos" in shown and "helol -> hello" in shown and "usage" in shown and "freshness" in shown
    refused = subprocess.run(
        [CAPSULE, "search", "helol", "--explain"], capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_COLOR": "1", "CAPSULE_REGISTRY_TOKEN": "cap_not-a-token"},
    )  # fmt: skip
    assert refused.returncode != 0 and "token" in (refused.stdout + refused.stderr).lower()

    # A source package runs on the host's shared runtime: there is nothing to precompile.
    compiled = httpx.get(f"{server}/apps/dev.capsule.samples.hello/versions/1.0.0/compiled")
    assert compiled.status_code == 404 and "source package needs none" in compiled.text

    installed = capsule("registry", "install", "dev.capsule.samples.hello")
    assert "countersigned by the registry" in installed.stdout and "approved as of now" in installed.stdout

    # A second key registers with proof of possession (the CLI signs the registry's challenge).
    capsule("keygen", "--name", "second", "--force")
    assert "proof of possession checked" in capsule("registry", "add-key", "--name", "second").stdout

    # A host that pins another registry key refuses its packages, and will not
    # sign a key challenge that names another registry.
    Credentials(url=server, token=credentials.token, registry_key="A" * 43 + "=").save(home)
    refused = capsule("registry", "install", "dev.capsule.samples.hello", check=False)
    assert refused.returncode != 0 and "countersignature" in refused.stderr
    refused = capsule("registry", "add-key", "--name", "second", check=False)
    assert refused.returncode != 0 and "not the registry key you pinned" in refused.stderr
    credentials.save(home)

    # Yanked: the registry serves it no more, and the installer refuses it.
    capsule("release", "yank", "dev.capsule.samples.hello", "1.0.0")
    refused = capsule("registry", "install", "dev.capsule.samples.hello", "--version", "1.0.0", check=False)
    assert refused.returncode != 0 and "not available" in refused.stderr


def test_the_registry_rejects_undeclared_imports_by_itself(server: str, packages) -> None:
    published = json.loads(capsule("publish", str(packages["undeclared"].package), "--json").stdout)
    row = wait_for_audit(published["review_id"])
    assert row["status"] == "rejected" and "does not declare" in row["reason"]
    refused = capsule("review", "reject", str(published["review_id"]), "--reason", "again", check=False)
    assert refused.returncode != 0 and "rejected" in refused.stderr
