"""The `permissions` object: one optional section per declarable capability."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ..capabilities.location.permission import LocationPermission
from ..capabilities.media.permission import MediaPermission
from ..capabilities.messages.permission import MessagesPermission
from ..capabilities.network.permission import NetworkPermission
from ..capabilities.payments.permission import PaymentsPermission
from ..capabilities.profile.permission import ProfilePermission
from ..capabilities.qr.permission import QrPermission
from ..capabilities.storage.permission import StoragePermission
from ..views.documents import NotNull
from .permission import Permission

#: Capabilities every program has without asking; they take no entry.
ALWAYS_AVAILABLE = ("ui", "log")


class Permissions(BaseModel):
    """The capabilities the program uses beyond ui and log, each with the reason users read.

    A program can only import what it declares here (its build world and the
    host's loader both follow this object).
    """

    # An unknown key is an error that lists the allowed ones.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    storage: Annotated[StoragePermission | None, NotNull(), Field(description="Key-value storage per user.")] = None
    payments: Annotated[PaymentsPermission | None, NotNull(), Field(description="Payments the user confirms.")] = None
    profile: Annotated[ProfilePermission | None, NotNull(), Field(description="Facts about the user.")] = None
    location: Annotated[LocationPermission | None, NotNull(), Field(description="The user's position.")] = None
    media: Annotated[MediaPermission | None, NotNull(), Field(description="Photos and videos the user chooses.")] = None
    qr: Annotated[QrPermission | None, NotNull(), Field(description="QR codes and the scanner.")] = None
    network: Annotated[NetworkPermission | None, NotNull(), Field(description="HTTP to listed hosts.")] = None
    messages: Annotated[
        MessagesPermission | None, NotNull(), Field(description="Messages to the user, each kind consented to.")
    ] = None

    def items(self) -> list[tuple[str, Permission]]:
        """(capability, section) for every declared capability, in field order."""
        return [(name, section) for name in type(self).model_fields if (section := getattr(self, name)) is not None]


#: Capabilities a manifest can declare, in the order of the `permissions` fields.
DECLARABLE = tuple(Permissions.model_fields)
