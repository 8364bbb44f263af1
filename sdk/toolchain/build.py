"""`capsule build`: a program folder in, a signed package out.

Steps: validate the manifest, generate the world from it, componentize,
pack the manifest, component and assets, sign. The component is cached by a
digest of everything that goes into it, so an unchanged program rebuilds in
milliseconds.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Callable

from capsule.runtime.errors import BuildError, PackageError
from capsule.runtime.home import Home
from capsule.runtime.manifest import Manifest, load_manifest
from capsule.runtime.package import KeyInfo, generate_key, load_signing_key, pack

from .. import PYTHON_SDK_DIR, WIT_DIR
from .python import build_component
from .world import write_world

Progress = Callable[[str], None]

#: Folders of a program that are not part of what it ships.
EXCLUDED_DIRS = {"dist", "tests", "__pycache__", ".git", ".venv", "node_modules"}


@dataclass(frozen=True)
class BuildResult:
    manifest: Manifest
    package: Path
    digest: str
    component: Path
    cached: bool
    seconds: float
    key_id: str


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


def build_program(
    program_dir: Path,
    *,
    home: Home,
    key_name: str = "default",
    out_dir: Path | None = None,
    progress: Progress = lambda message: None,
    capabilities: set[str] | None = None,
) -> BuildResult:
    """Build and sign `program_dir`; returns where the package is and its digest."""
    started = time.monotonic()
    program_dir = program_dir.resolve()
    manifest_path = program_dir / "manifest.json"
    if not manifest_path.exists():
        raise BuildError(f"{program_dir} has no manifest.json; create one with `capsule new`")
    manifest_bytes = manifest_path.read_bytes()
    manifest = load_manifest(manifest_bytes, source=str(manifest_path))
    progress(f"manifest ok: {manifest.id} {manifest.version}")

    digest = _source_digest(program_dir, capabilities)
    work = home.build_cache / digest[:32]
    component = work / "program.wasm"
    cached = component.exists()
    if cached:
        progress("component unchanged: reusing the cached build")
    else:
        wit_dir = write_world(manifest, work / "wit", capabilities)
        progress("componentizing with componentize-py (a few seconds)")
        build_component(program_dir, wit_dir, work, component)

    key = signing_key(home, key_name, progress)
    assets = {
        path.relative_to(program_dir).as_posix(): path
        for path in program_files(program_dir)
        if path.relative_to(program_dir).parts[0] == "assets"
    }
    out = (out_dir or program_dir / "dist").resolve()
    out.mkdir(parents=True, exist_ok=True)
    progress("packing and signing")
    info = pack(out / f"{manifest.id}-{manifest.version}.capsule", manifest_bytes, component, assets, key)
    return BuildResult(manifest, info.path, info.digest, component, cached, time.monotonic() - started, info.key_id)
