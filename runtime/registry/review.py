"""What a reviewer reads: the audit, and what changed since the last approved version."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
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


#: A reviewer reads code, not megabytes: diffs past this are cut, and say so.
MAX_DIFF_CHARS = 256 * 1024


def source_changes(previous: Mapping[str, bytes] | None, current: Mapping[str, bytes]) -> dict[str, Any]:
    """Files added, removed and changed since `previous` (member name -> bytes), with a unified diff.

    With no previous version the diff holds the whole source, so a first
    review reads every line too. Binary files are listed, not diffed.
    """
    before = dict(previous or {})
    added = sorted(set(current) - set(before))
    removed = sorted(set(before) - set(current))
    changed = sorted(name for name in set(current) & set(before) if current[name] != before[name])
    parts: list[str] = []
    size = 0
    truncated = False
    for name in sorted(set(added) | set(removed) | set(changed)):
        old, new = _text(before.get(name)), _text(current.get(name))
        if old is None or new is None:
            chunk = f"Binary file {name} {'added' if name in added else 'removed' if name in removed else 'changed'}\n"
        else:
            lines = difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"a/{name}" if name not in added else "/dev/null",
                tofile=f"b/{name}" if name not in removed else "/dev/null",
            )
            chunk = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
        if size + len(chunk) > MAX_DIFF_CHARS:
            truncated = True
            break
        parts.append(chunk)
        size += len(chunk)
    return {
        "files_added": added,
        "files_removed": removed,
        "files_changed": changed,
        "diff": "".join(parts),
        "truncated": truncated,
    }


def _text(data: bytes | None) -> str | None:
    if data is None:
        return ""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
