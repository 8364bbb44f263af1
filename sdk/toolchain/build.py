"""`capsule build`: a program folder in, a signed package out.

A Python program becomes a `python` package by default: its source, checked
on the shared runtime (see `source.py`), no componentize-py. `kind="component"`
builds a component of its own with componentize-py (any WIT toolchain's
component can be packed the same way: a folder with `program.wasm` and no
app.py). Both are cached by a digest of everything that goes into them, so an
unchanged program rebuilds in milliseconds.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Callable

from capsule.runtime.errors import BuildError, PackageError
from capsule.runtime.home import Home, one_builder
from capsule.runtime.manifest import Manifest, load_manifest
from capsule.runtime.languages.python.analysis import analyse
from capsule.runtime.languages.python.component import component_key
from capsule.runtime.package import KeyInfo, generate_key, load_signing_key, pack, pack_members
from capsule.runtime.languages.js import analysis as js_analysis
from capsule.runtime.languages.js.component import component_key as js_component_key
from capsule.runtime.package.format import COMPONENT, COMPONENT_KIND, JS_ENTRY, JS_KIND, PYTHON_ENTRY, PYTHON_KIND

from .. import PYTHON_SDK_DIR, WIT_DIR
from . import source as python_source
from .python import build_component
from .typescript import compile_typescript
from .world import write_world

Progress = Callable[[str], None]

#: Folders of a program that are not part of what it ships.
EXCLUDED_DIRS = {"dist", "tests", "__pycache__", ".git", ".venv", "node_modules"}


@dataclass(frozen=True)
class BuildResult:
    manifest: Manifest
    package: Path
    digest: str
    #: The built or packed component; None for a `python` package.
    component: Path | None
    cached: bool
    seconds: float
    key_id: str
    kind: str = PYTHON_KIND


def program_files(program_dir: Path) -> list[Path]:
    """The files that make up a program, sorted; build output and tests excluded."""
    files = []
    for path in sorted(program_dir.rglob("*")):
        rel = path.relative_to(program_dir)
        if path.is_file() and not (set(rel.parts[:-1]) & EXCLUDED_DIRS) and rel.parts[0] not in EXCLUDED_DIRS:
            if path.suffix not in {".pyc"}:
                files.append(path)
    return files


def _source_digest(program_dir: Path, capabilities: set[str] | None) -> str:
    h = hashlib.sha256()
    h.update(f"componentize-py {dist_version('componentize-py')}\n".encode())
    h.update(f"capabilities {sorted(capabilities) if capabilities is not None else 'manifest'}\n".encode())
    roots = [(program_dir, program_files(program_dir))]
    roots.append((PYTHON_SDK_DIR, sorted(p for p in PYTHON_SDK_DIR.rglob("*.py"))))
    roots.append((WIT_DIR, sorted(WIT_DIR.glob("*.wit"))))
    # The toolchain writes the world and the entry module: a change to it is a change to the build.
    toolchain = Path(__file__).resolve().parent
    roots.append((toolchain, sorted(toolchain.glob("*.py"))))
    for root, files in roots:
        for path in files:
            h.update(f"{root.name}/{path.relative_to(root).as_posix()}\0".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def signing_key(home: Home, name: str, progress: Progress):
    """The developer's key; made on first use, with a notice, so a first build just works."""
    try:
        return load_signing_key(home, name)
    except PackageError as error:
        if error.code != "key-missing":
            raise
        info: KeyInfo = generate_key(home, name)
        progress(f"made a new signing key {info.key_id} at {info.path} (back it up)")
        return load_signing_key(home, name)


def program_kind(program_dir: Path) -> str:
    """`python` for a folder with app.py, `js` for one with app.js; `component` for one with only a prebuilt program.wasm."""
    if not (program_dir / PYTHON_ENTRY).exists():
        if (program_dir / JS_ENTRY).exists() or (program_dir / "app.ts").exists():
            return JS_KIND
        if (program_dir / COMPONENT).exists():
            return COMPONENT_KIND
    return PYTHON_KIND


def build_program(
    program_dir: Path,
    *,
    home: Home,
    key_name: str = "default",
    out_dir: Path | None = None,
    progress: Progress = lambda message: None,
    capabilities: set[str] | None = None,
    kind: str | None = None,
) -> BuildResult:
    """Build and sign `program_dir`; returns where the package is and its digest.

    `kind` is `python` (source on the shared runtime, the default for a
    folder with app.py) or `component`. `capabilities` overrides the
    manifest's for a component's world (tests build a component that imports
    more than it declares).
    """
    started = time.monotonic()
    program_dir = program_dir.resolve()
    if not program_dir.is_dir():
        raise BuildError(f"{program_dir} is not a folder; give the program folder (the one with manifest.json)")
    manifest_path = program_dir / "manifest.json"
    if not manifest_path.exists():
        raise BuildError(f"{program_dir} has no manifest.json; create one with `capsule new`")
    manifest_bytes = manifest_path.read_bytes()
    manifest = load_manifest(manifest_bytes, source=str(manifest_path))
    progress(f"manifest ok: {manifest.id} {manifest.version}")
    kind = kind or program_kind(program_dir)
    out = (out_dir or program_dir / "dist").resolve()
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{manifest.id}-{manifest.version}.capsule"
    key = signing_key(home, key_name, progress)
    if kind in (PYTHON_KIND, JS_KIND):
        return _build_source(program_dir, manifest, key, target, home, progress, started, kind)
    if kind != COMPONENT_KIND:
        raise BuildError(f"unknown package kind {kind!r}; choose {PYTHON_KIND}, {JS_KIND} or {COMPONENT_KIND}")

    prebuilt = program_dir / COMPONENT
    if prebuilt.exists() and not (program_dir / PYTHON_ENTRY).exists():
        component, cached = prebuilt, True
        progress(f"packing the prebuilt {COMPONENT}")
    else:
        digest = _source_digest(program_dir, capabilities)
        work = home.build_cache / digest[:32]
        component = work / "program.wasm"
        cached = component.exists()
        if cached:
            progress("component unchanged: reusing the cached build")
        else:
            with one_builder(component, waiting=lambda: progress("waiting for another build of the same program")):
                cached = component.exists()
                if not cached:
                    wit_dir = write_world(manifest, work / "wit", capabilities)
                    progress("componentizing with componentize-py (a few seconds)")
                    build_component(program_dir, wit_dir, work, component)

    assets = {
        path.relative_to(program_dir).as_posix(): path
        for path in program_files(program_dir)
        if path.relative_to(program_dir).parts[0] == "assets"
    }
    progress("packing and signing")
    info = pack(target, manifest_bytes, component, assets, key)
    return BuildResult(
        manifest, info.path, info.digest, component, cached, time.monotonic() - started, info.key_id, COMPONENT_KIND
    )


def _build_source(
    program_dir: Path,
    manifest: Manifest,
    key,
    target: Path,
    home: Home,
    progress: Progress,
    started: float,
    kind: str = PYTHON_KIND,
) -> BuildResult:
    source = python_source.collect(program_dir, kind)
    if kind == JS_KIND:
        source = python_source.SourceFiles(compile_typescript(home, source.files, progress))
    # Same files, runtime and key: the package built last time is this one.
    public = key.public_key().public_bytes_raw().hex()
    runtime_key = js_component_key() if kind == JS_KIND else component_key()
    inputs = hashlib.sha256(f"{kind}\n{source.digest}\n{runtime_key}\n{public}\n".encode()).hexdigest()
    reused = python_source.cached_package(home.build_cache, inputs, target)
    if reused is not None:
        progress("unchanged since the last build: reusing its package")
        from capsule.runtime.package import open_package

        verified = open_package(reused)
        return BuildResult(manifest, reused, verified.digest, None, True, time.monotonic() - started, verified.key_id, kind)
    reading = js_analysis.analyse(source.files) if kind == JS_KIND else analyse(source.files)
    python_source.check_capabilities(manifest, reading, progress)
    progress(f"checking the program on the {'JS' if kind == JS_KIND else 'Python'} runtime")
    python_source.probe(home, manifest, source, progress, kind)
    progress("packing and signing")
    info = pack_members(target, python_source.package_members(source, kind), key)
    python_source.remember_package(home.build_cache, inputs, info.path)
    return BuildResult(manifest, info.path, info.digest, None, False, time.monotonic() - started, info.key_id, kind)
