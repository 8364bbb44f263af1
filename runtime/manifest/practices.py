"""What the program does with users' data, as stated by its developer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..views.documents import NotNull, UniqueItems
from .fields import HttpsUrl

DataKind = Literal["location", "contact", "payment", "photos", "identifiers", "usage"]


class DataPractices(BaseModel):
    """The developer's statement of the data the program collects, shown on its page and in audits."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    collects: Annotated[
        list[DataKind],
        Field(description="Kinds of user data the program or its servers keep. An empty list: none."),
        UniqueItems(),
    ]
    shared_with_third_parties: bool = Field(description="Whether any collected data reaches anyone but the developer.")
    retention_days: Annotated[
        int | None, NotNull(), Field(ge=0, description="How long collected data is kept, in days (0: not kept).")
    ] = None
    privacy_policy_url: Annotated[HttpsUrl | None, NotNull(), Field(description="The privacy policy, over https.")] = None
