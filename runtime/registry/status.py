"""A version's signed status: "at time T this registry said version V is S".

A countersignature proves a version was released once; it cannot say the
version was later yanked or rolled back. So an installer also asks the registry
for the version's status, signed by the registry key with the time it was made,
and refuses unless the status is `approved` and recent. A status can be kept
and reused while the host is offline, up to `STATUS_GRACE_SECONDS`; a replayed
download of a yanked version then works for at most that long.
"""

from __future__ import annotations

import time
from typing import Any

from ..errors import PackageError
from .countersign import RegistryKey, signed_by

_PREFIX = b"capsule-registry-status-v1\n"
#: The only status an installer accepts.
INSTALLABLE = "approved"
#: How old a status may be when a host installs with it (the offline grace period).
STATUS_GRACE_SECONDS = 24 * 3600
#: How far ahead of the host's clock a status may claim to be made.
CLOCK_SKEW_SECONDS = 300


def status_message(app_id: str, version: str, digest: str, status: str, at: int) -> bytes:
    return _PREFIX + f"{app_id}\n{version}\n{digest}\n{status}\n{at}".encode()


def signed_status(key: RegistryKey, app_id: str, version: str, digest: str, status: str, at: int | None = None) -> dict[str, Any]:
    """The status document the registry answers `GET .../status` with."""
    at = int(time.time()) if at is None else at
    signature = key.sign(status_message(app_id, version, digest, status, at))
    return {"id": app_id, "version": version, "digest": digest, "status": status, "at": at, "signature": signature}


def check_status(
    registry_key: str,
    answer: object,
    *,
    app_id: str,
    version: str,
    digest: str,
    countersigned_at: int,
    grace_seconds: float = STATUS_GRACE_SECONDS,
    now: float | None = None,
) -> None:
    """Raise PackageError unless `answer` is a status of exactly this version, signed
    by `registry_key`, made after the countersignature, at most `grace_seconds` old,
    and `approved`.

    Codes: `bad-status` (not such a status), `stale-status` (too old),
    `revoked` (yanked, rolled back, or otherwise not installable).
    """
    now = time.time() if now is None else now
    name = f"{app_id} {version}"
    if not isinstance(answer, dict):
        raise PackageError(f"the registry sent no status for {name}; try again", code="bad-status")
    status, at = answer.get("status"), answer.get("at")
    if not isinstance(status, str) or not isinstance(at, int) or isinstance(at, bool):
        raise PackageError(f"the status of {name} is malformed; try again, and report the registry if it persists", code="bad-status")
    if not signed_by(registry_key, status_message(app_id, version, digest, status, at), answer.get("signature")):
        raise PackageError(
            f"the status of {name} ({digest}) is not signed by the registry key you trust; do not install it",
            code="bad-status",
        )
    if at < countersigned_at or at > now + CLOCK_SKEW_SECONDS:
        raise PackageError(
            f"the status of {name} was made at {at}, outside the time since its countersignature ({countersigned_at}) "
            "and now; check this machine's clock, then try again",
            code="bad-status",
        )
    # Withdrawn is final, however old the news: checked before freshness.
    if status != INSTALLABLE:
        raise PackageError(
            f"{name} is {status[:40]!r} at the registry: it was withdrawn after release; do not install it, "
            "install the live version instead",
            code="revoked",
        )
    if now - at > grace_seconds:
        hours = (now - at) / 3600
        raise PackageError(
            f"the newest status of {name} the registry gave is {hours:.1f} h old, older than the "
            f"{grace_seconds / 3600:g} h a host may go without asking; reach the registry and try again",
            code="stale-status",
        )
