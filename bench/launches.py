"""First launches: verify, install and launch packages a host has never seen."""

from __future__ import annotations

import json
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from capsule.runtime import Host
from capsule.runtime.home import Home
from capsule.runtime.package import pack_members


def first_launch_seconds(home: Home, scratch: Path, files: dict[str, bytes], key: Ed25519PrivateKey, count: int, *, kind: str) -> list[float]:
    """Seconds from a new package to its first view, `count` times, each under a fresh app id.

    The host shares `home`'s caches (the runtime is compiled once per machine,
    never on a launch) and nothing else, so every package is one it has never seen.
    """
    manifest = json.loads(files["manifest.json"])
    packages = []
    for n in range(count):
        unique = {**manifest, "id": f"dev.capsule.bench.{kind}first{n}{int(time.time() * 1000)}"}
        members = {**files, "manifest.json": json.dumps(unique).encode()}
        packages.append((unique["id"], pack_members(scratch / f"{kind}-first{n}.capsule", members, key).path))
    host = Host(home.sharing_caches(scratch / f"{kind}-host"))
    (host.js_runtime if kind == "js" else host.python_runtime).prepare()
    host.engine.ensure_ticking()
    seconds = []
    try:
        for app_id, package in packages:
            started = time.perf_counter()
            host.install(package)
            session = host.launch(app_id, user="bench")
            seconds.append(time.perf_counter() - started)
            assert session.view is not None
            session.close()
    finally:
        host.close()
    return seconds
