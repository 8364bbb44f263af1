"""The `media` section of a manifest: which kinds of media the user may pick."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from ...manifest.permission import Permission
from ...views.documents import UniqueItems

MediaKind = Literal["image", "video"]


class MediaPermission(Permission):
    """Photos and videos the user picks."""

    capability: ClassVar[str] = "media"

    kinds: Annotated[
        list[MediaKind],
        Field(min_length=1, description="The kinds of media the program lets users pick."),
        UniqueItems(),
    ] = ["image"]
