"""The `location` section of a manifest: how precisely the program may ask."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from ...manifest.permission import Permission


class LocationPermission(Permission):
    """Where the user is."""

    capability: ClassVar[str] = "location"

    precision: Literal["fuzzy", "precise"] = Field(
        "fuzzy",
        description='The most precise position the program will ask for: "fuzzy" is snapped to a grid '
        'of a few kilometres; "precise" needs a stronger grant from the user.',
    )
