"""The JavaScript runtime component: built once per machine and Capsule version.

Every JS program (kind `js`) runs on this one component, StarlingMonkey
(SpiderMonkey compiled to WebAssembly) built by componentize-js. Its world
imports every capability interface of the contract's `full` world (so an
interface added to sdk/wit is imported by the next build), plus one
runtime-only interface, `program-source`, through which the host hands the
program's own files to it (see `linker.py`). The guest SDK (sdk/js/capsule)
is loaded into its snapshot.

Built into `CAPSULE_HOME/cache/runtime/js/<key>/`, keyed by everything that
goes into it, and compiled once through the host's compile cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ...engine.imports import CONTRACT_VERSION
from ...errors import BuildError
from ...home import Home
from ..built import WASM_NAME, built_once, digest_files
from ..shared import CHECK_SCENE, LOAD_SCENE, Progress
from .toolchain import ensure_toolchain, lock_digest, node

#: The runtime a `js` package names in its runtime.json. Bumped only when a
#: package built for the old runtime would no longer run on the new one.
RUNTIME_ID = "capsule-js-1"
#: The runtime-only interface that serves the program's files.
SOURCE_INTERFACE = "program-source"
#: A name the host answers in `program-source` with the program's modules, one a line.
MODULE_LIST = ".capsule-modules"

GUEST_DIR = Path(__file__).resolve().parent / "guest"
WORLD_NAME = "js-runtime"

@dataclass(frozen=True)
class RuntimeComponent:
    """The built JS runtime on disk."""

    key: str
    wasm: Path

    @property
    def digest(self) -> str:
        """The compile cache's key for it."""
        return f"js-runtime-{self.key}"


def contract_interfaces() -> list[str]:
    """The interfaces the contract's `full` world imports: every capability, in order."""
    from capsule.sdk import WIT_DIR

    names: list[str] = []
    for path in sorted(WIT_DIR.glob("*.wit")):
        for body in re.findall(r"world\s+full\s*\{(.*?)\}", path.read_text(), flags=re.S):
            names += re.findall(r"^\s*import\s+([a-z][a-z0-9-]*)\s*;", body, flags=re.M)
    if not names:
        raise BuildError("sdk/wit has no `world full` importing the capabilities (a Capsule problem); report it")
    return names


def _world() -> str:
    lines = [
        f"package capsule:app@{CONTRACT_VERSION};",
        "",
        "/// Only the JS runtime imports this: the host serves the session's own package files.",
        f"interface {SOURCE_INTERFACE} {{",
        "    /// The text of the package file at `path` (relative, '/'-separated), or none.",
        "    read: func(path: string) -> option<string>;",
        "}",
        "",
        f"world {WORLD_NAME} {{",
        f"    import {SOURCE_INTERFACE};",
    ]
    lines += [f"    import {name};" for name in contract_interfaces()]
    lines += ["    export lifecycle;", "    export events;", "}", ""]
    return "\n".join(lines)


def _interfaces_module() -> str:
    """The guest module that imports every capability interface (generated, so new ones come along)."""
    names = contract_interfaces()
    lines = ["// Generated when the JS runtime is built, from sdk/wit's `full` world."]
    for name in names:
        lines.append(f'import * as {_js_name(name)} from "capsule:app/{name}@{CONTRACT_VERSION}";')
    entries = ", ".join(f'"{name}": {_js_name(name)}' for name in names)
    lines.append(f"export const interfaces = {{ {entries} }};")
    return "\n".join(lines) + "\n"


def _js_name(name: str) -> str:
    head, *rest = name.split("-")
    return "i_" + head + "".join(part.title() for part in rest)


def _sources() -> list[tuple[Path, Path]]:
    from capsule.sdk import JS_SDK_DIR, WIT_DIR

    return [
        (JS_SDK_DIR, p) for p in sorted(JS_SDK_DIR.rglob("*.js"))
    ] + [(GUEST_DIR, p) for p in sorted(GUEST_DIR.glob("*.*js"))] + [(WIT_DIR, p) for p in sorted(WIT_DIR.glob("*.wit"))]


@functools.cache
def component_key() -> str:
    """A digest of everything the runtime is built from: rebuilt when any of it changes."""
    h = hashlib.sha256()
    h.update(f"toolchain {lock_digest()}\n".encode())
    h.update(_world().encode())
    digest_files(h, _sources())
    return h.hexdigest()[:32]


def runtime_root(home: Home) -> Path:
    return home.root / "cache" / "runtime" / "js"


def ensure_component(home: Home, *, progress: Progress | None = None) -> RuntimeComponent:
    """The JS runtime for this Capsule version, built on first use (about a minute)."""
    say = progress or (lambda message: None)
    key = component_key()
    target = built_once(
        runtime_root(home), key, name="the JS runtime", how="with componentize-js, about a minute",
        build=lambda work: _build(work, ensure_toolchain(home, progress=say), say), say=say,
    )  # fmt: skip
    return RuntimeComponent(key, target / WASM_NAME)


def _build(work: Path, toolchain: Path, say: Progress) -> None:
    from capsule.sdk import JS_SDK_DIR, WIT_DIR

    wit = work / "wit"
    wit.mkdir()
    for source in WIT_DIR.glob("*.wit"):
        shutil.copyfile(source, wit / source.name)
    (wit / "js-runtime.wit").write_text(_world())
    guest = work / "guest"
    shutil.copytree(GUEST_DIR, guest, ignore=shutil.ignore_patterns("build.mjs"))
    shutil.copytree(JS_SDK_DIR, guest / "capsule", ignore=shutil.ignore_patterns("*.d.ts", "*.md"))
    (guest / "capsule" / "_interfaces.js").write_text(_interfaces_module())
    # Beside its node_modules, where node's ES module resolution finds componentize-js.
    script = toolchain / f"build-{component_key()}.mjs"
    shutil.copyfile(GUEST_DIR / "build.mjs", script)
    try:
        command = [node(), str(script), str(guest / "main.js"), str(wit), WORLD_NAME, str(work / WASM_NAME)]
        _run_with_progress(command, dict(os.environ), toolchain, say)
    finally:
        script.unlink(missing_ok=True)
    shutil.rmtree(guest)
    shutil.rmtree(wit)
    (work / "component.json").write_text(
        json.dumps({"runtime": RUNTIME_ID, "key": component_key(), "toolchain": lock_digest(), "built_at": time.time()}, indent=2)
    )


def _run_with_progress(command: list[str], env: dict[str, str], cwd: Path, say: Progress) -> None:
    """Run the build, saying every 15 s that it is still going (it takes a minute or more)."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    started = time.monotonic()
    done = threading.Event()

    def tick() -> None:
        while not done.wait(15):
            say(f"  still building the JS runtime ({time.monotonic() - started:.0f} s)")

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        output, _ = process.communicate()
    finally:
        done.set()
    if process.returncode != 0:
        raise BuildError(f"the JS runtime did not build (a Capsule problem, not your program's): {output.strip()[-3000:]}")
    if output.strip():
        print(output.strip()[-2000:], file=sys.stderr)
