"""The capabilities that hold or reveal user data, built from the host's services.

Each is wired to the consent gate and the embedded default provider; a host
application swaps a provider by passing its own capability to `Host(capabilities=...)`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .base import Capability
from .location.host import LocationCapability
from .location.provider import ConfiguredLocation
from .media.host import MediaCapability
from .media.provider import BlobMediaStore, DiskMediaStore
from .media.uploads import UploadLog
from .messages.host import MessagesCapability
from .network.host import NetworkCapability
from .profile.host import ProfileCapability
from .profile.links import DeveloperLinks
from .profile.provider import ConfiguredProfiles
from .qr.host import QrCapability
from .qr.provider import PickedImageScanner
from .storage.host import StorageCapability
from .storage.provider import DatabaseStorage

if TYPE_CHECKING:
    from ..services import HostServices


def user_data_capabilities(services: "HostServices") -> dict[str, Capability]:
    """storage, profile, location, qr, media, network and messages; those with tables open the database on first use only."""
    database = lambda: services.database  # noqa: E731 - deferred: see capabilities.deferred
    return {
        "storage": StorageCapability(DatabaseStorage(database)),
        "profile": ProfileCapability(
            ConfiguredProfiles(services.home.root / "profiles.json"),
            services.consent,
            lambda: services.identities,
            DeveloperLinks(database),
        ),
        "location": LocationCapability(
            ConfiguredLocation(services.home.root / "location.json"),
            services.consent,
            lambda: services.secret,
        ),
        "qr": QrCapability(PickedImageScanner()),
        "media": MediaCapability(_media_store(services), UploadLog(database)),
        # Developer mode (plain http to loopback) only when the developer asks for it.
        "network": NetworkCapability(developer_mode=os.environ.get("CAPSULE_NETWORK_DEVELOPER_MODE") == "1"),
        "messages": MessagesCapability(services.messages),
    }


def _media_store(services: "HostServices") -> BlobMediaStore:
    """Uploads where every host reaches them (the shared database or the host application's
    store); on one machine with SQLite, under `CAPSULE_HOME/media`."""
    shared = services.blob_store("media")
    return DiskMediaStore(services.home.root / "media") if shared is None else BlobMediaStore(shared)
