"""Who made the program, as they want users to see it."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..views.documents import NotNull
from .fields import Email, HttpsUrl


class Developer(BaseModel):
    """The developer or organisation behind the program."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="The name users see (1 to 100 characters)."
    )
    email: Annotated[Email | None, NotNull(), Field(description="Where users can write to.")] = None
    url: Annotated[HttpsUrl | None, NotNull(), Field(description="The developer's site, over https.")] = None
