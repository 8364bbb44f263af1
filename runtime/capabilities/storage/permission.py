"""The `storage` section of a manifest: how much the program may keep per user."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from ...manifest.permission import Permission
from ...views.documents import NotNull

#: The most any program may ask for; a host may grant less.
MAX_QUOTA_BYTES = 100 * 1024 * 1024


class StoragePermission(Permission):
    """Key-value storage per (program, user)."""

    capability: ClassVar[str] = "storage"

    quota_bytes: Annotated[
        int | None,
        NotNull(),
        Field(
            ge=1,
            le=MAX_QUOTA_BYTES,
            description=f"Bytes the program expects to store per user, at most {MAX_QUOTA_BYTES} (100 MiB). "
            "Leave out to take the host's default quota.",
        ),
    ] = None
