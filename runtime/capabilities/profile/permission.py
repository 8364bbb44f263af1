"""The `profile` section of a manifest: which facts about the user it wants."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from ...manifest.permission import Permission
from ...views.documents import UniqueItems

ProfileField = Literal["nickname", "avatar", "locale", "phone"]


class ProfilePermission(Permission):
    """Who the user is, as far as the program may know."""

    capability: ClassVar[str] = "profile"

    fields: Annotated[
        list[ProfileField],
        Field(
            min_length=1,
            description='The facts the program asks for. "phone" is asked for again on every use.',
        ),
        UniqueItems(),
    ] = ["nickname", "avatar", "locale"]
