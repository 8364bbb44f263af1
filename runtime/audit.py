"""The capability audit of a package: what it may touch, and what it imports.

Reviewers read it (`capsule audit`, later the registry's review queue); the
host applies the same comparison before it instantiates anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine.engine import Engine
from .engine.imports import ImportAudit, audit_imports, component_imports
from .home import Home
from .manifest import Manifest, load_manifest
from .package import PackageLimits, open_package


@dataclass(frozen=True)
class PackageAudit:
    manifest: Manifest
    digest: str
    key_id: str
    size: int
    imports: ImportAudit

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
        }


def audit_package(path: Path, *, home: Home, engine: Engine | None = None, limits: PackageLimits | None = None) -> PackageAudit:
    """Verify a package and compare its component's imports with its manifest."""
    verified = open_package(path, limits or PackageLimits())
    manifest = load_manifest(verified.manifest_bytes, source=f"{path}:manifest.json")
    engine = engine or Engine(home.compile_cache)
    component = engine.component(verified.digest, verified.component)
    imports = audit_imports(component_imports(engine.wasmtime, component), manifest.declared_capabilities())
    return PackageAudit(manifest, verified.digest, verified.key_id, verified.size, imports)
