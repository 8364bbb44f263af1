"""What every `permissions` entry shares: the reason users read."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from ..views.documents import text_pattern

REASON_MIN_CHARS = 5
REASON_MAX_CHARS = 200

Reason = Annotated[
    str,
    text_pattern(
        r"\S",
        "text users can read (not only spaces)",
        min_length=REASON_MIN_CHARS,
        max_length=REASON_MAX_CHARS,
    ),
    Field(
        description=(
            f"Why the program needs this capability, shown to users when they are asked "
            f"({REASON_MIN_CHARS} to {REASON_MAX_CHARS} characters)."
        )
    ),
]


class Permission(BaseModel):
    """Base of every capability's manifest section (`runtime/capabilities/<name>/permission.py`)."""

    # Unknown fields are errors, so a misspelt setting is caught, not ignored.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    #: The key under `permissions` (and the WIT interface) this section is for.
    capability: ClassVar[str]

    reason: Reason
