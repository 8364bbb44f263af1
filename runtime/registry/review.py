"""What a reviewer reads: the audit, and what changed since the last approved version."""

from __future__ import annotations

from typing import Any


def audit_changes(previous: dict[str, Any] | None, current: dict[str, Any] | None) -> dict[str, Any] | None:
    """Capabilities, imports and network hosts added or removed since `previous`."""
    if previous is None or current is None:
        return None

    def capabilities(audit: dict[str, Any]) -> set[str]:
        return {row["capability"] for row in audit.get("permissions", [])}

    def imports(audit: dict[str, Any]) -> set[str]:
        found = audit.get("imports", {})
        return set(found.get("capabilities", [])) | set(found.get("platform", []))

    def reasons(audit: dict[str, Any]) -> dict[str, str]:
        return {row["capability"]: row["reason"] for row in audit.get("permissions", [])}

    before, after = reasons(previous), reasons(current)
    return {
        "since_version": previous.get("version"),
        "permissions_added": sorted(capabilities(current) - capabilities(previous)),
        "permissions_removed": sorted(capabilities(previous) - capabilities(current)),
        "reasons_changed": sorted(name for name in before.keys() & after.keys() if before[name] != after[name]),
        "imports_added": sorted(imports(current) - imports(previous)),
        "imports_removed": sorted(imports(previous) - imports(current)),
        "network_hosts_added": sorted(set(current.get("network_hosts", [])) - set(previous.get("network_hosts", []))),
        "network_hosts_removed": sorted(set(previous.get("network_hosts", [])) - set(current.get("network_hosts", []))),
    }
