"""The node packages Capsule builds its JavaScript runtime with.

componentize-js (StarlingMonkey) comes from npm, pinned by the lockfile
beside this module, and is installed with the machine's own `node` and
`npm` (`npm ci`) into `CAPSULE_HOME/cache/toolchain/js/<lock digest>/` the
first time a JS runtime is built: nothing to install by hand, and an
unchanged lockfile is never installed twice.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

from ...errors import BuildError
from ...home import Home, one_builder

TOOLCHAIN_DIR = Path(__file__).resolve().parent / "toolchain"
#: The TypeScript compiler, pinned apart so that it never changes the runtime's key.
TYPESCRIPT_DIR = Path(__file__).resolve().parent / "typescript"
FILES = ("package.json", "package-lock.json")
#: The node major version the runtime is built and tested with (Debian's and CI's).
NODE_MAJOR_MIN = 18

Progress = Callable[[str], None]


def lock_digest(folder: Path = TOOLCHAIN_DIR) -> str:
    h = hashlib.sha256()
    for name in FILES:
        h.update(name.encode() + b"\0" + (folder / name).read_bytes())
    return h.hexdigest()[:24]


def node() -> str:
    """The `node` binary, or a BuildError saying how to get one."""
    found = shutil.which("node")
    if found is None:
        raise BuildError(
            "JavaScript programs need Node.js (18 or newer) to build Capsule's JS runtime once: "
            "install it (Debian: `apt-get install nodejs npm`) and run the build again"
        )
    return found


def _npm() -> str:
    found = shutil.which("npm")
    if found is None:
        raise BuildError("npm was not found beside node; install it (Debian: `apt-get install npm`) and build again")
    return found


def ensure_toolchain(home: Home, *, progress: Progress | None = None) -> Path:
    """The folder whose node_modules holds componentize-js; installed on first use (~45 s)."""
    return _ensure(home, TOOLCHAIN_DIR, "js", "@bytecodealliance/componentize-js", "the JS toolchain (componentize-js)", progress)


def ensure_typescript(home: Home, *, progress: Progress | None = None) -> Path:
    """The folder whose node_modules holds the TypeScript compiler; installed on first use (~20 s)."""
    return _ensure(home, TYPESCRIPT_DIR, "typescript", "typescript", "the TypeScript compiler", progress)


def _ensure(home: Home, source: Path, name: str, package: str, what: str, progress: Progress | None) -> Path:
    say = progress or (lambda message: None)
    root = home.root / "cache" / "toolchain" / name
    target = root / lock_digest(source)
    if (target / "node_modules" / package).is_dir():
        return target
    with one_builder(target, waiting=lambda: say(f"waiting for another process installing {what}")):
        if not (target / "node_modules" / package).is_dir():
            _install(root, target, source, what, say)
    return target


def _install(root: Path, target: Path, source: Path, what: str, say: Progress) -> None:
    node()
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=root, prefix=".install-"))
    try:
        for file in FILES:
            shutil.copyfile(source / file, work / file)
        say(f"installing {what} with npm ci (once per machine, up to a minute)")
        result = subprocess.run(
            [_npm(), "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=work,
            capture_output=True,
            text=True,
            env={**os.environ, "NODE_ENV": "production"},
        )
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip()[-2000:]
            raise BuildError(f"npm could not install {what} (is the npm registry reachable?): {detail}")
        try:
            os.replace(work, target)
        except OSError:
            if not (target / "node_modules").is_dir():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for entry in root.iterdir():  # older lockfiles' installs
        if entry.is_dir() and entry.name != target.name and not entry.name.startswith("."):
            shutil.rmtree(entry, ignore_errors=True)
