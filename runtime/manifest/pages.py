"""A program's pages: the first one opens when it launches."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ..views.documents import NotNull
from .fields import PageName
from .locale import LocalizedTitle


class Page(BaseModel):
    """One page of the program."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: PageName = Field(description="How views, events and launch addresses name the page; unique in the manifest.")
    title: Annotated[
        LocalizedTitle | None,
        NotNull(),
        Field(description="The page's title per locale; must include the default locale. Leave out to use the program's name."),
    ] = None
    indexed: bool = Field(True, description="false keeps the page out of search (for pages only reachable from inside the program).")
