"""The program menu's server side: About (what the manifest says and what the program
touched for this user), its share address, and Report.

About reads the manifest of the version the user runs (installed from the
registry, or developer mode's folder), so it says what this program is, not
what the store lists. "What it touched" is the user's own audit rows for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..capabilities.qr.address import LaunchTarget, format_address
from ..errors import CapsuleError
from . import me

if TYPE_CHECKING:
    from .state import WebHost

#: The scene a shared address opens with: the program can tell a shared link from a table code.
SHARE_SCENE = "share"


def share_address(app_id: str) -> str:
    return format_address(LaunchTarget(app_id, scene=SHARE_SCENE))


def about(web: "WebHost", user: str, app_id: str, locale: str | None = None) -> dict[str, Any]:
    manifest = me._manifest(web, app_id)
    if manifest is None:
        raise CapsuleError(f"{app_id} is not installed on this host; open it first", code="not-installed")
    developer = manifest.developer
    practices = manifest.data_practices
    network = manifest.permissions.network
    return {
        "app_id": app_id,
        "name": manifest.localized("name", locale),
        "description": manifest.localized("description", locale),
        "version": str(manifest.version),
        "category": manifest.category,
        "icon": f"/api/apps/{app_id}/icon" if manifest.icon else None,
        "developer": None if developer is None else {"name": developer.name, "email": developer.email, "url": developer.url},
        "permissions": [{"scope": name, "reason": section.reason} for name, section in manifest.permissions_items()],
        "network_hosts": [str(host) for host in network.hosts] if network is not None else [],
        "data_practices": None if practices is None else practices.model_dump(mode="json"),
        "address": share_address(app_id),
        "touched": me.activity(web, user, app_id)["entries"],
    }
