"""Building a `python` package: the program's own source, checked on the shared runtime.

No componentize-py: the package is the manifest, the program's modules, its
vendored pure-Python packages under `lib/`, its assets, a runtime.json naming
the runtime it needs, and the signature. Before packing, the build refuses
native code, reads which capabilities the source uses (an undeclared one is
an error), and runs the program once on the runtime: every module compiles,
app.py loads, the manifest's pages exist. An unchanged folder is not built
again: the package is cached by a digest of its inputs.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from capsule.runtime.engine.engine import Engine
from capsule.runtime.errors import BuildError, CapsuleError, PackageError
from capsule.runtime.home import Home
from capsule.runtime.languages.js import RUNTIME_ID as JS_RUNTIME_ID
from capsule.runtime.languages.js import JsRuntime
from capsule.runtime.languages.python import RUNTIME_ID, PythonRuntime
from capsule.runtime.languages.python.analysis import SourceAudit, analyse
from capsule.runtime.languages.python.probe import check
from capsule.runtime.manifest import Manifest
from capsule.runtime.package.folder import source_files
from capsule.runtime.package.format import ENTRIES, JS_KIND, PYTHON_KIND, RUNTIME, SIGNATURE, check_member
from capsule.runtime.package.loader import runtime_json

Progress = Callable[[str], None]

@dataclass(frozen=True)
class SourceFiles:
    """The files a python package ships, by member name."""

    files: dict[str, bytes]

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for name in sorted(self.files):
            h.update(f"{name}\0{hashlib.sha256(self.files[name]).hexdigest()}\n".encode())
        return h.hexdigest()


def collect(program_dir: Path, kind: str = PYTHON_KIND) -> SourceFiles:
    """Read the program folder (the files `capsule dev` mounts too); refused files are named with why."""
    files: dict[str, bytes] = {}
    for relative in source_files(program_dir):
        path = program_dir / relative
        name = relative.as_posix()
        if path.is_symlink() or not path.is_file():
            raise BuildError(f"{name} is a link or special file; a package holds regular files: put the real file there")
        if name in (SIGNATURE, RUNTIME):
            raise BuildError(f"{name} is written by `capsule build`; remove it from {program_dir}")
        try:
            check_member(name, kind)
        except PackageError as error:
            raise BuildError(str(error)) from None
        files[name] = path.read_bytes()
    entry = ENTRIES[kind]
    if entry not in files and not (kind == JS_KIND and "app.ts" in files):  # TypeScript: app.js is compiled from it
        language = "JavaScript" if kind == JS_KIND else "Python"
        raise BuildError(f"{program_dir} has no {entry}: a {language} program starts there (`capsule new` makes one)")
    return SourceFiles(files)


def check_capabilities(manifest: Manifest, audit: SourceAudit, progress: Progress) -> None:
    """Used but not declared is an error; declared but unused a warning."""
    declared = set(manifest.declared_capabilities())
    undeclared = audit.undeclared(declared)
    if undeclared:
        places = "; ".join(f"{name} at {', '.join(audit.used[name][:3])}" for name in undeclared)
        raise BuildError(
            f"the program uses capabilities its manifest does not declare: {places}; declare each under "
            "`permissions` in manifest.json with a reason shown to users, or remove its use"
        )
    for name in audit.unused(declared):
        progress(f"warning: {name} is declared but the source does not use it; remove it from permissions if so")
    for place in audit.dynamic:
        progress(f"warning: {place} (reviewers will ask what it reaches)")
    for place in audit.unreadable:
        progress(f"warning: could not read {place} with the host's Python")


def probe(home: Home, manifest: Manifest, source: SourceFiles, progress: Progress, kind: str = PYTHON_KIND) -> None:
    """Run the program's load check on the shared runtime, from a copy of exactly the shipped files."""
    engine = Engine(home.compile_cache)
    try:
        runtime = JsRuntime(engine, home, {}, []) if kind == JS_KIND else PythonRuntime(engine, home, {}, [])
        runtime.prepare(progress)
        with tempfile.TemporaryDirectory(prefix="capsule-check-") as staged:
            root = Path(staged)
            for name, data in source.files.items():
                target = root.joinpath(*name.split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            app = runtime.app(manifest, "sha256:check", "unsigned (build check)", root)
            try:
                check(engine, app)
            except CapsuleError as error:
                raise BuildError(_where(error, root)) from None
    finally:
        engine.close()


def _where(error: CapsuleError, root: Path) -> str:
    """The program's error, with its files named as in the folder (not the runtime's mount)."""
    text = str(error)
    trace = getattr(error, "traceback", "") or ""
    if trace:
        text = f"{text}\n{trace.rstrip()}"
    return "the program does not load: " + text.replace("/program/", "").replace(str(root) + "/", "")


def runtime_member(kind: str = PYTHON_KIND) -> dict[str, bytes]:
    return {RUNTIME: runtime_json(kind, JS_RUNTIME_ID if kind == JS_KIND else RUNTIME_ID)}


def package_members(source: SourceFiles, kind: str = PYTHON_KIND) -> dict[str, bytes]:
    """What goes into the package besides the signature: the files and runtime.json."""
    return {**source.files, **runtime_member(kind)}


def cached_package(cache: Path, key: str, out: Path) -> Path | None:
    """The package built before from the same inputs, copied to `out`; None when there is none."""
    saved = cache / key[:32] / "package.capsule"
    if not saved.exists():
        return None
    if not out.exists() or out.read_bytes() != saved.read_bytes():
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved, out)
    return out


def remember_package(cache: Path, key: str, package: Path) -> None:
    folder = cache / key[:32]
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(package, folder / "package.capsule")
