"""Places where a program serves people in person: "nearby" in search."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..views.documents import NotNull

MAX_PLACES = 50


class Place(BaseModel):
    """A shop, restaurant or stop, in WGS-84 degrees."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: Annotated[
        Annotated[str, StringConstraints(min_length=1, max_length=80)] | None,
        NotNull(),
        Field(description="What users see, e.g. the branch's street (1 to 80 characters)."),
    ] = None
    lat: float = Field(ge=-90, le=90, description="Latitude in degrees, WGS-84.")
    lon: float = Field(ge=-180, le=180, description="Longitude in degrees, WGS-84.")
