"""Installing from a registry: check the registry's countersignature and the
version's fresh signed status, download, install.

The registry is anything with `resolve`, `status` and `download`: a
`RegistryClient` over HTTP, or a `Registry` in the same process (the web host's
embedded one), or a mirror that keeps statuses for a host gone offline.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import PackageError
from ..manifest import load_manifest
from ..package import open_package
from ..package.replacement import Countersignature
from .countersign import verify_countersignature
from .status import STATUS_GRACE_SECONDS, check_status

if TYPE_CHECKING:
    from ..host import Host, InstalledApp


class RegistrySource(Protocol):
    def resolve(self, app_id: str, version: str | None = None, user: str | None = None) -> dict[str, Any]:
        """The version to install (`version`, else the live one for `user`):
        id, version, digest, countersignature, countersigned_at."""

    def status(self, app_id: str, version: str) -> dict[str, Any]:
        """That version's status, signed by the registry key with the time it was made."""

    def download(self, app_id: str, version: str, target: Path) -> None:
        """Write that version's package to `target`."""


def install_from_registry(
    host: "Host",
    client: RegistrySource,
    app_id: str,
    *,
    registry_key: str,
    version: str | None = None,
    user: str | None = None,
    status_grace_seconds: float = STATUS_GRACE_SECONDS,
) -> "InstalledApp":
    """Install `app_id` (this `version`, else the live one for `user`) if and only if
    the registry whose public key is `registry_key` countersigned its digest, and
    a status it signed at most `status_grace_seconds` ago says it is still approved
    (not yanked, not rolled back).

    `registry_key` is pinned by the caller, never taken from the answer it checks.
    """
    info = client.resolve(app_id, version, user)
    countersigned_at = info.get("countersigned_at")
    verify_countersignature(registry_key, app_id, info["version"], info["digest"], countersigned_at, info.get("countersignature"))
    check_status(
        registry_key,
        client.status(app_id, info["version"]),
        app_id=app_id,
        version=info["version"],
        digest=info["digest"],
        countersigned_at=countersigned_at,
        grace_seconds=status_grace_seconds,
    )
    with tempfile.TemporaryDirectory(prefix="capsule-download-") as directory:
        path = Path(directory) / "package.capsule"
        client.download(app_id, info["version"], path)
        package = open_package(path, host.package_limits, trusted_keys=host.trusted_keys)
        if package.digest != info["digest"]:
            raise PackageError(
                f"the registry countersigned {info['digest']} for {app_id} {info['version']} but sent {package.digest}; "
                "refusing it: try again, and report the registry if it persists",
                code="not-countersigned",
            )
        manifest = load_manifest(package.manifest_bytes)
        if manifest.id != app_id or str(manifest.version) != info["version"]:
            raise PackageError(
                f"the package is {manifest.id} {manifest.version}, not {app_id} {info['version']}", code="not-countersigned"
            )
        # The countersignature also lets the registry's release replace an installed
        # version of another key or a higher version (a rollback it decided on).
        countersignature = Countersignature(registry_key, info["countersignature"], countersigned_at)
        return host.install(path, countersignature=countersignature)
