"""`capsule host` started as a person starts it: a process, timed until it answers HTTP.

`host_restart_s`: a second start of a host whose samples are already
published, installed and funded: what a restart costs (process start,
imports, opening the databases, finding nothing to build or publish).
`host_first_start_s` is the first start in a new CAPSULE_HOME that shares
this machine's build and runtime caches: publishing, auditing, approving
and installing the samples, but no componentize-py (a fresh machine adds the
runtime's one-time build and compile, about 30 s).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import httpx

from capsule.runtime.home import Home
from capsule.runtime.webhost.server import free_port

TARGET_RESTART_S = 5.0


def host_figures(*, home: Home, progress: Callable[[str], None] = lambda message: None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="capsule-bench-host-") as scratch:
        shared = home.sharing_caches(Path(scratch) / "home")
        progress("host: first start (publishing the samples)")
        first = _start_and_stop(shared)
        progress("host: restart")
        restarts = [_start_and_stop(shared) for _ in range(3)]
    return {
        "host_first_start_s": round(first, 2),
        "host_restart_s": round(sorted(restarts)[1], 2),
        "host_restart_target_met": sorted(restarts)[1] <= TARGET_RESTART_S,
    }


def _start_and_stop(home: Home) -> float:
    port = free_port()
    command = [sys.executable, "-c", "from capsule.cli.main import main; main()", "host", "--port", str(port)]
    env = {**os.environ, "CAPSULE_HOME": str(home.root)}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"capsule host exited with {process.returncode}: {process.stderr.read()[-2000:]}")
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1.0)
                return time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.05)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
