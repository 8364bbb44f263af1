"""The capability audit of a package: what it may touch, and what it uses.

Reviewers read it (`capsule audit`, the registry's review queue). For a
`component` package it compares the component's imports with the manifest,
as the host does before it instantiates anything. For a `python` package it
reads the source: which capability modules each file uses (an undeclared one
fails the audit), and the files themselves, which the reviewer reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine.engine import Engine
from .engine.imports import ALWAYS_AVAILABLE, ImportAudit, audit_imports, component_imports, interface_name
from .home import Home
from .languages import check_runtime
from .languages.js.analysis import analyse as js_analyse
from .languages.python.analysis import SourceAudit, analyse
from .manifest import Manifest, load_manifest
from .package import PackageLimits, open_package
from .package.format import COMPONENT_KIND, JS_KIND


@dataclass(frozen=True)
class PackageAudit:
    manifest: Manifest
    digest: str
    key_id: str
    size: int
    imports: ImportAudit
    kind: str = COMPONENT_KIND
    runtime: str | None = None
    #: What the source uses, for a source package; None for a component.
    sources: SourceAudit | None = None

    @property
    def ok(self) -> bool:
        return self.imports.ok

    def permissions(self) -> list[dict[str, Any]]:
        """Each declared capability with its reason and its own settings."""
        rows = []
        for name, permission in sorted(self.manifest.permissions_items()):
            settings = permission.model_dump(mode="json", exclude={"reason"}, exclude_none=True)
            rows.append({"capability": name, "reason": permission.reason, "settings": settings})
        return rows

    def network_hosts(self) -> list[str]:
        network = dict(self.manifest.permissions_items()).get("network")
        return list(getattr(network, "hosts", []) or [])

    def as_dict(self) -> dict[str, Any]:
        practices = self.manifest.data_practices
        return {
            "id": self.manifest.id,
            "version": str(self.manifest.version),
            "digest": self.digest,
            "key_id": self.key_id,
            "size": self.size,
            "ok": self.ok,
            "permissions": self.permissions(),
            "imports": {
                "capabilities": self.imports.capabilities,
                "platform": self.imports.platform,
                "undeclared": self.imports.undeclared,
                "unknown": self.imports.unknown,
            },
            "declared_unused": self.imports.declared_unused,
            "network_hosts": self.network_hosts(),
            "data_practices": practices.model_dump(mode="json", exclude_none=True) if practices else None,
            "kind": self.kind,
            "runtime": self.runtime,
            "sources": self.sources.as_dict() if self.sources else None,
        }


def audit_package(path: Path, *, home: Home, engine: Engine | None = None, limits: PackageLimits | None = None) -> PackageAudit:
    """Verify a package and compare what it uses (a component's imports, a program's source) with its manifest."""
    verified = open_package(path, limits or PackageLimits())
    manifest = load_manifest(verified.manifest_bytes, source=f"{path}:manifest.json")
    declared = set(manifest.declared_capabilities())
    if verified.kind == COMPONENT_KIND:
        engine = engine or Engine(home.compile_cache)
        component = engine.component(verified.digest, verified.component)
        imports = audit_imports(component_imports(engine.wasmtime, component), declared)
        return PackageAudit(manifest, verified.digest, verified.key_id, verified.size, imports)
    check_runtime(verified.kind, verified.runtime or "")
    sources = js_analyse(verified.files) if verified.kind == JS_KIND else analyse(verified.files)
    return PackageAudit(
        manifest,
        verified.digest,
        verified.key_id,
        verified.size,
        source_imports(declared, sources, verified.runtime or ""),
        verified.kind,
        verified.runtime,
        sources,
    )


#: What a source program's runtime gives it besides the capabilities, by runtime family.
_PLATFORM = {
    "capsule-python": "the Python standard library",
    "capsule-js": "the JavaScript platform (no file system, no sockets, no environment)",
}


def source_imports(declared: set[str], sources: SourceAudit, runtime: str) -> ImportAudit:
    """A source program's capabilities in the shape of a component's import audit, so one report fits both."""
    used = set(sources.used)
    return ImportAudit(
        capabilities=sorted(ALWAYS_AVAILABLE | (used & declared)),
        platform=[f"{runtime}: {_PLATFORM.get(runtime.rsplit('-', 1)[0], 'its language runtime')}, WASI locked down"],
        undeclared=[interface_name(name) for name in sources.undeclared(declared)],
        declared_unused=sources.unused(declared),
    )
